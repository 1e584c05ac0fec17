import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { LatencyProxy, ProxiedRequest } from '../../bench/latency-proxy';
import { incidentResourceOf } from '../../lambda/ledger/incident-resource';
import { resourceKey } from '../../lambda/ledger/resource-incidents';
import { parseFindings } from '../../lambda/finding/parse';
import { severityOf } from '../../lambda/notify/severity';
import type { Report } from '../../lambda/plan/document';
import { incidentIdOf } from '../../lambda/respond/incident-id';
import { RetryableResponseError } from '../../lambda/runtime/retry-policy';
import type { EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups, snapshotsOfVolumes } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { LEDGER_TABLE, startProxiedHandlerBench, type ProxiedHandlerBench } from './support/handler-bench';

/*
 * The ledger under AWS's faults, through the real Lambda handler and the
 * fault-injecting proxy (bench/latency-proxy.ts) in front of the emulator:
 *
 * A. instance A: the claim's write lands and its answer is lost; the SDK
 *    retries it and meets its own write. Exactly one response. Then a second
 *    finding about A (another id, another type) joins A's incident: no brake
 *    slot, no snapshot set, no isolation, one short note.
 * B. instance B: DescribeInstances is denied (lasting): nothing changes and the
 *    incident stays open. Once allowed, the next delivery acts; its outcome write
 *    is denied, so the invocation fails; Lambda's retry (same request id) takes
 *    the claim over, finds the changes done and records the answer (that
 *    write's answer is lost in turn: its SDK retry finds its own write). One
 *    snapshot set, one isolation.
 * Every assertion reads the state back from the emulator. Not visible here:
 * moto enforces no IAM rule, so the denials are the proxy's.
 */

const TABLE = LEDGER_TABLE;
const BRAKE_LIMIT = 5;

let bench: ProxiedHandlerBench;
let account: EmulatedAccount;
let proxy: LatencyProxy;

const invoke = (event: unknown, awsRequestId: string) => bench.invoke(event, { awsRequestId, config: { blastRadius: { maxContainmentsPerHour: BRAKE_LIMIT } } });
const inbox = () => bench.inbox();
const ledgerItem = (pk: string) => bench.item(pk);

async function brakeSlots(): Promise<number> {
  const { Items = [] } = await bench.dynamodb.send(new ScanCommand({ TableName: LEDGER_TABLE, ConsistentRead: true }));
  return Items.filter((item) => item.pk?.S?.startsWith('brake#slot#')).length;
}

const isUpdate = (request: ProxiedRequest, startsWith: string) =>
  request.operation === 'DynamoDB_20120810.UpdateItem' && (request.params.UpdateExpression ?? '').startsWith(startsWith);
const isClaim = (request: ProxiedRequest) => isUpdate(request, 'SET claimToken');
const isConfirmedOutcome = (request: ProxiedRequest) => isUpdate(request, 'SET findingType');
const sentTimes = (matches: (request: ProxiedRequest) => boolean) => proxy.calls.filter((call) => matches({ operation: call.operation, params: call.params })).length;

async function snapshotIdsOf(volumeIds: readonly string[]): Promise<string[]> {
  return (await snapshotsOfVolumes(account.clients.ec2, volumeIds)).map((s) => s.SnapshotId!).sort();
}

beforeAll(async () => {
  bench = await startProxiedHandlerBench();
  ({ account, proxy } = bench);
});

afterAll(() => bench?.close());

