import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { ASSUME_MEMBER_ROLE } from '../../lambda/aws/member-role';
import { ConfigError } from '../../lambda/config/schema';
import { WRITE_EVIDENCE } from '../../lambda/evidence/specs';
import { BRAKE_STEP_SPECS, LEDGER_STEP_SPECS } from '../../lambda/ledger/specs';
import { READ_ACCOUNT_ALIAS } from '../../lambda/notify/account-alias';
import { PUBLISH_NOTIFICATION } from '../../lambda/notify/publish-step';
import { requiredIamActions } from '../../lambda/playbooks/registry';
import { ACTING_PLAYBOOKS } from '../../lambda/routing/playbook-names';
import { createIncidentResponseApp } from '../../lib/app';
import { memberRoleActions, memberRoleStepSpecs } from '../../lib/member/member-actions';
import { grantsOf, scopedGrants } from '../../lib/iam/scoped-statements';
import { acknowledgements, nagFindings } from './support/nag';
import { PROJECT_ROOT, synthesize, synthesizeMember, type SynthesizedMember } from './support/synth';
import { asList, evaluate, props, resourcesOfType, type Json, type Statement } from './support/template-queries';
import { errorOf } from '../support/errors';
import { CONFIRM_STEP_SPECS } from '../../lambda/confirm/specs';
import { closeLoopStepSpecsOf } from '../../lambda/close-loop/specs';

const SECURITY = '999988887777';
const OPERATORS = ['arn:aws:iam::999988887777:role/SecOps', 'arn:aws:sts::999988887777:assumed-role/BreakGlass/alice'];
const CONFIG = { securityAccountId: SECURITY, regions: ['eu-west-1', 'us-east-1'], operatorPrincipals: OPERATORS, organizationId: 'o-a1b2c3d4e5' };
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::AccountId': '222233334444', 'AWS::Region': 'eu-central-1' };

