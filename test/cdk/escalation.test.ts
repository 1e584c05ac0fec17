import { Template } from 'aws-cdk-lib/assertions';
import { ACTING_PLAYBOOKS, PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { approvalSchedulerRoleName, pascalCase, responderRoleName } from '../../lib/naming';
import { asList, auditRole, decide, flattenStatement, globsIntersect, type AuditOptions, type PolicyStatement } from './support/policy-evaluator';
import { synthesize, synthesizeMember } from './support/synth';
import { resourcesOfType, statementsOfRole } from './support/template-queries';

/** The role ids of the acting playbooks (ContainInstanceRole..., BlockPublicAccessRole...). */
const ACTING_ROLE_ID = new RegExp(`^(${ACTING_PLAYBOOKS.map(pascalCase).join('|')})Role`);

/*
 * Every synthesised policy of every role, in every region of a multi-region
 * deployment and in the member stack, audited for escalation paths
 * (test/cdk/support/policy-evaluator.ts): no IAM wildcard, no iam:PassRole
 * (but, with approvals, the one the wait needs: the scheduler role, to
 * EventBridge Scheduler only, by the acting playbooks only),
 * no IAM write that reaches a responder role or a protected principal
 * without an explicit Deny, no EC2 write on "*" without a condition.
 */

const SECURITY = '111122223333';
const MEMBER = '222233334444';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const PROTECTED = ['arn:aws:iam::*:role/BreakGlass*', `arn:aws:iam::${MEMBER}:user/break-glass`];
const CONFIG = { securityAccountId: SECURITY, regions: REGIONS, credentials: { protectedPrincipals: PROTECTED } };

/**
 * The principals no responder role may change: every playbook role of every region (in the security account, where
 * they are made: a role of that name elsewhere is not ours), the member role (any account), the configured ones.
 */
const TARGETS = [
  ...REGIONS.flatMap((region) => PLAYBOOK_NAMES.map((playbook) => `arn:aws:iam::${SECURITY}:role/${responderRoleName('GuardDutyIncidentResponse', playbook, region)}`)),
  'arn:aws:iam::*:role/IncidentResponseMemberRole',
  ...PROTECTED,
];
/*
 * The EC2 writes no condition key confines, on the one resource type they stay
 * unconditioned on (Service Authorization Reference, Amazon EC2). Never "*".
 */
const UNCONDITIONED_EC2_WRITES = [
  {
    action: 'ec2:CreateSecurityGroup',
    resource: 'arn:aws:ec2:*:*:vpc/*',
    reason:
      "the VPC CreateSecurityGroup also authorises: its keys (aws:ResourceTag, ec2:ResourceTag, ec2:Tenancy, ec2:VpcID) do not narrow what the step does, the VPC being the finding instance's; the security-group resource is conditioned (aws:RequestTag, aws:TagKeys)",
  },
  {
    action: 'ec2:DisassociateIamInstanceProfile',
    resource: 'arn:aws:ec2:*:*:instance/*',
    reason:
      'its only resource type, instance, has keys on instance attributes and tags, none naming the association the step removes; the exempt-tag Deny applies',
  },
];
const AUDIT: AuditOptions = { protectedPrincipals: TARGETS, unconditionedEc2Writes: UNCONDITIONED_EC2_WRITES };

function rolesOf(template: Template, pseudo: Record<string, string>): Map<string, PolicyStatement[]> {
  const roles = Object.keys(resourcesOfType(template, 'AWS::IAM::Role'));
  return new Map(
    roles.map((id) => [id, statementsOfRole(template, id).map((s) => flattenStatement(s as unknown as Record<string, unknown>, pseudo))]),
  );
}

describe('every synthesised role', () => {
  const security = synthesize({ context: { incidentResponse: CONFIG } });
  const member = synthesizeMember({ context: { incidentResponse: CONFIG } });
  const audited = [
    ...security.stacks.map((stack) => ({
      name: stack.stackName,
      roles: rolesOf(Template.fromJSON(security.assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>), {
        'AWS::Partition': 'aws',
        'AWS::AccountId': SECURITY,
        'AWS::Region': stack.region,
      }),
    })),
    { name: member.stack.stackName, roles: rolesOf(member.template, { 'AWS::Partition': 'aws', 'AWS::AccountId': MEMBER, 'AWS::Region': 'eu-west-1' }) },
  ];

  it('are those of every region and the member stack', () => {
    expect(audited.map((a) => a.name)).toEqual([...REGIONS.map((r) => `GuardDutyIncidentResponse-${r}`), 'GuardDutyIncidentResponseMember']);
    // Each region: a role per playbook and the owed Security Hub note writer's (lib/owed-note-delivery.ts).
    expect(audited.map((a) => a.roles.size)).toEqual([...REGIONS.map(() => PLAYBOOK_NAMES.length + 1), 1]);
  });

  it.each(audited.map((a) => [a.name, a] as const))('%s: no escalation path, no unconditioned EC2 write', (_name, { roles }) => {
    for (const [roleId, statements] of roles) expect({ roleId, findings: auditRole(statements, AUDIT) }).toEqual({ roleId, findings: [] });
  });

  it('needs each accepted unconditioned EC2 write: without the list, exactly those are found, on their resource type', () => {
    for (const { name, roles } of audited) {
      const found = [...roles.values()].flatMap((statements) => auditRole(statements, { protectedPrincipals: TARGETS })).map((f) => `${f.rule} ${f.detail}`);
      const account = name.endsWith('Member') ? MEMBER : SECURITY;
      expect({ name, found: [...new Set(found)].sort() }).toEqual({
        name,
        found: [
          `unconditioned-ec2-write ec2:CreateSecurityGroup on arn:aws:ec2:*:${account}:vpc/*`,
          `unconditioned-ec2-write ec2:DisassociateIamInstanceProfile on arn:aws:ec2:*:${account}:instance/*`,
        ],
      });
    }
  });

  it('revoking sessions reaches the principals of the account, never a responder role nor a protected one', () => {
    for (const { name, roles } of audited) {
      for (const [roleId, statements] of roles) {
        for (const [action, type] of [['iam:PutRolePolicy', 'role'], ['iam:PutUserPolicy', 'user']] as const) {
          const account = name.endsWith('Member') ? MEMBER : SECURITY;
          if (decide(statements, action, `arn:aws:iam::${account}:${type}/compromised-app`) !== 'allow') continue;
          const where = { name, roleId, action };
          for (const target of TARGETS.filter((t) => t.includes(`:${type}/`))) {
            const concrete = target.replace('::*:', `::${account}:`).replace(/\*$/, '-prod');
            expect({ ...where, concrete, decision: decide(statements, action, concrete) }).toEqual({ ...where, concrete, decision: 'explicit-deny' });
          }
        }
      }
    }
    // The power exists: the acting playbooks and the member role can revoke an ordinary principal's sessions.
    const [, memberStatements] = [...audited[3]!.roles][0]!;
    expect(decide(memberStatements, 'iam:PutRolePolicy', `arn:aws:iam::${MEMBER}:role/compromised-app`)).toBe('allow');
    expect(decide(memberStatements, 'iam:PutUserPolicy', `arn:aws:iam::${MEMBER}:user/compromised-user`)).toBe('allow');
    // A member account's own role under a playbook role's name is not ours (ours are all in the security account): it is an ordinary principal there.
    const lookalike = `arn:aws:iam::${MEMBER}:role/${responderRoleName('GuardDutyIncidentResponse', 'contain-instance', REGIONS[0]!)}`;
    expect(decide(memberStatements, 'iam:PutRolePolicy', lookalike)).toBe('allow');
  });
});

describe('with approvals (config approval): the one iam:PassRole, and nothing wider', () => {
  const REGION = 'eu-west-1';
  const PREFIX = 'GuardDutyIncidentResponse';
  const synth = synthesize({ context: { incidentResponse: { ...CONFIG, regions: [REGION], approval: {} } } });
  const template = Template.fromJSON(synth.assembly.getStackArtifact(synth.stack.artifactId).template as Record<string, unknown>);
  const roles = rolesOf(template, { 'AWS::Partition': 'aws', 'AWS::AccountId': SECURITY, 'AWS::Region': REGION });
  const schedulerName = approvalSchedulerRoleName(PREFIX, REGION);
  const schedulerArn = `arn:aws:iam::${SECURITY}:role/${schedulerName}`;
  const schedulerId = Object.entries(resourcesOfType(template, 'AWS::IAM::Role')).find(([, role]) => (role as { Properties: { RoleName?: unknown } }).Properties.RoleName === schedulerName)?.[0];
  const passableRole = { resource: `<${schedulerId}.Arn>`, service: 'scheduler.amazonaws.com' };
  const playbookRoleIds = Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))
    .filter(([, role]) => String((role as { Properties: { RoleName?: unknown } }).Properties.RoleName).startsWith(`${PREFIX}-`))
    .map(([id]) => id);
  const passers = [...roles].filter(([, statements]) => statements.some((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => /passrole/i.test(a)))).map(([id]) => id).sort();

  it('names the scheduler role, so the guardrails can protect it', () => {
    expect(schedulerId).toEqual(expect.any(String));
  });

  it('no escalation path: the scheduler role is protected like the playbook roles, the one PassRole accepted', () => {
    // The roles of this one region's deployment, and its scheduler role: every IAM write on it is denied but the PassRole.
    const targets = TARGETS.filter((t) => !REGIONS.some((r) => r !== REGION && t.endsWith(`-${r}`)));
    const audit: AuditOptions = { ...AUDIT, protectedPrincipals: [...targets, `arn:aws:iam::${SECURITY}:role/${schedulerName}`], passableRole };
    for (const [roleId, statements] of roles) expect({ roleId, findings: auditRole(statements, audit) }).toEqual({ roleId, findings: [] });
  });

  it('only the acting playbook roles may pass a role at all; without the accepted one, exactly their PassRole is found', () => {
    expect(passers).toEqual(playbookRoleIds.filter((id) => ACTING_ROLE_ID.test(id)).sort());
    expect(passers).toHaveLength(ACTING_PLAYBOOKS.length);
    for (const id of passers) {
      const found = auditRole(roles.get(id)!, AUDIT).filter((f) => f.rule === 'pass-role');
      expect(found.map((f) => f.detail)).toEqual([passableRole.resource]);
    }
  });

  it('passes the scheduler role to EventBridge Scheduler only: to any other service, or any other role, it is denied', () => {
    for (const id of passers) {
      const statements = roles.get(id)!.map((s) => (asList(s.Resource).includes(passableRole.resource) ? { ...s, Resource: schedulerArn } : s));
      expect(decide(statements, 'iam:PassRole', schedulerArn, { 'iam:PassedToService': 'scheduler.amazonaws.com' })).toBe('allow');
      expect(decide(statements, 'iam:PassRole', schedulerArn, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('implicit-deny');
      expect(decide(statements, 'iam:PassRole', schedulerArn, {})).toBe('implicit-deny');
      expect(decide(statements, 'iam:PassRole', `arn:aws:iam::${SECURITY}:role/admin`, { 'iam:PassedToService': 'scheduler.amazonaws.com' })).toBe('implicit-deny');
    }
  });

  it('no role can widen its own power through it: none may change the scheduler role, which may only invoke the acting playbooks', () => {
    for (const [roleId, statements] of roles) {
      for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole']) {
        expect({ roleId, action, decision: decide(statements, action, schedulerArn) }).not.toEqual({ roleId, action, decision: 'allow' });
      }
    }
    // The power to change roles exists (revoking sessions): it stops at the scheduler role by an explicit Deny.
    const revoke = roles.get(passers.find((id) => id.includes('RevokeCredentials'))!)!;
    expect(decide(revoke, 'iam:PutRolePolicy', `arn:aws:iam::${SECURITY}:role/compromised-app`)).toBe('allow');
    expect(decide(revoke, 'iam:PutRolePolicy', schedulerArn)).toBe('explicit-deny');
    // What Scheduler can do with it: start the acting playbook functions, which run under their own roles.
    const scheduler = roles.get(schedulerId!)!.filter((s) => s.Effect === 'Allow');
    expect(scheduler.flatMap((s) => asList(s.Action))).toEqual(['lambda:InvokeFunction']);
    expect(scheduler.flatMap((s) => asList(s.Resource)).sort()).toEqual(
      // By the playbook each runs (ContainFunction's logical id does not repeat "Function").
      Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'))
        .filter(([, fn]) => (ACTING_PLAYBOOKS as readonly string[]).includes(String((fn as { Properties: { Environment?: { Variables?: { IR_PLAYBOOK?: unknown } } } }).Properties.Environment?.Variables?.IR_PLAYBOOK)))
        .map(([id]) => `<${id}.Arn>`)
        .sort(),
    );
  });
});

