import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { chainDepths, movesTimelineOf } from '../../../../bench/round-trips';
import { AccountAccess } from '../../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { ContainmentBrake } from '../../../../lambda/ledger/brake';
import { EARLY_CLAIM_GRACE_MS, IncidentLedger } from '../../../../lambda/ledger/incident-ledger';
import { ResourceIncidents } from '../../../../lambda/ledger/resource-incidents';
import { forgetEverything, rememberGroups } from '../../../../lambda/playbooks/contain-instance/early/group-memory';
import type { LedgerOptions } from '../../../../lambda/respond/gate';
import { respond } from '../../../../lambda/respond/respond';
import { restoreLedgerFor } from '../../../../lambda/runtime/restore-ledger';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID, answerFromWorld, awsError, defaultInstance, defaultWorld, ISOLATION_SG_A, mockContainClients, PRIMARY_ENI, SECONDARY_ENI, UNTRACK_SG_A, VPC_A, type ContainWorld } from '../../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { RoundTripLatency } from '../../../support/aws-mocks/round-trip-latency';

/*
 * Sequential round trips to isolation as the Lambda runs a response (the
 * incident ledger with its claim and brake, the restore record, GuardDuty's
 * confirmation), every AWS call delayed alike, counted as the benchmark
 * counts them (bench/round-trips.ts). A warm container that remembers the
 * VPC's groups isolates a single-ENI instance in 2: the early move, then the
 * isolation move; every check runs beside them.
 */

const guardDuty = useGuardDuty();
const mocks = mockContainClients();
const dynamodb = mockClient(DynamoDBClient);
const latency = new RoundTripLatency(40);
const { calls } = latency;
let world: ContainWorld = defaultWorld();

