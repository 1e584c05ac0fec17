import type { LatencyProxy, ProxiedRequest } from '../../bench/latency-proxy';
import { emulatorClientOptions } from '../../emulator/clients';
import { createAwsClients } from '../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../lambda/aws/every-client';
import { instanceRestoreKey, RestoreLedger } from '../../lambda/ledger/restore-record';
import { releaseInstance } from '../../lambda/release/release';
import type { EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { LEDGER_TABLE, startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';
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

let bench: ProxiedHandlerBench;
let account: EmulatedAccount;
let proxy: LatencyProxy;

const invoke = (event: unknown) => bench.invoke(event);
const item = () => bench.item(instanceRestoreKey(account.seed.accountId, account.seed.region, account.seed.instanceA.instanceId));
const isRestoreWrite = (request: ProxiedRequest) => request.operation === 'DynamoDB_20120810.UpdateItem' && (request.params.pk ?? '').startsWith('restore#');

beforeAll(async () => {
  bench = await startProxiedHandlerBench();
  ({ account, proxy } = bench);
});

afterAll(() => bench?.close());

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
    const released = await releaseInstance(instanceA.instanceId, { clients, region: account.seed.region, dryRun: false, ledger: new RestoreLedger(clients.dynamodb, LEDGER_TABLE) });

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
