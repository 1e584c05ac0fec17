import type { LatencyProxy, ProxiedRequest } from '../../bench/latency-proxy';
import { EMULATOR_REGION } from '../../emulator/clients';
import { ResourceIncidents } from '../../lambda/ledger/resource-incidents';
import { runIr } from '../support/run-ir';
import type { EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { LEDGER_TABLE, startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';

/*
 * The brake's conditional writes through the fault-injecting proxy
 * (bench/latency-proxy.ts) in front of the emulator, with the handler's own
 * SDK retries: the write lands, the connection drops before its answer, the
 * SDK retries, and the retry fails its condition against that first write.
 * The brake must read it as its own (moto answers ALL_OLD): exactly one slot,
 * one latch engagement, one announcement.
 */

const LIMIT = 2;
let incidentOfA: string;

let bench: ProxiedHandlerBench;
let account: EmulatedAccount;
let proxy: LatencyProxy;

const invoke = (event: unknown) => bench.invoke(event, { config: { blastRadius: { maxContainmentsPerHour: LIMIT } } });
const item = (pk: string) => bench.item(pk);
const isPutItem = (request: ProxiedRequest) => request.operation === 'DynamoDB_20120810.PutItem';
const putItems = () => proxy.calls.filter(isPutItem);

beforeAll(async () => {
  bench = await startProxiedHandlerBench();
  ({ account, proxy } = bench);
});

afterAll(() => bench?.close());

afterEach(() => proxy.clearFaults());

describe('a brake write whose answer is lost after it landed', () => {
  it('slot: the retry finds its own reservation; one slot is taken, and the instance is contained', async () => {
    const seededGroups = groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId));
    // The response's first PutItem is its slot reservation (the ledger's claim and outcome are UpdateItem calls).
    proxy.addFault({ kind: 'lost-answer', matches: isPutItem, times: 1 });
    proxy.clear();
    const report = await invoke(instanceFindingEvent(account.seed, account.seed.instanceA));
    incidentOfA = report.incidentId;

    expect(putItems().map((c) => [c.fault, c.status])).toEqual([
      ['lost-answer', 200],
      // The SDK's retry, refused by its condition against the first write.
      [undefined, 400],
    ]);
    expect(report.blockedBy).toEqual([]);
    expect(report.summary.failed).toBe(0);
    const slots = await Promise.all([item('brake#slot#000'), item('brake#slot#001')]);
    const held = slots.filter((slot) => slot !== undefined);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ incidentId: { S: report.incidentId }, playbook: { S: 'contain-instance' } });
    expect(groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId))).not.toEqual(seededGroups);
    expect((await bench.inbox()).map((n) => n.subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR DONE\] contain-instance/)]);
  });

  it('latch: with the brake full, the retried latch put is this engagement: announced once, by this response', async () => {
    // The second slot of the hour goes to instance B; the third containment finds the brake full. One incident per
    // resource: a new finding about A would join A's incident, so A's incident is closed first (as `ir release` does),
    // and the new finding opens a new incident that needs a slot of its own.
    expect((await invoke(instanceFindingEvent(account.seed, account.seed.instanceB))).blockedBy).toEqual([]);
    await bench.inbox();
    await new ResourceIncidents(bench.dynamodb, LEDGER_TABLE).close(incidentOfA);
    proxy.addFault({ kind: 'lost-answer', matches: isPutItem, times: 1 });
    proxy.clear();
    const report = await invoke(instanceFindingEvent(account.seed, account.seed.instanceA, {}));

    expect(report.blockedBy).toEqual(['blast-radius-brake']);
    expect(putItems().map((c) => [c.fault, c.status])).toEqual([
      ['lost-answer', 200],
      [undefined, 400],
    ]);
    expect(report.guards.find((g) => g.id === 'blast-radius-brake')!.reason).toContain('This response engaged it.');
    expect(await item('brake#latch')).toMatchObject({ incidentId: { S: report.incidentId } });
    expect((await bench.inbox()).map((n) => n.subject).sort()).toEqual([
      // The engaging finding's severity and instance follow what the brake stops (lambda/notify/brake-announcement.ts).
      expect.stringMatching(new RegExp(`^\\[GuardDuty IR BRAKE LATCHED\\] no more containments in ${EMULATOR_REGION}: (LOW|MEDIUM|HIGH|CRITICAL) \\d+\\.\\d+ i-`)),
      expect.stringMatching(/^\[GuardDuty IR BRAKE ON - NOT CONTAINED\] contain-instance/),
    ]);
  });

  it('release: `ir brake release` whose transaction answer was lost is released once, recorded once, announced once', async () => {
    const latch = await item('brake#latch');
    expect(latch).toBeDefined();
    const isTransaction = (request: ProxiedRequest) => request.operation === 'DynamoDB_20120810.TransactWriteItems';
    proxy.addFault({ kind: 'lost-answer', matches: isTransaction, times: 1 });
    proxy.clear();
    process.env.NO_COLOR = '1';
    const run = await runIr(
      'brake', 'release', '--reason', 'burst of test findings, checked',
      '--region', EMULATOR_REGION, '--endpoint-url', proxy.endpoint, '--table', LEDGER_TABLE, '--topic-arn', account.seed.notifications.topicArn,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(proxy.calls.filter(isTransaction).map((c) => c.fault)).toEqual(['lost-answer', undefined]);
    expect(await item('brake#latch')).toBeUndefined();
    expect(await item(`brake#release#${latch!.engagementId!.S}`)).toMatchObject({ reason: { S: 'burst of test findings, checked' } });
    expect((await bench.inbox()).map((n) => n.subject)).toEqual([
      `[GuardDuty IR BRAKE RELEASED] containments resume in ${EMULATOR_REGION}`,
    ]);
  });
});
