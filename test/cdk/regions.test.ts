import { PLAYBOOK_NAMES } from '../../lambda/routing/playbook-names';
import { requiredIamActions } from '../../lambda/playbooks/registry';
import { synthesize } from './support/synth';
import { asList, evaluate, props, resourcesOfType, roleIdOf, statementsOfRole } from './support/template-queries';

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
      const template = synth.assembly.getStackArtifact(stack.artifactId).template as {
        Resources: Record<string, { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
      };
      // The playbooks' (the owed Security Hub note writer revokes nothing).
      const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.IR_PLAYBOOK !== undefined);
      expect(functions).toHaveLength(PLAYBOOK_NAMES.length);
      for (const fn of functions) expect(fn.Properties?.Environment?.Variables?.IR_PROTECTED_ROLE_NAMES).toBe(everyRole.join(','));
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
