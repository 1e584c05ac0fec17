import { type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLatencyProxy, type LatencyProxy, type ProxiedRequest } from '../../bench/latency-proxy';
import type { GuardDutyFindingJson } from '../../bench/guardduty-stand-in';
import { EMULATOR_REGION } from '../../emulator/clients';
import { EMULATOR_CONFIG_OVERRIDES } from '../../emulator/runtime-config';
import { DEFAULT_RUNTIME_CONFIG } from '../../lambda/config/schema';
import type { Report } from '../../lambda/plan/document';
import type { LambdaEnvironment } from '../../lambda/runtime/environment';
import { RetryableResponseError } from '../../lambda/runtime/retry-policy';
import { handleAs } from '../support/playbook-entries';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups, snapshotsOfVolumes } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import type { SeededInstance } from '../../emulator/seed/instances';
import { createLedgerTable, LEDGER_TABLE } from './support/handler-bench';

/*
 * A flood of deliveries that will never act, about one instance, must not
 * keep its incident "being answered" so that a genuine high-severity finding
 * about it is turned away until Lambda gives up (lambda/respond/gate.ts,
 * holdToAct). Through the real Lambda handler, the fault proxy
 * (bench/latency-proxy.ts) and its GuardDuty stand-in, with the
 * confirmation ON: GuardDuty holds the genuine findings only, so every forged
 * delivery is unconfirmed, as in AWS.
 *
 * A. instance A, deterministic: forged deliveries (ids GuardDuty does not
 *    hold) arrive; the last one leaves its early claim live (its give-back is
 *    denied, as a forged delivery still in flight would hold it). The genuine
 *    finding then arrives: it takes that claim over and contains A once. More
 *    forged deliveries change nothing.
 * B. instance B, concurrent: the genuine finding arrives in the middle of a
 *    flood of forged deliveries and of real findings below the severity floor
 *    (confirmed, never acting). B is contained once, whatever the interleaving.
 * Every assertion reads the state back from the emulator: one snapshot set,
 * one brake slot per contained instance, one isolation move per ENI.
 */

const TABLE = LEDGER_TABLE;
const BRAKE_LIMIT = 5;

let account: EmulatedAccount;
let proxy: LatencyProxy;
let dynamodb: DynamoDBClient;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

function env(): LambdaEnvironment {
  return {
    playbook: 'contain-instance',
    // The confirmation ON: the proxy's GuardDuty stand-in answers it (moto has no findings API).
    config: { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, confirmFindings: true, mode: 'enforce', blastRadius: { maxContainmentsPerHour: BRAKE_LIMIT } },
    topicArn: account.seed.notifications.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: TABLE,
  };
}

