import { ConfigError, parseConfig } from '../../lambda/config/schema';
import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { APPROVAL_SCHEDULER_ROLE_PART } from '../../lambda/iam/responder-role-names';
import { approvalSchedulerRoleNames, responderRoleNames } from '../../lib/naming';
import { errorOf } from '../support/errors';
import { asList as resourcesOf, decide, flatten, flattenStatement, globMatches } from './support/policy-evaluator';
import { synthesize } from './support/synth';
import { asList, props, resourcesOfType, roleIdOf, statementsOfRole, type Json } from './support/template-queries';

/*
 * The configuration behind the guardrails (credentials.protectedPrincipals,
 * codeSigning), the Deny statements as synthesised, and IAM's size limit on
 * a role's inline policies with every region configured.
 */

const SECURITY = '111122223333';
const PREFIX = 'GuardDutyIncidentResponse';
const ALL_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1',
];
const SIGNING_VERSION = 'arn:aws:signer:eu-west-1:111122223333:/signing-profiles/IncidentResponse/a1b2c3d4e5';

describe('configuration', () => {
  it('accepts protected principals as role or user ARNs, "*" allowed for the account or in the name', () => {
    const principals = ['arn:aws:iam::*:role/BreakGlass*', 'arn:aws:iam::111122223333:user/break-glass', 'arn:aws:iam::111122223333:role/Admin'];
    expect(parseConfig({ credentials: { protectedPrincipals: principals } }, 'test').credentials).toEqual({ exemptPrincipals: [], protectedPrincipals: principals });
    expect(parseConfig({}, 'test').credentials).toEqual({ exemptPrincipals: [], protectedPrincipals: [] });
  });

  it.each([
    ['BreakGlass'],
    ['arn:aws:iam::111122223333:group/admins'],
    ['arn:aws:iam::12345:role/x'],
    ['arn:aws:sts::111122223333:assumed-role/x/y'],
    // The name alone matches under any path (the code compares names, the Deny uses role*/<name>).
    ['arn:aws:iam::111122223333:role/ops/Admin'],
  ])(
    'refuses %s as a protected principal',
    (principal) => {
      const error = errorOf(() => parseConfig({ credentials: { protectedPrincipals: [principal] } }, 'test'));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('"credentials.protectedPrincipals.0": must be an IAM role or user ARN without a path');
    },
  );

  it('takes codeSigning as a non-empty list of Signer profile version ARNs; absent by default', () => {
    expect(parseConfig({}, 'test').codeSigning).toBeUndefined();
    expect(parseConfig({ codeSigning: { signingProfileVersionArns: [SIGNING_VERSION] } }, 'test').codeSigning).toEqual({ signingProfileVersionArns: [SIGNING_VERSION] });
    expect(errorOf(() => parseConfig({ codeSigning: { signingProfileVersionArns: [] } }, 'test')).message).toContain('list at least one signing profile version');
    expect(errorOf(() => parseConfig({ codeSigning: { signingProfileVersionArns: ['arn:aws:kms:eu-west-1:111122223333:key/x'] } }, 'test')).message).toContain(
      'must be the ARN of an AWS Signer signing profile version',
    );
  });
});

describe('code signing', () => {
  it('absent: no code-signing configuration, no function names one', () => {
    const synth = synthesize();
    expect(Object.keys(resourcesOfType(synth.template, 'AWS::Lambda::CodeSigningConfig'))).toEqual([]);
    for (const fn of Object.values(resourcesOfType(synth.template, 'AWS::Lambda::Function'))) expect(props(fn).CodeSigningConfigArn).toBeUndefined();
  });

  it('present: one configuration that enforces the named profiles, attached to every playbook function', () => {
    const synth = synthesize({ context: { incidentResponse: { codeSigning: { signingProfileVersionArns: [SIGNING_VERSION] } } } });
    const configs = resourcesOfType(synth.template, 'AWS::Lambda::CodeSigningConfig');
    expect(Object.keys(configs)).toHaveLength(1);
    const [configId, config] = Object.entries(configs)[0]!;
    expect(props(config).AllowedPublishers).toEqual({ SigningProfileVersionArns: [SIGNING_VERSION] });
    expect(props(config).CodeSigningPolicies).toEqual({ UntrustedArtifactOnDeployment: 'Enforce' });
    const functions = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::Function'));
    // Every playbook's, and the owed Security Hub note writer's (lib/owed-note-delivery.ts).
    expect(functions).toHaveLength(PLAYBOOK_NAMES.length + 1);
    for (const fn of functions) expect(props(fn).CodeSigningConfigArn).toEqual({ 'Fn::GetAtt': [configId, 'CodeSigningConfigArn'] });
  });
});

