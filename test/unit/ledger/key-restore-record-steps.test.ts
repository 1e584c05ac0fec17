import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { GetUserPolicyCommand, IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import type { Report } from '../../../lambda/plan/document';
import { respond } from '../../../lambda/respond/respond';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';
import { revokeFinding, USER_KEY_FINDING } from '../../support/aws-mocks/revoke-findings';
import { givenUser, iamError } from '../../support/aws-mocks/revoke-iam';
import { givenQuietInvestigation } from '../../support/aws-mocks/revoke-investigation';

/*
 * revoke-credentials with the ledger's restore record: the key's status and
 * the revoke policy the user already had are recorded before the key is
 * deactivated; a record that cannot be written changes nothing.
 */

const KEY_ID = 'AKIA2EXAMPLEKEY00001';
const iam = mockClient(IAMClient);
const cloudTrail = mockClient(CloudTrailClient);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const guardDuty = useGuardDuty();
const order: string[] = [];

beforeEach(() => {
  order.length = 0;
  for (const mock of [iam, cloudTrail, dynamodb]) mock.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  cloudTrail.rejects(iamError('UnexpectedCall'));
  givenQuietInvestigation(iam, cloudTrail);
  givenUser(iam, { userName: 'deploy-bot', keys: [{ accessKeyId: KEY_ID, status: 'Active' }] });
  iam.on(GetUserPolicyCommand).rejects(iamError('NoSuchEntity', 'The user policy with name AWSRevokeOlderSessions cannot be found.'));
  iam.on(UpdateAccessKeyCommand).callsFake(() => (order.push('UpdateAccessKey'), {}));
  iam.on(PutUserPolicyCommand).callsFake(() => (order.push('PutUserPolicy'), {}));
  dynamodb.on(UpdateItemCommand).callsFake(() => (order.push('UpdateItem'), {}));
});
afterAll(() => [iam, cloudTrail, dynamodb].forEach((mock) => mock.restore()));

async function run(): Promise<Report> {
  const finding = revokeFinding(USER_KEY_FINDING);
  guardDuty.holds(finding);
  return respond(finding, {
    // The Security Hub note (on by default) has its own tests (test/unit/close-loop/).
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } },
    clients,
    dryRun: false,
    responder: { protectedRoleNames: [] },
    restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger-table'),
  });
}

function recorded(input: UpdateItemCommandInput): Record<string, unknown> {
  const names = input.ExpressionAttributeNames ?? {};
  return Object.fromEntries(Object.entries(names).filter(([alias]) => alias.startsWith('#f')).map(([alias, name]) => [name, input.ExpressionAttributeValues?.[`:${alias.slice(1)}`]]));
}

describe('the restore record of a credential response', () => {
  it('records the key as Active and no revoke policy before, before the key is deactivated', async () => {
    const report = await run();
    expect(order).toEqual(['UpdateItem', 'UpdateAccessKey', 'PutUserPolicy']);
    expect(iam.commandCalls(GetUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'deploy-bot', PolicyName: 'AWSRevokeOlderSessions' }]);
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: { S: `restore#222222222222#${KEY_ID}` } });
    expect(recorded(input)).toEqual({
      accessKey: { M: { userName: { S: 'deploy-bot' }, status: { S: 'Active' } } },
      'sessionPolicy:user:deploy-bot': { M: { previousDocument: { NULL: true } } },
    });
    expect(report.summary.failed).toBe(0);
  });

  it('that cannot be written deactivates nothing and revokes nothing', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const report = await run();
    expect(order).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:credentials')).toMatchObject({ status: 'failed', error: { code: 'ThrottlingException' } });
    expect(report.steps.filter((s) => s.mutating && s.id !== 'record-restore:credentials').map((s) => [s.id, s.status, s.reason])).toEqual([
      ['deactivate-access-key', 'skipped', 'needs record-restore:credentials (failed)'],
      ['revoke-user-sessions', 'skipped', 'needs record-restore:credentials (failed)'],
    ]);
  });

  it('that cannot read the revoke policy the user has writes no record and changes nothing', async () => {
    iam.on(GetUserPolicyCommand).rejects(iamError('AccessDenied', 'not authorized to perform iam:GetUserPolicy'));
    const report = await run();
    expect(dynamodb.commandCalls(UpdateItemCommand)).toEqual([]);
    expect(order).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:credentials')).toMatchObject({ status: 'failed', error: { code: 'AccessDenied' } });
  });
});