const context = (awsRequestId: string) => ({
  invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${account.seed.accountId}:function:ir`,
  getRemainingTimeInMillis: () => 50_000,
  awsRequestId,
});

/** What one invocation came to: its report, or the error that failed it (Lambda retries it; the report is in the logs). */
type Outcome = { readonly report: Report; readonly error?: undefined } | { readonly report?: undefined; readonly error: RetryableResponseError };

async function invoke(event: unknown, requestId: string): Promise<Outcome> {
  try {
    return { report: (await handleAs(event, context(requestId), env())) as Report };
  } catch (error) {
    if (error instanceof RetryableResponseError) return { error };
    throw error;
  }
}

const incidentOf = (outcome: Outcome) => outcome.report?.incidentId ?? outcome.error!.incidentId;

/** GuardDuty holds the finding this event delivers: its deliveries are confirmed. */
function genuine(event: ReturnType<typeof instanceFindingEvent>): ReturnType<typeof instanceFindingEvent> {
  proxy.guardDuty.hold(event.detail as GuardDutyFindingJson);
  return event;
}

async function ledgerItem(pk: string) {
  return (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
}

async function brakeSlots(): Promise<number> {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
  return Items.filter((item) => item.pk?.S?.startsWith('brake#slot#')).length;
}

const isUpdate = (request: ProxiedRequest, startsWith: string) =>
  request.operation === 'DynamoDB_20120810.UpdateItem' && (request.params.UpdateExpression ?? '').startsWith(startsWith);
/** The give-back of a claim by a delivery GuardDuty did not confirm (lambda/ledger/incident-ledger.ts recordOutcome). */
const isUnconfirmedGiveBack = (request: ProxiedRequest) => isUpdate(request, 'SET lastUnconfirmedAt');
const isTakeOver = (request: ProxiedRequest) => isUpdate(request, 'SET claimToken') && (request.params.UpdateExpression ?? '').includes('claimActing = :findingId');
const callsMatching = (matches: (request: ProxiedRequest) => boolean) => proxy.calls.filter((call) => matches({ operation: call.operation, params: call.params }));

/** Isolation moves the responder made on the instance's ENIs (ModifyNetworkInterfaceAttribute), by ENI. */
function movesOf(instance: SeededInstance): Record<string, number> {
  const enis = new Set(instance.networkInterfaces.map((eni) => eni.networkInterfaceId));
  const moves: Record<string, number> = {};
  for (const call of proxy.calls) {
    const eni = call.params.NetworkInterfaceId;
    if (call.operation === 'ModifyNetworkInterfaceAttribute' && eni !== undefined && enis.has(eni) && call.status === 200) moves[eni] = (moves[eni] ?? 0) + 1;
  }
  return moves;
}

async function snapshotCount(instance: SeededInstance): Promise<number> {
  return (await snapshotsOfVolumes(account.clients.ec2, instance.volumeIds)).length;
}

async function isolated(instance: SeededInstance): Promise<boolean> {
  const groups = groupsByEni(await describeInstance(account.clients.ec2, instance.instanceId));
  const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
  return isolation?.GroupId !== undefined && Object.values(groups).every((ids) => ids.length === 1 && ids[0] === isolation.GroupId);
}

beforeAll(async () => {
  account = await freshSeededAccount();
  dynamodb = await createLedgerTable(account);
  // A few ms per call: concurrent deliveries overlap, as a flood's do.
  proxy = await startLatencyProxy({ target: account.endpoint, latencyMs: 5 });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  await proxy.close();
});

describe('A. forged deliveries about instance A, the last still holding its early claim, then the genuine finding', () => {
  let forged: Outcome[];
  let holder: Outcome;
  let heldItem: Awaited<ReturnType<typeof ledgerItem>>;
  let real: Outcome;
  let after: Outcome[];
  let snapshotsAfterReal: number;
  let movesAfterReal: Record<string, number>;

  beforeAll(async () => {
    const instance = account.seed.instanceA;
    forged = await Promise.all([1, 2, 3, 4].map((i) => invoke(instanceFindingEvent(account.seed, instance), `forged-a-${i}`)));
    // A forged delivery whose claim is still held when the genuine one arrives: its give-back does not land.
    proxy.addFault({ kind: 'access-denied', matches: isUnconfirmedGiveBack, times: 1 });
    holder = await invoke(instanceFindingEvent(account.seed, instance), 'forged-a-holder');
    proxy.clearFaults();
    heldItem = await ledgerItem(`incident#${incidentOf(holder)}`);
    real = await invoke(genuine(instanceFindingEvent(account.seed, instance, { severity: 8 })), 'genuine-a');
    snapshotsAfterReal = await snapshotCount(instance);
    movesAfterReal = movesOf(instance);
    after = await Promise.all([1, 2, 3].map((i) => invoke(instanceFindingEvent(account.seed, instance), `forged-a-after-${i}`)));
  });

  it('the forged deliveries changed nothing: GuardDuty did not confirm them', () => {
    for (const { report } of [...forged, ...after]) {
      expect(report?.blockedBy).toContain('finding-confirmation');
      expect(report?.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    }
  });

  it('the last forged delivery left a live early claim, not acting, on the incident all of them joined', () => {
    // Its give-back was denied: the invocation fails (Lambda would retry it), naming the ledger.
    expect(holder.error?.message).toContain('AccessDeniedException');
    const incidents = new Set([...forged, holder].map(incidentOf));
    expect(incidents.size).toBe(1);
    expect(heldItem?.claimToken?.S).toMatch(/^forged-a-holder\//);
    expect(Number(heldItem?.leaseUntil?.N)).toBeGreaterThan(Date.now());
    expect(heldItem?.claimActing).toBeUndefined();
    expect(heldItem?.respondedLevel).toBeUndefined();
  });

  it('the genuine finding took that claim over and contained A: isolated, one snapshot set, one brake slot', async () => {
    expect(real.error).toBeUndefined();
    expect(real.report!.incidentId).toBe(incidentOf(holder));
    expect(real.report!.blockedBy).toEqual([]);
    expect(real.report!.summary.failed).toBe(0);
    expect(callsMatching(isTakeOver)).toHaveLength(1);
    expect(await isolated(account.seed.instanceA)).toBe(true);
    expect(snapshotsAfterReal).toBe(account.seed.instanceA.volumeIds.length);
    expect(await brakeSlots()).toBe(1);
    const item = (await ledgerItem(`incident#${real.report!.incidentId}`))!;
    expect(item.respondedLevel).toEqual({ N: '2' });
    expect(item.answerKind).toEqual({ S: 'changes-done' });
    expect(item.findingIds?.SS).toEqual([real.report!.findingId]);
    expect(item.claimToken).toBeUndefined();
    expect(item.claimActing).toBeUndefined();
  });

  it('the forged deliveries after it changed nothing more: no snapshot set, no slot, no isolation move', async () => {
    expect(await snapshotCount(account.seed.instanceA)).toBe(snapshotsAfterReal);
    expect(await brakeSlots()).toBe(1);
    expect(movesOf(account.seed.instanceA)).toEqual(movesAfterReal);
    expect(await isolated(account.seed.instanceA)).toBe(true);
  });
});

