import { containInstancePlaybook } from '../../../../lambda/playbooks/contain-instance/playbook';
import { CONTAIN_INSTANCE_STEP_SPECS } from '../../../../lambda/playbooks/contain-instance/specs';
import { requiredIamActions } from '../../../../lambda/playbooks/registry';
import { declaredActions, undeclaredCalls } from '../../../support/aws-mocks/contain-harness';

/*
 * The Lambda role is derived from the step specs. Every test file that uses
 * the contain harness checks after each test that every call its mocks
 * received is declared (see contain-harness.ts); these tests check the
 * check, and the declarations themselves.
 */
describe('contain-instance step specs', () => {
  it('the coverage check names a call that no step kind declares', () => {
    expect(
      undeclaredCalls([
        { service: 'ec2', action: 'DescribeInstances', input: {} },
        { service: 'ec2', action: 'TerminateInstances', input: {} },
        { service: 'autoscaling', action: 'DetachInstances', input: {} },
        { service: 'iam', action: 'DeleteRole', input: {} },
      ]),
    ).toEqual(['ec2:TerminateInstances', 'iam:DeleteRole']);
  });

  it('declares every call the playbook makes, reads included, and the registry derives the role from them', () => {
    expect([...declaredActions()].sort()).toEqual([
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:DetachInstances',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:CreateSecurityGroup',
      'ec2:CreateSnapshots',
      'ec2:CreateTags',
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSnapshots',
      'ec2:DisassociateIamInstanceProfile',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:RevokeSecurityGroupEgress',
      'elasticloadbalancing:DeregisterTargets',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'iam:GetInstanceProfile',
      // The account's alias, for the notification of every response (lambda/notify/account-alias.ts).
      'iam:ListAccountAliases',
      'iam:PutRolePolicy',
    ]);
    expect(requiredIamActions('contain-instance')).toEqual(expect.arrayContaining([...declaredActions()]));
    expect(containInstancePlaybook.stepSpecs).toBe(CONTAIN_INSTANCE_STEP_SPECS);
  });

  it('reads are declared read-only and every step kind that changes something is mutating', () => {
    const kinds = new Map(CONTAIN_INSTANCE_STEP_SPECS.map((s) => [s.kind, s]));
    expect(kinds.size).toBe(CONTAIN_INSTANCE_STEP_SPECS.length);
    for (const spec of CONTAIN_INSTANCE_STEP_SPECS) {
      const readOnly = spec.iamActions.every((a) => /:(Describe|Get)/.test(a));
      expect([spec.kind, spec.mutating]).toEqual([spec.kind, !readOnly]);
    }
  });
});
