import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { requiredIamActions } from '../../lambda/playbooks/registry';
import { synthesize } from './support/synth';
import { asList, evaluate, props, resourcesOfType, roleIdOf, statementsOfRole } from './support/template-queries';
import { flatten } from './support/policy-evaluator';
import { readLambdaEnvironment } from '../../lambda/runtime/environment';
import { approvalSchedulerRoleNames, responderRoleNames } from '../../lib/naming';

const ALL_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1',
  'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1',
];

type FunctionResource = { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } };

/** The role names the playbook's Lambda runtime reads from its environment (lambda/runtime/environment.ts). */
function protectedRoleNamesOf(variables: Record<string, unknown>): readonly string[] {
  return readLambdaEnvironment({ IR_PLAYBOOK: variables.IR_PLAYBOOK as string, IR_RESPONDER_ROLES: variables.IR_RESPONDER_ROLES as string }).protectedRoleNames;
}

/** The playbooks' functions of a template (the owed Security Hub note writer revokes nothing: it has no IR_PLAYBOOK). */
function playbookFunctionsOf(template: unknown): FunctionResource[] {
  return Object.values((template as { Resources: Record<string, FunctionResource> }).Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.IR_PLAYBOOK !== undefined,
  );
}

const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::AccountId': '999988887777', 'AWS::Region': 'eu-central-1' };

describe('regions', () => {
  it('without regions: the one environment-agnostic GuardDutyIncidentResponse stack', () => {
    const synth = synthesize();
    expect(synth.assembly.stacks.map((s) => s.stackName)).toEqual(['GuardDutyIncidentResponse']);
    expect(synth.stack.resolve(synth.stack.region)).toEqual({ Ref: 'AWS::Region' });
  });

  it('one security stack per configured region, <name>-<region>, in that region, roles named <name>-<playbook>-<region>', () => {
    const synth = synthesize({ context: { incidentResponse: { regions: ['eu-west-1', 'us-east-1'] } } });
    expect(synth.assembly.stacks.map((s) => [s.stackName, s.environment.region])).toEqual([
      ['GuardDutyIncidentResponse-eu-west-1', 'eu-west-1'],
      ['GuardDutyIncidentResponse-us-east-1', 'us-east-1'],
    ]);
    for (const stack of synth.stacks) {
      const template = synth.assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Type: string; Properties?: { RoleName?: string } }> };
      const roles = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
      const names = roles.map((r) => r.Properties?.RoleName).filter((name) => name !== undefined).sort();
      expect(names).toEqual([...PLAYBOOK_NAMES].sort().map((p) => `GuardDutyIncidentResponse-${p}-${stack.region}`));
      // The owed Security Hub note writer's role is no playbook's: no member account trusts it, so it needs no fixed name.
      expect(roles).toHaveLength(names.length + 1);
    }
  });

  it("protects the playbook roles of every region in each region's functions: IAM is global", () => {
    const synth = synthesize({ context: { incidentResponse: { regions: ['eu-west-1', 'us-east-1'] } } });
    const everyRole = ['eu-west-1', 'us-east-1'].flatMap((region) =>
      PLAYBOOK_NAMES.map((p) => `GuardDutyIncidentResponse-${p}-${region}`),
    );
    for (const stack of synth.stacks) {
      const functions = playbookFunctionsOf(synth.assembly.getStackArtifact(stack.artifactId).template);
      expect(functions).toHaveLength(PLAYBOOK_NAMES.length);
      for (const fn of functions) {
        const variables = fn.Properties!.Environment!.Variables!;
        expect(JSON.parse(variables.IR_RESPONDER_ROLES as string)).toEqual({ prefix: 'GuardDutyIncidentResponse', regions: ['eu-west-1', 'us-east-1'], scheduler: false });
        expect(variables.IR_PROTECTED_ROLE_NAMES).toBeUndefined();
        expect(protectedRoleNamesOf(variables)).toEqual(everyRole);
      }
    }
  });
});