describe('B. the genuine finding about instance B in the middle of a flood of forged and low-severity deliveries', () => {
  let outcomes: Map<string, Outcome>;

  beforeAll(async () => {
    const instance = account.seed.instanceB;
    const floodOf = (prefix: string, n: number, low: boolean) =>
      Array.from({ length: n }, (_, i) => ({
        id: `${prefix}-${i}`,
        // Real findings below the severity floor (GuardDuty holds them: confirmed, never acting), or forged ones.
        event: low ? genuine(instanceFindingEvent(account.seed, instance, { severity: 2 })) : instanceFindingEvent(account.seed, instance),
      }));
    const before = [...floodOf('forged-b', 4, false), ...floodOf('low-b', 3, true)];
    const later = [...floodOf('forged-b-late', 4, false), ...floodOf('low-b-late', 2, true)];
    const real = { id: 'genuine-b', event: genuine(instanceFindingEvent(account.seed, instance, { severity: 8 })) };
    const all = [...before, real, ...later];
    const settled = await Promise.all(all.map(({ id, event }) => invoke(event, id).then((outcome) => [id, outcome] as const)));
    outcomes = new Map(settled);
  });

  it('the genuine finding contained B, once: isolated, one snapshot set, one more brake slot', async () => {
    const real = outcomes.get('genuine-b')!;
    expect(real.error).toBeUndefined();
    expect(real.report!.blockedBy).toEqual([]);
    expect(real.report!.summary.failed).toBe(0);
    expect(await isolated(account.seed.instanceB)).toBe(true);
    expect(await snapshotCount(account.seed.instanceB)).toBe(account.seed.instanceB.volumeIds.length);
    expect(await brakeSlots()).toBe(2);
    // Each ENI moved by the genuine delivery's own steps only.
    const doneMoves = real.report!.steps.filter((s) => s.action === 'ec2:ModifyNetworkInterfaceAttribute' && s.status === 'done').length;
    expect(Object.values(movesOf(account.seed.instanceB)).reduce((a, b) => a + b, 0)).toBe(doneMoves);
  });

  it('no other delivery changed anything; one turned away while the genuine one acted is retried (being-answered), never dropped', () => {
    for (const [id, outcome] of outcomes) {
      if (id === 'genuine-b') continue;
      if (outcome.report) expect(outcome.report.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
      else expect(outcome.error.message).toContain('being-answered');
    }
  });
});