beforeEach(() => {
  forgetEverything();
  latency.clear();
  world = defaultWorld();
  answerFromWorld(mocks, () => world);
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  guardDuty.holds(containFinding());
  dynamodb.reset();
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { 'ledger-table': [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  latency.install();
});

afterEach(() => latency.remove());

afterAll(() => {
  for (const stub of [...Object.values(mocks), dynamodb]) stub.restore();
});

/** A warm container of the security account (the finding's own account): its clients and detector id are kept. */
function container(): AccountAccess {
  return new AccountAccess({
    home: async () => ({ accountId: ACCOUNT_ID, partition: 'aws' }),
    memberRoleName: 'IncidentResponseMemberRole',
    clientClasses: EVERY_CLIENT,
    base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
  });
}

/** The Lambda's ledger as it runs by default: the claim, the brake, and one incident per resource (incidents.joinWindowHours 24: its pointer is a round trip). */
function ledgerOptions(access: AccountAccess): LedgerOptions {
  const client = access.homeClients('us-east-1').dynamodb;
  return { ledger: new IncidentLedger(client, 'ledger-table', () => NOW), brake: new ContainmentBrake(client, 'ledger-table', 10, () => NOW), level: 'enforce', leaseMs: 75_000, incidents: { store: new ResourceIncidents(client, 'ledger-table'), joinWindowMs: 24 * 3600_000 } };
}

/** The Lambda's response, as handle.ts runs it: ledger, restore record, confirmation, the early move allowed (unless told otherwise). */
async function respondAsLambda(access: AccountAccess, earlyMove = true, dryRun = false): Promise<void> {
  latency.clear();
  const report = await respond(containFinding(), {
    config: enforceConfig({ confirmFindings: true }),
    access,
    dryRun,
    responder: RESPONDER,
    now: () => NOW,
    ledger: ledgerOptions(access),
    restoreLedger: restoreLedgerFor(access, 'us-east-1', 'ledger-table'),
    earlyMove,
  });
  expect(report.blockedBy).toEqual(dryRun ? ['dry-run'] : []);
  expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
}

/** Round trips up to the answer of the last move onto the isolation group. */
function roundTripsToIsolation(): number {
  const depths = chainDepths(calls);
  const isolations = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute' && c.params['SecurityGroupId.1'] === ISOLATION_SG_A);
  expect(isolations.length).toBeGreaterThan(0);
  return Math.max(...isolations.map((c) => depths.get(c)!));
}

/** The reads isolation does not wait for (lambda/respond/isolation-first.ts): each made once the isolation moves are sent. */
const HELD_READS = ['DescribeAutoScalingInstances', 'DescribeTargetGroups', 'DescribeSnapshots', 'DescribeIamInstanceProfileAssociations', 'DescribeInstanceAttribute', 'ListAccountAliases'];

function expectHeldUntilIsolationSent(): void {
  const isolations = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute' && c.params['SecurityGroupId.1'] === ISOLATION_SG_A);
  expect(isolations.length).toBeGreaterThan(0);
  const lastIsolationSent = Math.max(...isolations.map((c) => c.sentAt));
  for (const operation of HELD_READS) {
    const sent = calls.filter((c) => c.operation === operation);
    expect({ operation, made: sent.length > 0 }).toEqual({ operation, made: true });
    for (const call of sent) expect({ operation, afterIsolationSent: call.sentAt >= lastIsolationSent }).toEqual({ operation, afterIsolationSent: true });
  }
}

describe('round trips to isolation in the Lambda (ledger, restore record, confirmation)', () => {
  it('a warm container that remembers the VPC’s groups, a single-ENI instance: 2, every check beside the moves', async () => {
    world.instance = { ...defaultInstance(), NetworkInterfaces: defaultInstance().NetworkInterfaces!.filter((e) => e.NetworkInterfaceId === PRIMARY_ENI) };
    const access = container();
    // An earlier response of this container found the detector id and read the VPC's groups (about another instance: this one is not "moved recently").
    await respondAsLambda(access);
    forgetEverything();
    rememberGroups({ accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A }, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
    world.movedTo.clear();
    await respondAsLambda(access);
    const timeline = movesTimelineOf(calls, UNTRACK_SG_A, ISOLATION_SG_A);
    expect(timeline.firstMove).toBe('ModifyInstanceAttribute');
    expect(roundTripsToIsolation()).toBe(2);
    expect(timeline.roundTripsToIsolation).toBe(2);
    // GuardDuty, the instance's read, the groups' verification, the ledger's claim and brake: all in flight when the first move went out.
    expect(timeline.checks.map((c) => c.operation)).toEqual(expect.arrayContaining(['GetFindings', 'DescribeInstances', 'DescribeSecurityGroups']));
    expect(timeline.checks.map((c) => c.operation)).toEqual(expect.arrayContaining(['BatchGetItem', 'PutItem', 'UpdateItem']));
    expect(timeline.checksBeside).toBe(true);
    expectHeldUntilIsolationSent();
  });

  it('an instance with several ENIs (the finding lists one): the instance-level move is refused, every ENI moves by the id the read gave: 3', async () => {
    const access = container();
    await respondAsLambda(access);
    forgetEverything();
    rememberGroups({ accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A }, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
    world.movedTo.clear();
    await respondAsLambda(access);
    // Refused (EC2 moves no interface of an instance with several by the instance's id): the moves by ENI id follow the reads.
    expect(calls.find((c) => c.operation === 'ModifyInstanceAttribute' && c.params['GroupId.1'] === UNTRACK_SG_A)?.status).toBe(400);
    const timeline = movesTimelineOf(calls, UNTRACK_SG_A, ISOLATION_SG_A);
    expect(timeline.firstMove).toBe('ModifyNetworkInterfaceAttribute');
    expect(roundTripsToIsolation()).toBe(3);
    expect(world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    expect(world.movedTo.get(SECONDARY_ENI)).toEqual([ISOLATION_SG_A]);
    // The ledger's claim and brake and the restore record were still in flight when the moves went out.
    expect(timeline.checks.filter((c) => c.beside).map((c) => c.operation)).toEqual(expect.arrayContaining(['PutItem', 'UpdateItem']));
    expectHeldUntilIsolationSent();
  });

  it('a later delivery about an instance this container answered (whatever path moved it): no move before the instance is read', async () => {
    world.instance = { ...defaultInstance(), NetworkInterfaces: defaultInstance().NetworkInterfaces!.filter((e) => e.NetworkInterfaceId === PRIMARY_ENI) };
    const access = container();
    // The first response could not move before reading (say an approval rule on tags): the plan's steps moved it. The groups are remembered since.
    await respondAsLambda(access, false);
    expect(world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    rememberGroups({ accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A }, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
    await respondAsLambda(access);
    expect(calls.some((c) => c.operation === 'ModifyInstanceAttribute' && 'GroupId.1' in c.params)).toBe(false);
    const firstMove = Math.min(...calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute').map((c) => c.sentAt));
    const read = calls.find((c) => c.operation === 'DescribeInstances')!;
    expect(read.answeredAt).toBeLessThanOrEqual(firstMove);
  });

  it('a response that moved nothing (a dry-run, a blocked finding) leaves the instance unmarked: the next finding about it moves early', async () => {
    world.instance = { ...defaultInstance(), NetworkInterfaces: defaultInstance().NetworkInterfaces!.filter((e) => e.NetworkInterfaceId === PRIMARY_ENI) };
    const access = container();
    await respondAsLambda(access, true, true);
    expect(world.movedTo.size).toBe(0);
    rememberGroups({ accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A }, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
    await respondAsLambda(access);
    expect(movesTimelineOf(calls, UNTRACK_SG_A, ISOLATION_SG_A).firstMove).toBe('ModifyInstanceAttribute');
    expect(roundTripsToIsolation()).toBe(2);
  });

  it('no move before the reads (the early move not allowed): the reads isolation does not wait for start at once, beside the instance\'s read', async () => {
    const access = container();
    await respondAsLambda(access, false);
    const firstAnswer = Math.min(...calls.filter((c) => c.operation === 'DescribeInstances').map((c) => c.answeredAt));
    for (const operation of HELD_READS) {
      expect({ operation, beforeFirstAnswer: calls.some((c) => c.operation === operation && c.sentAt < firstAnswer) }).toEqual({ operation, beforeFirstAnswer: true });
    }
  });

  it('a cold container (nothing remembered), a single-ENI instance: the moves by ENI id after the read, 3', async () => {
    world.instance = { ...defaultInstance(), NetworkInterfaces: defaultInstance().NetworkInterfaces!.filter((e) => e.NetworkInterfaceId === PRIMARY_ENI) };
    const access = container();
    await respondAsLambda(access);
    forgetEverything();
    world.movedTo.clear();
    await respondAsLambda(access);
    expect(calls.some((c) => c.operation === 'ModifyInstanceAttribute' && 'GroupId.1' in c.params)).toBe(false);
    expect(roundTripsToIsolation()).toBe(3);
    expectHeldUntilIsolationSent();
  });

  /**
   * A second delivery of the finding while another holds the incident (its claim `acting` or not): the report and the
   * moves it sent. `takeOverLands`: its take-over of a claim that is not acting succeeds (the holder's time to mark it
   * acting is over: the record carries no claimedAtMs), so it acts. `movedByTheFirst`: the group the first delivery
   * moved both ENIs to after this one's read of the instance (which still shows them on their own groups).
   */
  async function secondDelivery(
    acting: boolean,
    takeOverLands = false,
    movedByTheFirst?: string,
    more: { readonly opensIncident?: boolean; readonly openedNow?: boolean; readonly before?: () => void } = {},
  ): Promise<{ blockedBy: readonly string[]; moves: number; steps: readonly { id: string; status: string; reason?: string; error?: string }[] }> {
    const access = container();
    await respondAsLambda(access);
    forgetEverything();
    world.movedTo.clear();
    if (movedByTheFirst) for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) world.movedTo.set(eni, [movedByTheFirst]);
    more.before?.();
    const finding = containFinding();
    const condition = (item: Record<string, unknown>) => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', Item: item });
    const incidentId = { S: 'ir-held-by-the-first' };
    dynamodb.on(UpdateItemCommand).callsFake((input: { Key: { pk: { S: string } }; UpdateExpression: string }) => {
      const pk = input.Key.pk.S;
      // The resource's pointer: the first delivery of this very finding opened the incident a moment ago (or, opensIncident,
      // this one opens it and another delivery's claim on it landed first).
      const openedAt = more.openedNow ? new Date() : NOW;
      if (pk.startsWith('resource#')) {
        if (more.opensIncident) return {};
        throw condition({ incidentId, openedAtMs: { N: String(openedAt.getTime()) }, openedAt: { S: openedAt.toISOString() }, openedBy: { S: finding.id } });
      }
      // Its claim (and any take-over): held by the other delivery, its lease running.
      if (input.UpdateExpression.startsWith('SET claimToken')) {
        if (takeOverLands && input.UpdateExpression.includes('claimActing = :findingId')) return {};
        throw condition({ incidentId, claimToken: { S: 'first-delivery#1' }, claimLevel: { N: '2' }, leaseUntil: { N: String(NOW.getTime() + 60_000) }, findingId: { S: finding.id }, ...(acting ? { claimActing: { S: finding.id } } : {}) });
      }
      return {};
    });
    latency.clear();
    const report = await respond(finding, {
      config: enforceConfig({ confirmFindings: true }),
      access,
      dryRun: false,
      responder: RESPONDER,
      now: () => NOW,
      ledger: ledgerOptions(access),
      restoreLedger: restoreLedgerFor(access, 'us-east-1', 'ledger-table'),
      earlyMove: true,
    });
    return {
      blockedBy: report.blockedBy,
      // Group moves only (a delivery that acts also preserves the instance with ModifyInstanceAttribute: not a move).
      moves: calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute' || (c.operation === 'ModifyInstanceAttribute' && 'GroupId.1' in c.params)).length,
      steps: report.steps.map((s) => ({ id: s.id, status: s.status, ...(s.reason !== undefined ? { reason: s.reason } : {}), ...(s.error ? { error: s.error.code } : {}) })),
    };
  }

  it('a second delivery of the finding, while the first holds the incident to act: no move by ENI id of its own (the ENIs are not moved twice)', async () => {
    expect(await secondDelivery(true)).toMatchObject({ blockedBy: ['being-answered'], moves: 0 });
    expect(world.movedTo.size).toBe(0);
  });

  it('a second delivery of the finding, while the first holds only its early claim (it may be moving the ENIs now): no move by ENI id either', async () => {
    // It joined the incident the first opened: the opener alone moves beside its claim (lambda/respond/early-move-allowed.ts).
    expect(await secondDelivery(false)).toMatchObject({ blockedBy: ['being-answered'], moves: 0 });
    expect(world.movedTo.size).toBe(0);
  });

  describe('a delivery that joined the incident and took the claim over reads each ENI again right before its untrack move', () => {
    /** Each ENI's read-back (DescribeNetworkInterfaces) answered before any move of that ENI was sent. */
    function readAgainBeforeMoves(): void {
      for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) {
        const readBack = calls.find((c) => c.operation === 'DescribeNetworkInterfaces' && c.params['NetworkInterfaceId.1'] === eni);
        expect(readBack).toBeDefined();
        for (const move of calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute' && c.params.NetworkInterfaceId === eni)) {
          expect(readBack!.answeredAt).toBeLessThanOrEqual(move.sentAt);
        }
      }
    }

    it('the ENIs another delivery isolated since this one read them: not moved at all (never through the allow-all group again)', async () => {
      const second = await secondDelivery(false, true, ISOLATION_SG_A);
      expect(second.blockedBy).toEqual([]);
      expect(second.moves).toBe(0);
      readAgainBeforeMoves();
      for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) {
        for (const id of [`untrack:${eni}`, `isolate:${eni}`, `restore:${eni}`]) {
          const step = second.steps.find((s) => s.id === id)!;
          expect(step).toMatchObject({ status: 'skipped' });
          expect(step.reason).toContain(`${eni} is on the isolation group only (${ISOLATION_SG_A}), read again before its move: another delivery of the incident isolated it`);
        }
      }
    });

    it('the ENIs another delivery left on the untrack group: straight on to the isolation group', async () => {
      const second = await secondDelivery(false, true, UNTRACK_SG_A);
      expect(second.blockedBy).toEqual([]);
      readAgainBeforeMoves();
      const moves = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute');
      expect(moves.map((c) => [c.params.NetworkInterfaceId, c.params['SecurityGroupId.1']]).sort()).toEqual([
        [PRIMARY_ENI, ISOLATION_SG_A],
        [SECONDARY_ENI, ISOLATION_SG_A],
      ]);
      expect(second.steps.find((s) => s.id === `untrack:${PRIMARY_ENI}`)?.reason).toContain('on the untrack group already, read again before its move');
      expect(world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    });

    it('the ENIs still on their own groups: the two-step swap as planned, after the read-back', async () => {
      const second = await secondDelivery(false, true);
      expect(second.blockedBy).toEqual([]);
      readAgainBeforeMoves();
      expect(second.moves).toBe(4);
      expect(world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
      expect(world.movedTo.get(SECONDARY_ENI)).toEqual([ISOLATION_SG_A]);
    });
  });

  it('the delivery that opened the incident, whose claim was answered (already claimed by another) before its reads: no move by ENI id', async () => {
    const opener = await secondDelivery(true, false, undefined, { opensIncident: true, before: () => world.extraDelayMs.set('DescribeInstances', 150) });
    expect(opener).toMatchObject({ blockedBy: ['being-answered'], moves: 0 });
  });

  it('a delivery that joined an incident opened a moment ago reads the ENIs again only once the opener’s moves are answered (the grace after the opening)', async () => {
    // The pointer answers that the first delivery opened the incident at the very moment it is asked.
    const second = await secondDelivery(false, true, undefined, { openedNow: true });
    expect(second.blockedBy).toEqual([]);
    const readBacks = calls.filter((c) => c.operation === 'DescribeNetworkInterfaces');
    expect(readBacks).toHaveLength(2);
    const pointer = calls.filter((c) => c.operation === 'UpdateItem').sort((a, b) => a.sentAt - b.sentAt)[0]!;
    for (const readBack of readBacks) expect(readBack.sentAt - pointer.sentAt).toBeGreaterThanOrEqual(EARLY_CLAIM_GRACE_MS - 60);
  });

  it('a delivery that joined: its read-back of an ENI fails: no untrack move for it (the isolation move still closes it), and no restore after a failed isolation move', async () => {
    const second = await secondDelivery(false, true, undefined, {
      before: () => {
        world.failures.set('DescribeNetworkInterfaces', awsError('RequestLimitExceeded', 'slow down', 503));
        world.failures.set('ModifyNetworkInterfaceAttribute', awsError('InternalError', 'x', 500));
      },
    });
    for (const eni of [PRIMARY_ENI, SECONDARY_ENI]) {
      expect(second.steps.find((s) => s.id === `untrack:${eni}`)).toMatchObject({ status: 'failed', error: 'GroupsNotReadAgain' });
      expect(second.steps.find((s) => s.id === `isolate:${eni}`)).toMatchObject({ status: 'failed' });
      expect(second.steps.find((s) => s.id === `restore:${eni}`)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('was not moved to the untrack group') });
    }
    // Only isolation moves were sent (and failed): never the allow-all group, never back to the groups read before.
    const sent = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute').map((c) => c.params['SecurityGroupId.1']);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set([ISOLATION_SG_A]));
  });

  describe('the claim says whether its holder may move beside it (only such a claim has the early claim’s grace)', () => {
    const claimWrites = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input as { UpdateExpression?: string; Key?: { pk?: { S?: string } } }).filter((i) => i.Key?.pk?.S?.startsWith('incident#') && (i.UpdateExpression ?? '').startsWith('SET claimToken'));

    it('a finding whose own guards let it move before the reads: its claim is marked claimMovesEarly', async () => {
      await respondAsLambda(container());
      expect(claimWrites()).toHaveLength(1);
      expect(claimWrites()[0]!.UpdateExpression).toContain(', claimMovesEarly = :true');
    });

    it('a finding below the severity floor (it will never move): its claim is not marked, so an acting delivery takes it over at once', async () => {
      const low = { ...containFinding(), severity: 2 };
      guardDuty.holds(low);
      await respond(low, {
        config: enforceConfig({ confirmFindings: true }),
        access: container(),
        dryRun: false,
        responder: RESPONDER,
        now: () => NOW,
        ledger: ledgerOptions(container()),
        earlyMove: true,
      });
      expect(claimWrites()).toHaveLength(1);
      expect(claimWrites()[0]!.UpdateExpression).not.toContain('claimMovesEarly = :true');
      expect(claimWrites()[0]!.UpdateExpression).toContain('REMOVE claimActing, claimMovesEarly');
    });
  });

  it('the delivery that opened the incident reads nothing again: 3 round trips with several ENIs', async () => {
    const access = container();
    await respondAsLambda(access);
    forgetEverything();
    world.movedTo.clear();
    await respondAsLambda(access);
    expect(calls.filter((c) => c.operation === 'DescribeNetworkInterfaces')).toEqual([]);
    expect(roundTripsToIsolation()).toBe(3);
  });
});