describe('A. a claim whose answer is lost after it landed, then a second finding about the same instance', () => {
  let event: ReturnType<typeof instanceFindingEvent>;
  let first: Report;
  let snapshotsAfterFirst: string[];
  let slotsAfterFirst: number;
  let firstNotes: Awaited<ReturnType<typeof inbox>>;
  let itemAfterFirst: Awaited<ReturnType<typeof ledgerItem>>;

  beforeAll(async () => {
    event = instanceFindingEvent(account.seed, account.seed.instanceA);
    proxy.clearFaults();
    proxy.addFault({ kind: 'lost-answer', matches: isClaim, times: 1 });
    first = await invoke(event, 'request-a1');
    proxy.clearFaults();
    snapshotsAfterFirst = await snapshotIdsOf(account.seed.instanceA.volumeIds);
    slotsAfterFirst = await brakeSlots();
    firstNotes = await inbox();
    itemAfterFirst = await ledgerItem(`incident#${first.incidentId}`);
  });

  it('the SDK sent the claim twice (the answer of the first was lost), and the retry was known as the same claim: one full response', async () => {
    expect(proxy.calls.filter((c) => c.fault === 'lost-answer')).toHaveLength(1);
    // The retry, the same request, failed its condition against its own write (HTTP 400) and wrote nothing: its token told it apart.
    const claims = proxy.calls.filter((c) => isClaim({ operation: c.operation, params: c.params }));
    expect(claims.map((c) => [c.fault, c.status])).toEqual([
      ['lost-answer', 200],
      [undefined, 400],
    ]);
    expect(sentTimes(isClaim)).toBe(2);
    expect(first.blockedBy).toEqual([]);
    expect(first.summary.failed).toBe(0);
    expect(first.steps.filter((s) => s.mutating && s.status === 'done').length).toBeGreaterThan(0);
    expect(first.ledger).toEqual({ table: TABLE, key: `incident#${first.incidentId}`, recorded: true });
  });

  it("the incident is A's, under the id of the finding that opened it, answered once", async () => {
    const finding = parseFindings(event)[0]!;
    expect(first.incidentId).toBe(incidentIdOf(finding));
    const item = itemAfterFirst!;
    expect(item.respondedLevel).toEqual({ N: '2' });
    expect(item.answerKind).toEqual({ S: 'changes-done' });
    expect(item.deliveries).toEqual({ N: '1' });
    expect(item.claimToken).toBeUndefined();
    const pointer = (await ledgerItem(resourceKey(incidentResourceOf(finding, 'contain-instance')!).pk!.S!))!;
    expect(pointer.incidentId).toEqual({ S: first.incidentId });
  });

  it('A is isolated, with one set of snapshots and one slot of the brake; one notification', async () => {
    const groups = groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId));
    const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
    expect(Object.values(groups).every((ids) => ids.length === 1 && ids[0] === isolation!.GroupId)).toBe(true);
    expect(snapshotsAfterFirst.length).toBe(account.seed.instanceA.volumeIds.length);
    expect(slotsAfterFirst).toBe(1);
    expect(firstNotes).toHaveLength(1);
  });

  describe('a second finding about A: another id, another type', () => {
    let joined: Report;
    let notes: Awaited<ReturnType<typeof inbox>>;

    beforeAll(async () => {
      joined = await invoke(instanceFindingEvent(account.seed, account.seed.instanceA, { id: 'f0000000000000000000000000joined', type: 'UnauthorizedAccess:EC2/MetadataDNSRebind' }), 'request-a2');
      notes = await inbox();
    });

    it('joins the incident: no brake slot, no snapshot set, no isolation move', async () => {
      expect(joined.incidentId).toBe(first.incidentId);
      expect(joined.blockedBy).toEqual(['joined-incident']);
      expect(joined.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'done']]);
      expect(await snapshotIdsOf(account.seed.instanceA.volumeIds)).toEqual(snapshotsAfterFirst);
      expect(await brakeSlots()).toBe(slotsAfterFirst);
      expect(proxy.calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute' && c.seq > 0).length).toBe(
        first.steps.filter((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute' && s.status === 'done').length,
      );
    });

    it('one short note names the new finding (type, id, severity) and the incident it joined', () => {
      expect(notes).toHaveLength(1);
      // The incident, then the severity (never shortened), then the instance (lambda/notify/note.ts).
      expect(notes[0]!.subject.startsWith(`[GuardDuty IR JOINED] ${first.incidentId}: ${severityOf(joined.severity).text} i-`)).toBe(true);
      expect(notes[0]!.message.split('\n')[0]).toMatch(new RegExp(`^Summary: new finding UnauthorizedAccess:EC2/MetadataDNSRebind about .* joined incident ${first.incidentId}; nothing new was done$`));
      expect(notes[0]!.message).toContain(`  Finding: UnauthorizedAccess:EC2/MetadataDNSRebind, severity ${severityOf(joined.severity).text}`);
      expect(notes[0]!.message).toContain('  Finding id: f0000000000000000000000000joined');
    });

    it('the ledger lists the joined finding in the incident', async () => {
      const item = (await ledgerItem(`incident#${first.incidentId}`))!;
      expect(item.findingIds?.SS?.sort()).toEqual([first.findingId, 'f0000000000000000000000000joined'].sort());
      expect(item.joinedFindings?.L?.map((entry) => entry.M?.findingId?.S)).toEqual(['f0000000000000000000000000joined']);
    });

    it('its redelivery changes nothing and says nothing new', async () => {
      const again = await invoke(instanceFindingEvent(account.seed, account.seed.instanceA, { id: 'f0000000000000000000000000joined', type: 'UnauthorizedAccess:EC2/MetadataDNSRebind' }), 'request-a3');
      expect(again.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'skipped']]);
      expect(await inbox()).toEqual([]);
      expect((await ledgerItem(`incident#${first.incidentId}`))!.joinedFindings?.L).toHaveLength(1);
    });
  });
});

