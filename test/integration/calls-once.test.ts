import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { incidentIdOf } from '../../lambda/respond/incident-id';
import { RetryableResponseError } from '../../lambda/runtime/retry-policy';
import { TIMEOUT } from '../../lib/playbook-function';
import { snapshotsOfVolumes } from './support/ec2-state';
import { instanceFinding, instanceFindingEvent } from './support/findings';
import { startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';
import { failedSteps } from './support/run-playbook';

/*
 * Calls that must not repeat, through the real Lambda handler with its own
 * clients (5 attempts, 5 s request timeout), against the emulator behind
 * the fault-injecting proxy (bench/latency-proxy.ts): the request reaches
 * the emulator and is carried out there, and then its answer is lost (the
 * connection dropped) or comes later than the client's timeout. Every
 * assertion reads the account, the topic's subscriber inbox and the ledger
 * back from the emulator.
 */

let bench: ProxiedHandlerBench;
// The Lambda's own clients (5 attempts, 5 s request timeout) and its configured timeout.
const invoke = (event: unknown) => bench.invoke(event, { remainingMs: TIMEOUT['contain-instance'].toMilliseconds() });
const callsOf = (operation: string) => bench.proxy.calls.filter((c) => c.operation === operation);
const incident = (incidentId: string) => bench.item(`incident#${incidentId}`);

async function snapshotsTaggedFor(incidentId: string): Promise<string[]> {
  const { Snapshots = [] } = await bench.account.clients.ec2.send(
    new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:ir:incident-id', Values: [incidentId] }] }),
  );
  // Checked again here: a filter the emulator ignored must not inflate or hide the count.
  return Snapshots.filter((s) => (s.Tags ?? []).some((t) => t.Key === 'ir:incident-id' && t.Value === incidentId)).map((s) => s.SnapshotId!);
}

beforeAll(async () => {
  bench = await startProxiedHandlerBench();
});

afterAll(() => bench?.close());

beforeEach(() => {
  bench.proxy.clear();
  bench.proxy.clearFaults();
});

/** The proxy records a call once its answer has left (a held one, when the hold ends): wait for it. */
async function recorded(operation: string, count: number): Promise<void> {
  const until = Date.now() + 15_000;
  while (callsOf(operation).length < count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('a CreateSnapshots whose answer is lost after the snapshots were created', () => {
  it('is sent once, found by the incident tag, and leaves exactly one snapshot set in the account', async () => {
    const { account } = bench;
    const { instanceA } = account.seed;
    bench.proxy.addFault({ kind: 'lost-answer', matches: (r) => r.operation === 'CreateSnapshots', times: 1 });
    const report = await invoke(instanceFindingEvent(account.seed, instanceA));
    expect(callsOf('CreateSnapshots').map((c) => c.fault)).toEqual(['lost-answer']);
    expect(callsOf('DescribeSnapshots').length).toBeGreaterThanOrEqual(2);
    const snapshot = report.steps.find((s) => s.id === 'snapshot-volumes')!;
    expect(snapshot).toMatchObject({ status: 'done', detail: expect.stringContaining('the answer to CreateSnapshots was lost, ECONNRESET') });
    const tagged = await snapshotsTaggedFor(report.incidentId);
    expect(tagged).toHaveLength(instanceA.volumeIds.length);
    expect((await snapshotsOfVolumes(account.clients.ec2, instanceA.volumeIds)).map((s) => s.SnapshotId).sort()).toEqual([...tagged].sort());
    expect(failedSteps(report)).toEqual([]);
    expect(report.ledger).toMatchObject({ recorded: true });
  });
});

describe('a Publish whose answer comes later than the client timeout', () => {
  const finding = () => instanceFinding(bench.account.seed, bench.account.seed.instanceB);

  it('is published once: one message in the inbox; the ledger keeps it owed with delivery unknown and the invocation fails', async () => {
    const { account } = bench;
    const event = instanceFindingEvent(account.seed, account.seed.instanceB, { id: 'f0ce0000000000000000000000000001' });
    // Held past the 5 s request timeout (and the Publish's own 5 s limit).
    bench.proxy.addFault({ kind: 'late-answer', matches: (r) => r.operation === 'Publish', times: 1, holdMs: 6_000 });
    await expect(invoke(event)).rejects.toBeInstanceOf(RetryableResponseError);
    await recorded('Publish', 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Sent once: the SDK did not send it again after the timeout.
    expect(callsOf('Publish').map((c) => c.fault)).toEqual(['late-answer']);
    const inbox = (await bench.inbox()).filter((n) => n.message.includes('f0ce0000000000000000000000000001'));
    expect(inbox.map((n) => n.subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR DONE\] contain-instance/)]);
    const incidentId = incidentIdOf({ ...finding(), id: 'f0ce0000000000000000000000000001' });
    const item = (await incident(incidentId))!;
    expect(item.respondedLevel).toEqual({ N: '2' });
    expect(item.pendingNotification!.M!.delivery).toEqual({ S: 'unknown' });
    expect(item.pendingNotification!.M!.subject!.S).toBe(inbox[0]!.subject);
  });

  it("the Lambda retry sends only that notification, marked MAY REPEAT, acts on nothing, and clears it", async () => {
    const { account } = bench;
    const event = instanceFindingEvent(account.seed, account.seed.instanceB, { id: 'f0ce0000000000000000000000000001' });
    const snapshotsBefore = await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceB.volumeIds);
    const report = await invoke(event);
    expect(report.blockedBy).toEqual(['already-answered']);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'done']]);
    expect(callsOf('Publish')).toHaveLength(1);
    const inbox = (await bench.inbox()).filter((n) => n.message.includes('f0ce0000000000000000000000000001'));
    expect(inbox.map((n) => n.subject)).toEqual([expect.stringMatching(/^\[MAY REPEAT\] \[GuardDuty IR DONE\] contain-instance/)]);
    expect(inbox[0]!.message).toMatch(/^MAY REPEAT: /);
    expect(await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceB.volumeIds)).toEqual(snapshotsBefore);
    expect((await incident(report.incidentId))!.pendingNotification).toBeUndefined();
  });
});
