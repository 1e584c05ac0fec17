import { Template } from 'aws-cdk-lib/assertions';
import { BRAKE_TABLE_OUTPUT } from '../../lib/stack-outputs';
import { nagFindings } from './support/nag';
import { synthesize, type Synthesized } from './support/synth';
import { asList, environmentOf, evaluate, getAtt, props, resourcesOfType, roleIdOf, statementsOfRole } from './support/template-queries';

/*
 * blastRadius.homeRegion: every regional stack's acting playbooks reserve in
 * one brake table, created by the home region's stack under a name derived
 * from the deployment; their roles name that table's ARN for the brake's
 * actions, and their own ledger table for the ledger's, nothing else.
 */

const ACCOUNT = '999988887777';
const BRAKE_ARN = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/GuardDutyIncidentResponse-blast-radius-brake`;
const BRAKE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'];

let synth: Synthesized;
const templateOf = (region: string) => {
  const stack = synth.stacks.find((s) => s.region === region)!;
  return Template.fromJSON(synth.assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>);
};
const ledgerIdOf = (template: Template) => Object.keys(resourcesOfType(template, 'AWS::DynamoDB::Table')).find((id) => id.startsWith('IncidentLedger'))!;

beforeAll(() => {
  synth = synthesize({ nag: true, context: { incidentResponse: { regions: ['eu-west-1', 'us-east-1'], blastRadius: { homeRegion: 'eu-west-1' } } } });
});

describe('a brake shared by every regional stack', () => {
  it('is one table, in the home region’s stack only, under the deployment’s name, kept like the ledger', () => {
    const home = templateOf('eu-west-1');
    const tables = resourcesOfType(home, 'AWS::DynamoDB::Table');
    const brake = Object.entries(tables).find(([id]) => id.startsWith('SharedBrake'));
    expect(brake).toBeDefined();
    expect(props(brake![1])).toMatchObject({ TableName: 'GuardDutyIncidentResponse-blast-radius-brake', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
    expect(brake![1].DeletionPolicy).toBe('Retain');
    expect((home.toJSON().Outputs as Record<string, { Value: unknown }>)[BRAKE_TABLE_OUTPUT]!.Value).toEqual({ Ref: brake![0] });
    const other = templateOf('us-east-1');
    expect(Object.keys(resourcesOfType(other, 'AWS::DynamoDB::Table'))).toEqual([ledgerIdOf(other)]);
    expect((other.toJSON().Outputs as Record<string, unknown>)[BRAKE_TABLE_OUTPUT]).toBeUndefined();
  });

  it.each(['eu-west-1', 'us-east-1'])('in %s: the acting playbooks reserve in that table (IR_BRAKE_TABLE); their roles grant the brake on its ARN alone, the ledger on its own table', (region) => {
    const template = templateOf(region);
    const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': region };
    // The ledger: the incident (UpdateItem) and the restore record, a closed one replaced whole (PutItem); contain-instance
    // also reads its restore record back (GetItem: the instance profile an earlier response removed).
    const ledgerActions = {
      'contain-instance': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      'revoke-credentials': ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    };
    for (const playbook of ['contain-instance', 'revoke-credentials'] as const) {
      expect(environmentOf(template, playbook).IR_BRAKE_TABLE).toBe('GuardDutyIncidentResponse-blast-radius-brake');
      const granting = statementsOfRole(template, roleIdOf(template, playbook)).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
      const byResource = granting.map((s) => [asList(s.Action).sort(), typeof s.Resource === 'object' && s.Resource !== null && 'Fn::GetAtt' in s.Resource ? s.Resource : evaluate(s.Resource, pseudo)]);
      expect(byResource).toEqual(
        expect.arrayContaining([
          [BRAKE_ACTIONS, BRAKE_ARN],
          [ledgerActions[playbook], getAtt(ledgerIdOf(template))],
        ]),
      );
      expect(byResource).toHaveLength(2);
    }
    // notify never reserves (no brake actions in its role); it is told the table so its configuration is whole.
    expect(environmentOf(template, 'notify').IR_BRAKE_TABLE).toBe('GuardDutyIncidentResponse-blast-radius-brake');
    const notifyActions = statementsOfRole(template, roleIdOf(template, 'notify')).flatMap((s) => asList(s.Action));
    expect(notifyActions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:UpdateItem']);
  });

  it('passes cdk-nag in every regional stack', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('is refused when the home region is not one of the regions', () => {
    expect(() => synthesize({ context: { incidentResponse: { regions: ['us-east-1'], blastRadius: { homeRegion: 'eu-west-1' } } } })).toThrow(
      /"blastRadius.homeRegion": must be one of "regions"/,
    );
  });
});

describe('without a shared brake', () => {
  it('the brake is in the ledger table: no brake table, no IR_BRAKE_TABLE', () => {
    const single = synthesize();
    expect(Object.keys(resourcesOfType(single.template, 'AWS::DynamoDB::Table'))).toHaveLength(1);
    expect(environmentOf(single.template, 'contain-instance').IR_BRAKE_TABLE).toBeUndefined();
  });
});
