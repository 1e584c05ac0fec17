import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startLatencyProxy, type LatencyProxy, type ProxiedRequest } from '../../bench/latency-proxy';
import { createAwsClients, sdkClientConfig } from '../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../lambda/aws/every-client';
import { EMULATOR_CONFIG_OVERRIDES } from '../../emulator/runtime-config';
import { EMULATOR_REGION, emulatorClientOptions } from '../../emulator/clients';
import { DEFAULT_RUNTIME_CONFIG } from '../../lambda/config/schema';
import { instanceRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import type { Report } from '../../lambda/plan/document';
import { releaseInstance } from '../../lambda/release/release';
import type { LambdaEnvironment } from '../../lambda/runtime/environment';
import { handleAs } from '../support/playbook-entries';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { failedSteps } from './support/run-playbook';

/*
 * The restore record's writes through the fault-injecting proxy
 * (bench/latency-proxy.ts) in front of the emulator, with the SDK's own
 * retries: the write lands, the connection drops before its answer, the SDK
 * sends it again. The record's write is idempotent (each original written
 * only where none is), so the retry succeeds and the response goes on, once;
 * the release's write is conditional, and its retry recognises its own first
 * write by the token it carries.
 */

const TABLE = 'incident-ledger';

let account: EmulatedAccount;
let proxy: LatencyProxy;
let dynamodb: DynamoDBClient;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

function env(): LambdaEnvironment {
  return {
    playbook: 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, mode: 'enforce' },
    topicArn: account.seed.notifications.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: TABLE,
  };
}

const context = () => ({ invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${account.seed.accountId}:function:ir`, getRemainingTimeInMillis: () => 50_000 });
const invoke = async (event: unknown) => (await handleAs(event, context(), env())) as Report;
const key = () => instanceRestoreKey(account.seed.accountId, account.seed.region, account.seed.instanceA.instanceId);
const item = async () => (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key() } }, ConsistentRead: true }))).Item;
const isRestoreWrite = (request: ProxiedRequest) => request.operation === 'DynamoDB_20120810.UpdateItem' && (request.params.pk ?? '').startsWith('restore#');

beforeAll(async () => {
  account = await freshSeededAccount();
  proxy = await startLatencyProxy({ target: account.endpoint, latencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  dynamodb = new DynamoDBClient(sdkClientConfig(emulatorClientOptions(account.endpoint)));
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  await proxy.close();
});

afterEach(() => proxy.clearFaults());

describe('a restore-record write whose answer is lost after it landed', () => {
  it('is retried by the SDK and succeeds: the response goes on, isolates once, and the record holds the originals', async () => {
    const { instanceA } = account.seed;
    proxy.addFault({ kind: 'lost-answer', matches: isRestoreWrite, times: 1 });
    proxy.clear();
    const report = await invoke(instanceFindingEvent(account.seed, instanceA));

    const writes = proxy.calls.filter(isRestoreWrite);
    // The network record (lost, then its retry), then the containment record.
    expect(writes.map((c) => [c.fault, c.status])).toEqual([
      ['lost-answer', 200],
      [undefined, 200],
      [undefined, 200],
    ]);
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:network')?.status).toBe('done');
    // Each ENI moved, and never twice to the same groups (through the untrack group or straight to isolation, as the
    // time left decides): nothing was done twice.
    const moves = proxy.calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute').map((c) => `${c.params.NetworkInterfaceId} -> ${c.params['SecurityGroupId.1']}`);
    expect(new Set(moves).size).toBe(moves.length);
    expect(new Set(moves.map((m) => m.split(' ->')[0])).size).toBe(instanceA.networkInterfaces.length);
    expect(groupsByEni(await describeInstance(account.clients.ec2, instanceA.instanceId))).not.toEqual(
      Object.fromEntries(instanceA.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()])),
    );
    const record = await item();
    for (const eni of instanceA.networkInterfaces) {
      expect((record?.[`sgs:${eni.networkInterfaceId}`]?.L ?? []).map((g) => g.S).sort()).toEqual([...eni.groupIds].sort());
    }
    expect(record?.instanceProfileArn?.S).toBe(instanceA.instanceProfileArn);
    // Three writes landed (the retry counts once more): harmless, a release compares the revision it read.
    expect(record?.revision?.N).toBe('3');
  });

  it('the release\'s write, its answer lost: the retry finds its own release, recorded once, and the release succeeds', async () => {
    const { instanceA } = account.seed;
    const clients = createAwsClients({ ...emulatorClientOptions(proxy.endpoint), maxAttempts: 3 }, EVERY_CLIENT);
    proxy.addFault({ kind: 'lost-answer', matches: isRestoreWrite, times: 1 });
    proxy.clear();
    const released = await releaseInstance(instanceA.instanceId, { clients, region: account.seed.region, dryRun: false, ledger: new RestoreLedger(clients.dynamodb, TABLE) });

    expect(proxy.calls.filter(isRestoreWrite).map((c) => [c.fault, c.status])).toEqual([
      ['lost-answer', 200],
      // The SDK's retry, refused by its condition against the first write; ALL_OLD carries this release's token.
      [undefined, 400],
    ]);
    expect(released.ledger).toMatchObject({ status: 'recorded', closed: true });
    expect(released.summary.failed).toBe(0);
    const record = await item();
    expect(record?.closedAt?.S).toEqual(expect.any(String));
    expect(record?.revision?.N).toBe('4');
  });
});