describe('every region of the commercial partition, every feature on', () => {
  const PREFIX = 'GuardDutyIncidentResponse';
  const SLACK = { workspaceId: 'T0123ABCDEF', channelId: 'C0456GHIJKL' };
  const CONFIG = {
    securityAccountId: '111122223333',
    regions: ALL_REGIONS,
    approval: { escalationEmails: ['lead@example.com', 'second-lead@example.com'] },
    chat: { slack: SLACK },
    blastRadius: { homeRegion: 'us-east-1' },
    codeSigning: { signingProfileVersionArns: ['arn:aws:signer:us-east-1:111122223333:/signing-profiles/IncidentResponse/a1b2c3d4e5'] },
    credentials: { protectedPrincipals: Array.from({ length: 10 }, (_, i) => `arn:aws:iam::111122223333:role/break-glass-${i}`) },
    notificationEmails: ['security@example.com'],
  };
  const synth = synthesize({ context: { incidentResponse: CONFIG } });
  const templates = synth.stacks.map((stack) => ({ stack, template: synth.assembly.getStackArtifact(stack.artifactId).template }));

  it('is 18 stacks', () => {
    expect(templates).toHaveLength(ALL_REGIONS.length);
  });

  it('hands every playbook the description of its roles, which expands to exactly the names the stacks give their roles', () => {
    // What the stacks name their roles: every playbook role and scheduler role of every region.
    const named = templates.flatMap(({ template }) =>
      Object.values((template as { Resources: Record<string, { Type: string; Properties?: { RoleName?: unknown } }> }).Resources)
        .filter((r) => r.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string')
        .map((r) => r.Properties!.RoleName as string),
    );
    expect(named).toHaveLength((PLAYBOOK_NAMES.length + 1) * ALL_REGIONS.length);
    // What the stack computed and handed over as names before (IR_PROTECTED_ROLE_NAMES), in that order.
    const before = [...responderRoleNames(PREFIX, ALL_REGIONS), ...approvalSchedulerRoleNames(PREFIX, ALL_REGIONS)];
    expect([...before].sort()).toEqual([...named].sort());
    for (const { template } of templates) {
      for (const fn of playbookFunctionsOf(template)) {
        expect(protectedRoleNamesOf(fn.Properties!.Environment!.Variables!)).toEqual(before);
      }
    }
  });

  it("keeps the whole environment of every playbook function under Lambda's 4 KB, with every reference at a generous length", () => {
    // Lambda: the keys and values of a function's environment variables may take 4 KB in all.
    const LAMBDA_ENVIRONMENT_LIMIT = 4_096;
    const before = [...responderRoleNames(PREFIX, ALL_REGIONS), ...approvalSchedulerRoleNames(PREFIX, ALL_REGIONS)];
    for (const { stack, template } of templates) {
      const pseudo = { 'AWS::Partition': 'aws-us-gov', 'AWS::AccountId': '111122223333', 'AWS::Region': stack.region, 'AWS::URLSuffix': 'amazonaws.com' };
      // A reference to a resource of the stack (a topic's ARN, a table's name) counted as 128 characters: more than any of them takes.
      const bytesOf = (variables: Record<string, unknown>) =>
        Object.entries(variables)
          .map(([key, value]) => Buffer.byteLength(key, 'utf8') + Buffer.byteLength(flatten(value, pseudo).replace(/<[^>]+>/g, 'x'.repeat(128)), 'utf8'))
          .reduce((a, b) => a + b, 0);
      for (const fn of playbookFunctionsOf(template)) {
        const variables = fn.Properties!.Environment!.Variables!;
        const where = { region: stack.region, playbook: variables.IR_PLAYBOOK };
        const bytes = bytesOf(variables);
        expect({ ...where, fits: bytes <= LAMBDA_ENVIRONMENT_LIMIT, bytes }).toEqual({ ...where, fits: true, bytes });
        // The measure can fail: the names themselves, as the stack handed them before, would not fit.
        const { IR_RESPONDER_ROLES: _description, ...others } = variables;
        expect(bytesOf({ ...others, IR_PROTECTED_ROLE_NAMES: before.join(',') })).toBeGreaterThan(LAMBDA_ENVIRONMENT_LIMIT);
      }
    }
  });
});

describe('assuming the member role', () => {
  it('is allowed to contain-instance and revoke-credentials, on the member role in any account, and not to notify', () => {
    const synth = synthesize();
    expect(requiredIamActions('notify')).not.toContain('sts:AssumeRole');
    for (const playbook of ['contain-instance', 'revoke-credentials'] as const) {
      const granting = statementsOfRole(synth.template, roleIdOf(synth.template, playbook)).filter((s) => asList(s.Action).includes('sts:AssumeRole'));
      expect(granting.map((s) => [asList(s.Action), evaluate(s.Resource, PSEUDO)])).toEqual([[['sts:AssumeRole'], 'arn:aws:iam::*:role/IncidentResponseMemberRole']]);
    }
    const notify = statementsOfRole(synth.template, roleIdOf(synth.template, 'notify'));
    expect(notify.flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('sts:'))).toEqual([]);
  });

  it('is narrowed to the allowed accounts, less the excluded ones, under the configured role name', () => {
    const synth = synthesize({ context: { incidentResponse: { memberRoleName: 'IrMember', accounts: { allow: ['111122223333', '444455556666'], exclude: ['444455556666'] } } } });
    const granting = statementsOfRole(synth.template, roleIdOf(synth.template, 'contain-instance')).filter((s) => asList(s.Action).includes('sts:AssumeRole'));
    expect(granting.flatMap((s) => asList(s.Resource)).map((r) => evaluate(r, PSEUDO))).toEqual(['arn:aws:iam::111122223333:role/IrMember']);
  });

  it('hands memberRoleName and accounts to the Lambdas', () => {
    const synth = synthesize({ context: { incidentResponse: { memberRoleName: 'IrMember', accounts: { exclude: ['444455556666'] } } } });
    const fn = Object.values(resourcesOfType(synth.template, 'AWS::Lambda::Function')).find(
      (f) => (props(f).Environment as { Variables: Record<string, unknown> }).Variables.IR_PLAYBOOK === 'contain-instance',
    )!;
    const runtime = JSON.parse((props(fn).Environment as { Variables: { IR_RUNTIME_CONFIG: string } }).Variables.IR_RUNTIME_CONFIG);
    expect(runtime).toMatchObject({ memberRoleName: 'IrMember', accounts: { exclude: ['444455556666'] } });
  });
});