describe('the Deny statements of a playbook role', () => {
  const REGIONS = ['eu-west-1', 'us-east-1'];
  const synth = synthesize({ context: { incidentResponse: { regions: REGIONS, credentials: { protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass'] } } } });

  it('deny every IAM write on every playbook role of every region, the member role, the protected principals, groups and policies', () => {
    const statements = statementsOfRole(synth.template, roleIdOf(synth.template, 'contain-instance'));
    const principals = statements.find((s) => s.Sid === 'DenyChangingResponderAndProtectedPrincipals')!;
    expect(principals.Effect).toBe('Deny');
    expect(principals.Condition).toBeUndefined();
    expect(asList(principals.Action)).toEqual(expect.arrayContaining(['iam:Put*', 'iam:Attach*', 'iam:Detach*', 'iam:Delete*', 'iam:Update*', 'iam:Create*', 'iam:Set*', 'iam:PassRole']));
    const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': SECURITY };
    expect(asList(principals.Resource as Json[]).map((r) => flatten(r, pseudo))).toEqual([
      // Every region at once, in the security account only (lib/iam/deny-statements.ts responderRoleFamilyArn).
      ...PLAYBOOK_NAMES.map((p) => `arn:aws:iam::${SECURITY}:role/GuardDutyIncidentResponse-${p}-*`),
      'arn:aws:iam::*:role*/IncidentResponseMemberRole',
      // Under any path, as the code matches it.
      'arn:aws:iam::*:role*/BreakGlass',
      'arn:aws:iam::*:group/*',
      'arn:aws:iam::*:policy/*',
    ]);
    // One policy for the stack, on every playbook role (first; answer-sequence's step policies follow it: lib/iam/managed-step-policies.ts).
    const guardrailRefs = PLAYBOOK_NAMES.map((p) => (props(resourcesOfType(synth.template, 'AWS::IAM::Role')[roleIdOf(synth.template, p)]!).ManagedPolicyArns as unknown[])[0]);
    expect(new Set(guardrailRefs.map((r) => JSON.stringify(r))).size).toBe(1);
  });
});

describe('the responder-role wildcards of an 18-region deployment with approvals', () => {
  const OTHER_ACCOUNT = '444455556666';
  const synth = synthesize({ context: { incidentResponse: { regions: ALL_REGIONS, approval: {} } } });
  // The stack's guardrail policies: every managed policy but a role's own step policies (lib/iam/managed-step-policies.ts).
  const guardrails = Object.values(resourcesOfType(synth.template, 'AWS::IAM::ManagedPolicy')).filter((p) => !/\/Role\/Steps\d+\/Resource$/.test(String(p.Metadata?.['aws:cdk:path'])));
  const statements = (props(guardrails[0]!).PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.map((s) =>
    flattenStatement(s, { 'AWS::Partition': 'aws', 'AWS::AccountId': SECURITY, 'AWS::Region': 'eu-west-1' }),
  );
  const arn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
  const playbookRoles = responderRoleNames(PREFIX, ALL_REGIONS);
  const schedulerRoles = approvalSchedulerRoleNames(PREFIX, ALL_REGIONS);

  it('is one guardrail policy', () => {
    expect(guardrails).toHaveLength(1);
  });

  it('deny every IAM write on every playbook role of every region, and on every scheduler role but passing it', () => {
    expect(playbookRoles).toHaveLength(PLAYBOOK_NAMES.length * 18);
    for (const name of playbookRoles) {
      for (const action of ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:PassRole']) {
        expect({ name, action, decision: decide(statements, action, arn(SECURITY, name)) }).toEqual({ name, action, decision: 'explicit-deny' });
      }
    }
    for (const name of schedulerRoles) {
      expect({ name, decision: decide(statements, 'iam:PutRolePolicy', arn(SECURITY, name)) }).toEqual({ name, decision: 'explicit-deny' });
      expect({ name, decision: decide(statements, 'iam:UpdateAssumeRolePolicy', arn(SECURITY, name)) }).toEqual({ name, decision: 'explicit-deny' });
      // The approval wait passes it to EventBridge Scheduler: not denied here (the role's own Allow confines it).
      expect({ name, decision: decide(statements, 'iam:PassRole', arn(SECURITY, name)) }).toEqual({ name, decision: 'implicit-deny' });
    }
  });

  it('match exactly the names the deployment makes, by IAM wildcard semantics', () => {
    const patterns = statements.flatMap((s) => resourcesOf(s.Resource)).filter((r) => r.startsWith(`arn:aws:iam::${SECURITY}:`));
    expect(patterns).toHaveLength(PLAYBOOK_NAMES.length + 1);
    for (const name of [...playbookRoles, ...schedulerRoles]) {
      expect({ name, matched: patterns.filter((pattern) => globMatches(pattern, arn(SECURITY, name))).length }).toEqual({ name, matched: 1 });
    }
  });

  it('leave alone a role of another account under the same name: it is not ours', () => {
    for (const name of [...playbookRoles, ...schedulerRoles]) {
      expect({ name, decision: decide(statements, 'iam:PutRolePolicy', arn(OTHER_ACCOUNT, name)) }).toEqual({ name, decision: 'implicit-deny' });
    }
  });

  it('leave alone another deployment whose name starts with ours, and the unnamed roles of the stack', () => {
    const others = [
      ...responderRoleNames(`${PREFIX}2`, ['us-east-1']),
      ...responderRoleNames(`${PREFIX}-staging`, ['us-east-1']),
      ...approvalSchedulerRoleNames(`${PREFIX}-staging`, ['us-east-1']),
      `${PREFIX}-us-east-1-OwedSecurityHubNotesWriterRoleA1B2C3-0123456789AB`,
      `${PREFIX}Member-MemberRole`,
    ];
    for (const name of others) {
      expect({ name, decision: decide(statements, 'iam:PutRolePolicy', arn(SECURITY, name)) }).toEqual({ name, decision: 'implicit-deny' });
    }
  });

  it('the scheduler role family is no playbook’s: no playbook name starts with it or ends in a part of it', () => {
    for (const playbook of PLAYBOOK_NAMES) {
      expect(`${APPROVAL_SCHEDULER_ROLE_PART}-`.startsWith(`${playbook}-`)).toBe(false);
      expect(`${playbook}-`.startsWith(`${APPROVAL_SCHEDULER_ROLE_PART}-`)).toBe(false);
    }
  });
});

describe("a role's inline policies", () => {
  // IAM: the inline policies of one role may hold at most 10,240 characters (whitespace not counted).
  const IAM_INLINE_LIMIT = 10_240;
  const protectedPrincipals = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::111122223333:role/break-glass-${i}`);

  // A customer managed policy may hold at most 6,144.
  const IAM_MANAGED_LIMIT = 6_144;

  it('fit IAM’s limits with every commercial region and ten protected principals', () => {
    const synth = synthesize({ context: { incidentResponse: { regions: ALL_REGIONS, credentials: { protectedPrincipals } } } });
    const template = synth.assembly.getStackArtifact(synth.stack.artifactId).template as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> };
    const pseudo = { 'AWS::Partition': 'aws-us-gov', 'AWS::AccountId': '111122223333', 'AWS::Region': 'ap-southeast-2' };
    const resolve = (value: Json): Json => {
      if (Array.isArray(value)) return value.map(resolve);
      if (value && typeof value === 'object') {
        const object = value as Record<string, Json>;
        if ('Fn::Join' in object || 'Ref' in object || 'Fn::GetAtt' in object) return flatten(object, pseudo).replace(/<[^>]+>/g, 'x'.repeat(90));
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v)]));
      }
      return value;
    };
    for (const [id, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
      const documents = (resource.Properties.Policies as { PolicyDocument: Json }[]).map((p) => JSON.stringify(resolve(p.PolicyDocument)));
      const size = documents.join('').replace(/\s/g, '').length;
      expect({ id, fits: size <= IAM_INLINE_LIMIT, size }).toEqual({ id, fits: true, size });
    }
    for (const [id, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')) {
      const size = JSON.stringify(resolve(resource.Properties.PolicyDocument)).replace(/\s/g, '').length;
      expect({ id, fits: size <= IAM_MANAGED_LIMIT, size }).toEqual({ id, fits: true, size });
    }
  });
});
