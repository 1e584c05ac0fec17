import { changeActionsOf, firstChangeOf } from '../../../bench/change-actions';
import type { StepSpec } from '../../../lambda/plan/types';
import { PLAYBOOKS } from '../../../lambda/playbooks/registry';

/* What the first-change benchmark counts as a playbook's first change. */

const specs: StepSpec[] = [
  { kind: 'read-group', iamActions: ['ec2:DescribeSecurityGroups'], mutating: false },
  { kind: 'isolate', iamActions: ['ec2:DescribeSecurityGroups', 'ec2:CreateSecurityGroup', 'ec2:ModifyNetworkInterfaceAttribute'], mutating: true, changeClass: 'isolate' },
  { kind: 'record', iamActions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'], mutating: true, neverWaits: 'bookkeeping' },
];

test('the changing actions of mutating steps, without the reads they declare', () => {
  expect([...changeActionsOf(specs)].sort()).toEqual(['ec2:CreateSecurityGroup', 'ec2:ModifyNetworkInterfaceAttribute', 's3:PutBucketPublicAccessBlock']);
});

test('derived from the playbooks\' own declarations', () => {
  expect([...changeActionsOf(PLAYBOOKS['block-public-access'].stepSpecs)]).toEqual(['s3:PutBucketPublicAccessBlock']);
  expect([...changeActionsOf(PLAYBOOKS['contain-function'].stepSpecs)].sort()).toEqual(['iam:PutRolePolicy', 'lambda:PutFunctionConcurrency']);
  expect(changeActionsOf(PLAYBOOKS.notify.stepSpecs).size).toBe(0);
});

test('the first change is the earliest successful answer of a changing action', () => {
  const actions = changeActionsOf(specs);
  const calls = [
    { action: 'ec2:DescribeSecurityGroups', status: 200, answeredAt: 10 },
    { action: 'ec2:ModifyNetworkInterfaceAttribute', status: 200, answeredAt: 90 },
    { action: 'ec2:CreateSecurityGroup', status: 500, answeredAt: 40 },
    { action: 'ec2:CreateSecurityGroup', status: 200, answeredAt: 70 },
  ];
  expect(firstChangeOf(calls, actions)).toBe(calls[3]);
  expect(firstChangeOf(calls.slice(0, 1), actions)).toBeUndefined();
});