function roleOf(member: SynthesizedMember): Record<string, Json> {
  const roles = Object.values(resourcesOfType(member.template, 'AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return props(roles[0]!);
}

function trustStatements(member: SynthesizedMember): Statement[] {
  return (roleOf(member).AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
}

function trustedPrincipals(member: SynthesizedMember): string[] {
  return trustStatements(member)
    .flatMap((s) => asList((s.Principal as { AWS: Json | Json[] }).AWS))
    .map((p) => evaluate(p, PSEUDO))
    .sort();
}

function permissionStatements(member: SynthesizedMember): Statement[] {
  return asList(roleOf(member).Policies as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[])
    .filter((p) => p.PolicyName === 'PlaybookSteps')
    .flatMap((p) => p.PolicyDocument.Statement);
}


describe('the member stack', () => {
  let member: SynthesizedMember;

  beforeAll(() => {
    member = synthesizeMember({ context: { incidentResponse: CONFIG }, nag: true });
  });

  it('is GuardDutyIncidentResponseMember, alone in the app: no security stack is deployed with it', () => {
    expect(member.stack.stackName).toBe('GuardDutyIncidentResponseMember');
    expect(member.assembly.stacks.map((s) => s.stackName)).toEqual(['GuardDutyIncidentResponseMember']);
  });

  it('holds one role, named memberRoleName, and its guardrail policy (Deny statements only), nothing else', () => {
    const resources = (member.template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> }).Resources;
    expect(Object.values(resources).map((r) => r.Type).filter((t) => t !== 'AWS::CDK::Metadata').sort()).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role']);
    expect(roleOf(member).RoleName).toBe('IncidentResponseMemberRole');
    const [policyId, policy] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')!;
    expect(roleOf(member).ManagedPolicyArns).toEqual([{ Ref: policyId }]);
    expect((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((s) => s.Effect)).toEqual(['Deny']);
  });

  it('is trusted only by the playbook roles that act in accounts, per configured region, by exact ARN, and by the operators', () => {
    expect(trustedPrincipals(member)).toEqual(
      [
        ...['eu-west-1', 'us-east-1'].flatMap((region) => ACTING_PLAYBOOKS.map((playbook) => `arn:aws:iam::${SECURITY}:role/GuardDutyIncidentResponse-${playbook}-${region}`)),
        ...OPERATORS,
      ].sort(),
    );
  });

  it('lets them only assume it, and only from inside the organization', () => {
    for (const statement of trustStatements(member)) {
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } });
      expect(Object.keys(statement.Condition!)).toEqual(['StringEquals']);
    }
  });

  it('allows exactly the union of the playbooks’ own actions and evidence reads: no notification, no evidence write, no AssumeRole, no ledger', () => {
    const granted = [...new Set(permissionStatements(member).flatMap((s) => asList(s.Action)))].sort();
    const securityOnly: string[] = [
      ...PUBLISH_NOTIFICATION.iamActions,
      ...ASSUME_MEMBER_ROLE.iamActions,
      ...WRITE_EVIDENCE.iamActions,
      ...[...LEDGER_STEP_SPECS, ...BRAKE_STEP_SPECS].flatMap((spec) => spec.iamActions),
      // GuardDuty is asked in the security account (the delegated administrator), never in a member account.
      ...CONFIRM_STEP_SPECS.flatMap((spec) => spec.iamActions),
      // Security Hub and GuardDuty's archive too (lambda/close-loop/): updated where their administrator holds the findings.
      ...closeLoopStepSpecsOf(true).flatMap((spec) => spec.iamActions),
    ];
    // quarantine-object's copy mode puts the copy into the quarantine bucket of the member account: s3:PutObject, only as a copy.
    const union = [...new Set([...ACTING_PLAYBOOKS.flatMap((name) => requiredIamActions(name)).filter((a) => !securityOnly.includes(a)), 's3:PutObject'])];
    expect(granted).toEqual(union.sort());
    expect(granted).toEqual(memberRoleActions());
    // S3 only for the S3 playbooks' bucket and object calls: s3:PutObject only in quarantine-object's copy statement, never the evidence's
    // (written from the security account).
    expect(granted.filter((a) => /^(sns|kms|sts|dynamodb|guardduty):/.test(a))).toEqual([]);
    const puts = permissionStatements(member).filter((s) => asList(s.Action).includes('s3:PutObject'));
    expect(puts.map((s) => [asList(s.Action), s.Condition])).toEqual([
      [['s3:PutObject'], { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' }, Null: { 's3:x-amz-copy-source': 'false' } }],
    ]);
    // The console output is read where the instance is.
    expect(granted).toContain('ec2:GetConsoleOutput');
    // The account's alias, for the notification, is read in the member account (lambda/notify/account-alias.ts), and only listed.
    expect(memberRoleStepSpecs()).toContainEqual(READ_ACCOUNT_ALIAS);
    expect(granted.filter((a) => /AccountAlias/.test(a))).toEqual(['iam:ListAccountAliases']);
    expect(permissionStatements(member).filter((s) => asList(s.Action).includes('iam:ListAccountAliases')).map((s) => s.Resource)).toEqual(['*']);
    expect(permissionStatements(member).every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('scopes every action as the playbook roles do, to this member account, with the same conditions', () => {
    const grants = scopedGrants(grantsOf(memberRoleStepSpecs()), member.stack.scopeReferences);
    for (const action of memberRoleActions()) {
      const granting = permissionStatements(member).filter((s) => asList(s.Action).includes(action));
      const expected = grants
        .filter((g) => g.actions.includes(action))
        .map((g) => ({ resources: member.stack.resolve([...g.resources]), condition: member.stack.resolve(g.condition) as unknown }));
      expect({ action, grants: granting.map((s) => ({ resources: asList(s.Resource), condition: s.Condition })) }).toEqual({ action, grants: expected });
    }
    const userScope = permissionStatements(member).find((s) => asList(s.Action).includes('iam:UpdateAccessKey'))!;
    expect(evaluate(userScope.Resource as Json, PSEUDO)).toBe('arn:aws:iam::222233334444:user/*');
  });

  it('needs no bootstrap: no BootstrapVersion parameter or rule (the template works as a StackSet), no deploy role to assume', () => {
    const template = member.template.toJSON() as Record<string, unknown>;
    expect(template.Parameters).toBeUndefined();
    expect(template.Rules).toBeUndefined();
    const artifact = member.assembly.getStackArtifact(member.stack.artifactId);
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.cloudFormationExecutionRoleArn).toBeUndefined();
  });

  it('outputs the role ARN', () => {
    expect(Object.keys((member.template.toJSON() as { Outputs: Record<string, unknown> }).Outputs)).toEqual(['MemberRoleArn']);
  });

  it('is cdk-nag clean, acknowledging only wildcard resources of the role, each with a reason', () => {
    expect(nagFindings(member.app)).toEqual([]);
    const acks = acknowledgements(member.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path).toBe(member.stack.role.node.path);
      expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});

describe('the member stack, other configurations', () => {
  it('without an organization id has no condition', () => {
    const member = synthesizeMember({ context: { incidentResponse: { securityAccountId: SECURITY } } });
    for (const statement of trustStatements(member)) expect(statement.Condition).toBeUndefined();
  });

  it('without regions trusts the single security stack in its own region', () => {
    const member = synthesizeMember({ context: { incidentResponse: { securityAccountId: SECURITY, memberRoleName: 'IrMember' } } });
    expect(trustedPrincipals(member)).toEqual(ACTING_PLAYBOOKS.map((playbook) => `arn:aws:iam::${SECURITY}:role/GuardDutyIncidentResponse-${playbook}-eu-central-1`).sort());
    expect(roleOf(member).RoleName).toBe('IrMember');
  });

  it('trusts exactly the roles the security stacks of the same configuration create', () => {
    const config = { securityAccountId: SECURITY, regions: ['eu-west-1', 'ap-southeast-2'] };
    const member = synthesizeMember({ context: { incidentResponse: config } });
    const security = synthesize({ context: { incidentResponse: config } });
    const created = security.stacks.flatMap((stack) =>
      ACTING_PLAYBOOKS.map((playbook) => `arn:aws:iam::${SECURITY}:role/${stack.resolve((stack.playbooks[playbook].role.node.defaultChild as CfnRole).roleName) as string}`),
    );
    expect(trustedPrincipals(member)).toEqual(created.sort());
  });

  it('stops synthesis with a message naming securityAccountId when it is missing', () => {
    const error = errorOf(() => synthesizeMember({ context: { incidentResponse: {} } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'invalid configuration: "securityAccountId" is required for the member stack: the 12-digit id of the security account whose playbooks assume the member role',
    );
  });

  it('is chosen by context deployMemberStack, true or "true", and nothing else', () => {
    // No stack bundled ('aws:cdk:bundling-stacks': []): only which stacks the app builds is under test, and bundling the security stack's functions (esbuild, twice) was most of this file's time.
    const context = { incidentResponse: { securityAccountId: SECURITY }, 'aws:cdk:bundling-stacks': [] };
    const app = (value: unknown) => createIncidentResponseApp({ appProps: { context: { ...context, deployMemberStack: value } }, baseDir: PROJECT_ROOT });
    expect(app('true').memberStack).toBeDefined();
    expect(app('true').stacks).toEqual([]);
    expect(app(false).memberStack).toBeUndefined();
    expect(app('false').stacks).toHaveLength(1);
    expect(() => app('yes')).toThrow(new ConfigError('invalid configuration: context "deployMemberStack" must be true or false, not "yes"'));
  });
});