describe('the audit fails on a bad policy', () => {
  const ROLE_ARN = 'arn:aws:iam::*:role/Responder';
  const options: AuditOptions = {
    protectedPrincipals: [ROLE_ARN],
    unconditionedEc2Writes: [
      { action: 'ec2:CreateSnapshots', resource: '*', reason: 'accepted on "*" for this test only' },
      { action: 'ec2:DisassociateIamInstanceProfile', resource: 'arn:aws:ec2:*:*:instance/*', reason: 'on instances only' },
    ],
  };

  it('an IAM write on role/* without a Deny on the protected role', () => {
    const findings = auditRole([{ Sid: 'Revoke', Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::111122223333:role/*' }], options);
    expect(findings).toEqual([{ rule: 'escalation', statement: 'Revoke', detail: `iam:PutRolePolicy reaches ${ROLE_ARN} and no Deny covers it` }]);
  });

  it('but not once an unconditioned Deny covers it; a conditioned Deny does not count', () => {
    const allow: PolicyStatement = { Sid: 'Revoke', Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::111122223333:role/*' };
    const deny: PolicyStatement = { Effect: 'Deny', Action: 'iam:Put*', Resource: 'arn:aws:iam::*:role*/Responder' };
    expect(auditRole([allow, deny], options)).toEqual([]);
    expect(auditRole([allow, { ...deny, Condition: { Bool: { 'aws:ViaAWSService': 'true' } } }], options).map((f) => f.rule)).toEqual(['escalation']);
  });

  it('wildcard IAM actions, expanded against the IAM writes', () => {
    const findings = auditRole([{ Sid: 'Wide', Effect: 'Allow', Action: ['iam:*'], Resource: '*' }], options);
    expect(findings.map((f) => f.rule)).toEqual(['iam-wildcard', 'pass-role', ...Array(36).fill('escalation')]);
    expect(auditRole([{ Effect: 'Allow', Action: 'iam:Attach*', Resource: 'arn:aws:iam::1:role/Res*' }], options).map((f) => f.detail)).toEqual([
      'iam:Attach*',
      `iam:AttachRolePolicy reaches ${ROLE_ARN} and no Deny covers it`,
      `iam:AttachUserPolicy reaches ${ROLE_ARN} and no Deny covers it`,
      `iam:AttachGroupPolicy reaches ${ROLE_ARN} and no Deny covers it`,
    ]);
  });

  it('iam:PassRole other than the one accepted: another role, no condition, another service, more actions', () => {
    const accepted = { resource: 'arn:aws:iam::1:role/scheduler', service: 'scheduler.amazonaws.com' };
    const pass: PolicyStatement = { Effect: 'Allow', Action: 'iam:PassRole', Resource: accepted.resource, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } };
    const audit = { ...options, passableRole: accepted };
    expect(auditRole([pass], audit)).toEqual([]);
    expect(auditRole([{ ...pass, Resource: 'arn:aws:iam::1:role/*' }], audit).map((f) => f.rule)).toEqual(['pass-role']);
    expect(auditRole([{ ...pass, Condition: undefined }], audit).map((f) => f.rule)).toEqual(['pass-role']);
    expect(auditRole([{ ...pass, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }], audit).map((f) => f.rule)).toEqual(['pass-role']);
    expect(auditRole([{ ...pass, Condition: { StringLike: { 'iam:PassedToService': '*' } } }], audit).map((f) => f.rule)).toEqual(['pass-role']);
    expect(auditRole([{ ...pass, Action: ['iam:PassRole', 'sns:Publish'] }], audit).map((f) => f.rule)).toEqual(['pass-role']);
  });

  it('iam:PassRole to anything, NotAction, and an EC2 write on "*" without a condition (unless accepted with a reason)', () => {
    expect(auditRole([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/app' }], options).map((f) => f.rule)).toEqual(['pass-role']);
    expect(auditRole([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }], options).map((f) => f.rule)).toEqual(['not-action-or-not-resource']);
    const ec2: PolicyStatement = { Sid: 'Ec2', Effect: 'Allow', Action: ['ec2:CreateTags', 'ec2:CreateSnapshots', 'ec2:DescribeInstances'], Resource: '*' };
    expect(auditRole([ec2], options)).toEqual([{ rule: 'unconditioned-ec2-write', statement: 'Ec2', detail: 'ec2:CreateTags on *' }]);
    expect(auditRole([{ ...ec2, Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['ir:*'] } } }], options)).toEqual([]);
    // An accepted write is accepted on its resource type only, never on "*".
    const disassociate: PolicyStatement = { Sid: 'Profile', Effect: 'Allow', Action: 'ec2:DisassociateIamInstanceProfile', Resource: 'arn:aws:ec2:*:1:instance/*' };
    expect(auditRole([disassociate], options)).toEqual([]);
    expect(auditRole([{ ...disassociate, Resource: '*' }], options)).toEqual([
      { rule: 'unconditioned-ec2-write', statement: 'Profile', detail: 'ec2:DisassociateIamInstanceProfile on *' },
    ]);
  });

  it('glob intersection: a role/* resource reaches a named role; role/app* does not reach role/Responder', () => {
    const named = 'arn:aws:iam::111122223333:role/Responder';
    expect(globsIntersect('arn:aws:iam::111122223333:role/*', named)).toBe(true);
    expect(globsIntersect('arn:aws:iam::111122223333:role/app*', named)).toBe(false);
    expect(globsIntersect('arn:aws:iam::111122223333:user/*', named)).toBe(false);
    // IAM's * also spans ":" and "/": with a wildcard account the target reaches further than it reads, and the audit counts that.
    expect(globsIntersect('arn:aws:iam::111122223333:role/app*', ROLE_ARN)).toBe(true);
  });
});
