import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { ledgerOptionsFor } from '../../../lambda/runtime/ledger-options';

/* blastRadius.homeRegion: the brake is reserved in the shared table of the home region; the ledger stays the region's own. */

const dynamodb = mockClient(DynamoDBClient);
const access = new AccountAccess({
  home: async () => ({ accountId: '111111111111', partition: 'aws' }),
  memberRoleName: 'IncidentResponseMemberRole',
  clientClasses: EVERY_CLIENT,
  base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
});
const regionOf = (client: unknown) => (client as { config: { region: () => Promise<string> } }).config.region();

function optionsFor(homeRegion: string | undefined, brakeTableName: string | undefined) {
  return ledgerOptionsFor({
    tableName: 'ledger-us-east-1',
    region: 'us-east-1',
    access,
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', blastRadius: { maxContainmentsPerHour: 2, ...(homeRegion ? { homeRegion } : {}) } },
    dryRunRequested: false,
    context: { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f', getRemainingTimeInMillis: () => 50_000 },
    playbook: 'contain-instance',
    brakeTableName,
  });
}

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: {} });
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});

describe('a shared brake', () => {
  it('reserves in the home region’s brake table; the incident is claimed in the region’s own ledger', async () => {
    const options = optionsFor('eu-west-1', 'GuardDutyIncidentResponse-blast-radius-brake')!;
    expect(options.brake.tableName).toBe('GuardDutyIncidentResponse-blast-radius-brake');
    expect(options.ledger.tableName).toBe('ledger-us-east-1');
    await options.brake.reserve({ incidentId: 'ir-1', findingId: 'f-1', playbook: 'contain-instance' });
    const put = dynamodb.commandCalls(PutItemCommand)[0]!;
    expect(put.args[0].input.TableName).toBe('GuardDutyIncidentResponse-blast-radius-brake');
    expect(await regionOf(put.thisValue)).toBe('eu-west-1');
    expect(Object.keys(dynamodb.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems!)).toEqual(['GuardDutyIncidentResponse-blast-radius-brake']);
  });

  it('without blastRadius.homeRegion: the brake is in the region’s ledger table', async () => {
    const options = optionsFor(undefined, undefined)!;
    expect(options.brake.tableName).toBe('ledger-us-east-1');
    await options.brake.reserve({ incidentId: 'ir-1', findingId: 'f-1', playbook: 'contain-instance' });
    expect(await regionOf(dynamodb.commandCalls(PutItemCommand)[0]!.thisValue)).toBe('us-east-1');
  });

  it.each([
    ['a home region without the table', 'eu-west-1', undefined],
    ['a table without a home region', undefined, 'GuardDutyIncidentResponse-blast-radius-brake'],
  ])('%s cannot be located: refused loudly, never a per-region brake unnoticed', (_label, home, table) => {
    expect(() => optionsFor(home, table)).toThrow('IR_BRAKE_TABLE and blastRadius.homeRegion go together: the shared brake cannot be located');
  });
});