describe('B. a lasting AccessDenied on a read, then a failed outcome write', () => {
  let event: ReturnType<typeof instanceFindingEvent>;
  let denied: Report;
  let itemAfterDenied: Awaited<ReturnType<typeof ledgerItem>>;
  let failure: unknown;
  let retried: Report;
  let outcomesBefore: number;

  beforeAll(async () => {
    event = instanceFindingEvent(account.seed, account.seed.instanceB);
    proxy.clearFaults();
    proxy.addFault({ kind: 'access-denied', matches: (r) => r.operation === 'DescribeInstances' });
    denied = await invoke(event, 'request-b1');
    proxy.clearFaults();
    itemAfterDenied = await ledgerItem(`incident#${denied.incidentId}`);
    await inbox();
    // The permission is fixed; the next delivery acts, and its outcome write is denied once.
    proxy.addFault({ kind: 'access-denied', matches: isConfirmedOutcome, times: 1 });
    failure = await invoke(event, 'request-b2').then(
      () => undefined,
      (error: unknown) => error,
    );
    proxy.clearFaults();
    // Lambda's retry of the failed invocation: the same request id, about a minute later (the claim's lease still runs).
    // Its own outcome write lands and the answer is lost: the SDK sends it again.
    proxy.addFault({ kind: 'lost-answer', matches: isConfirmedOutcome, times: 1 });
    outcomesBefore = proxy.calls.length;
    retried = await invoke(event, 'request-b2');
    proxy.clearFaults();
  });

  it('the denied read changed nothing, and left the incident open (no answer), without a Lambda retry', async () => {
    expect(denied.blockedBy).toContain('instance-unreadable');
    expect(denied.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    const item = itemAfterDenied!;
    expect(item.respondedLevel).toBeUndefined();
    expect(item.claimToken).toBeUndefined();
  });

  it('the delivery after the fix acted, and its failed outcome write failed the invocation, naming the ledger and the error', () => {
    expect(failure).toBeInstanceOf(RetryableResponseError);
    expect((failure as Error).message).toContain(`the outcome could not be recorded in the incident ledger ${TABLE} (pk "incident#${denied.incidentId}", AccessDeniedException)`);
  });

  it("the retry took its earlier attempt's claim over, found the changes done, and recorded the answer", async () => {
    expect(retried.incidentId).toBe(denied.incidentId);
    expect(retried.blockedBy).toEqual([]);
    expect(retried.summary.failed).toBe(0);
    expect(retried.ledger).toEqual({ table: TABLE, key: `incident#${denied.incidentId}`, recorded: true });
    const item = (await ledgerItem(`incident#${denied.incidentId}`))!;
    expect(item.respondedLevel).toEqual({ N: '2' });
    expect(item.claimToken).toBeUndefined();
  });

  it("the retry's outcome write, whose answer was lost, was sent again and found its own write (HTTP 400, nothing written twice)", () => {
    const outcomes = proxy.calls.slice(outcomesBefore).filter((c) => isConfirmedOutcome({ operation: c.operation, params: c.params }));
    expect(outcomes.map((c) => [c.fault, c.status])).toEqual([
      ['lost-answer', 200],
      [undefined, 400],
    ]);
  });

  it('B was contained once: one set of snapshots, isolated', async () => {
    expect((await snapshotIdsOf(account.seed.instanceB.volumeIds)).length).toBe(account.seed.instanceB.volumeIds.length);
    const groups = groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId));
    const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
    expect(Object.values(groups).every((ids) => ids.length === 1 && ids[0] === isolation!.GroupId)).toBe(true);
  });
});
