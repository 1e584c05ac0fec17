import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseFindings } from '../../lambda/finding/parse';
import { EARLY_CLAIM_GRACE_MS, IncidentLedger } from '../../lambda/ledger/incident-ledger';
import { incidentIdOf } from '../../lambda/respond/incident-id';
import { EMULATOR_REGION } from '../../emulator/clients';
import type { Report } from '../../lambda/plan/document';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import type { EmulatedAccount } from './support/account';
import { groupsByEni, describeInstance, responderGroups, snapshotsOfVolumes } from './support/ec2-state';
import { instanceFindingEvent, userKeyFinding } from './support/findings';
import { LEDGER_TABLE, startHandlerBench, type HandlerBench } from './support/handler-bench';
import { accessKeyStatuses } from './support/iam-state';
import { failedSteps } from './support/run-playbook';

/*
 * The incident ledger and the blast-radius brake through the real Lambda
 * handler, against the emulator's DynamoDB (conditional writes included):
 * the function runs in the seeded account, so the findings are its own.
 */

const TABLE = LEDGER_TABLE;
const BRAKE_LIMIT = 2;

let bench: HandlerBench;
let account: EmulatedAccount;
let dynamodb: DynamoDBClient;

const invoke = (event: unknown, playbook: PlaybookName = 'contain-instance') => bench.invoke(event, { playbook, config: { blastRadius: { maxContainmentsPerHour: BRAKE_LIMIT } } });
const inbox = () => bench.inbox();
const ledgerItem = (pk: string) => bench.item(pk);

beforeAll(async () => {
  bench = await startHandlerBench();
  ({ account, dynamodb } = bench);
});

afterAll(() => bench?.close());

describe('one finding, delivered again and again', () => {
  let event: ReturnType<typeof instanceFindingEvent>;
  let first: Report;
  let snapshotsAfterFirst: string[];

  beforeAll(async () => {
    event = instanceFindingEvent(account.seed, account.seed.instanceA);
    first = await invoke(event);
    snapshotsAfterFirst = (await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceA.volumeIds)).map((s) => s.SnapshotId!).sort();
  });

  it('is acted on by the first delivery and recorded in the ledger', async () => {
    expect(failedSteps(first)).toEqual([]);
    expect(first.blockedBy).toEqual([]);
    expect(first.ledger).toEqual({ table: TABLE, key: `incident#${first.incidentId}`, recorded: true });
    const item = (await ledgerItem(`incident#${first.incidentId}`))!;
    expect(item).toMatchObject({
      findingId: { S: first.findingId },
      findingAccount: { S: account.seed.accountId },
      findingRegion: { S: EMULATOR_REGION },
      playbook: { S: 'contain-instance' },
      respondedLevel: { N: '2' },
      deliveries: { N: '1' },
      // The fixture's service.count.
      findingCount: { N: '3' },
    });
    expect(item.leaseUntil).toBeUndefined();
    const steps = item.steps!.L!.map((s) => [s.M!.id!.S, s.M!.status!.S]);
    expect(steps).toEqual(first.steps.map((s) => [s.id, s.status]));
    expect((await inbox()).map((n) => n.subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR DONE\] contain-instance/)]);
  });

  it('changes nothing and notifies nobody on the second delivery: only the record is updated', async () => {
    const second = await invoke(event);
    expect(second.blockedBy).toEqual(['already-answered']);
    expect(second.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'skipped']]);
    expect((await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceA.volumeIds)).map((s) => s.SnapshotId!).sort()).toEqual(snapshotsAfterFirst);
    expect(await inbox()).toEqual([]);
    expect((await ledgerItem(`incident#${first.incidentId}`))!.deliveries).toEqual({ N: '2' });
  });

  it('sends one short note when GuardDuty re-sends it with a higher count, still without acting', async () => {
    const recounted = structuredClone(event);
    (recounted.detail as { service: { count: number } }).service.count = 6;
    const third = await invoke(recounted);
    expect(third.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'done']]);
    const notes = await inbox();
    // The outcome, the count and the severity first, then the instance (lambda/notify/note.ts).
    expect(notes.map((n) => n.subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR REPEAT\] seen 6 times: (LOW|MEDIUM|HIGH|CRITICAL) \d+\.\d+ i-[0-9a-f]+/)]);
    expect(notes[0]!.message.split('\n')[0]).toMatch(/^Summary: i-[0-9a-f]+.* CryptoCurrency:EC2\/BitcoinTool\.B occurred again, seen 6 times now \(3 when last reported\); nothing new was done$/);
    expect((await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceA.volumeIds)).length).toBe(snapshotsAfterFirst.length);
    expect(await ledgerItem(`incident#${first.incidentId}`)).toMatchObject({ findingCount: { N: '6' }, notifiedCount: { N: '6' }, deliveries: { N: '3' } });
  });

  it('ignores a forged notify-routed copy of the answered finding (same id, direct invocation of notify): no note, no count; the next genuine count is still reported', async () => {
    const forged = structuredClone(event);
    const detail = forged.detail as { type: string; service: { count: number } };
    detail.type = 'Recon:EC2/PortProbeUnprotectedPort';
    detail.service.count = 1_000_000;
    const report = await invoke(forged, 'notify');
    expect(report.incidentId).toBe(first.incidentId);
    expect(report.blockedBy).toEqual(['already-answered']);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'skipped']]);
    expect(await inbox()).toEqual([]);
    // DynamoDB's condition (playbook = notify) refused every write: the record is contain-instance's.
    expect(await ledgerItem(`incident#${first.incidentId}`)).toMatchObject({ playbook: { S: 'contain-instance' }, findingCount: { N: '6' }, notifiedCount: { N: '6' }, deliveries: { N: '3' } });
    const recounted = structuredClone(event);
    (recounted.detail as { service: { count: number } }).service.count = 7;
    await invoke(recounted);
    expect((await inbox()).map((n) => n.subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR REPEAT\] seen 7 times: /)]);
  });

  it("holds the rule in DynamoDB itself: notify's repeat write into the contain-instance record is refused by its condition", async () => {
    const [finding] = parseFindings(event);
    const ledger = new IncidentLedger(dynamodb, TABLE);
    expect(await ledger.noteRepeat(first.incidentId, { ...finding!, service: { ...finding!.service, count: 2_000_000 } }, 'notify')).toEqual({ countGrew: false, owned: false });
    expect(await ledgerItem(`incident#${first.incidentId}`)).toMatchObject({ notifiedCount: { N: '7' }, deliveries: { N: '4' } });
  });
});

/*
 * Emulator gap: moto's server answers requests on several threads and does
 * not serialise DynamoDB conditional writes, so two claims sent at the very
 * same instant can both pass their condition there, as they never can in
 * DynamoDB. The truly simultaneous case is proven with mocked condition
 * failures (test/unit/ledger/gate.test.ts); here the second delivery starts
 * as soon as the first one's claim is in the table, while the first is still
 * answering: the overlap EventBridge retries and re-sends produce.
 */
describe('a second delivery while the first is still answering', () => {
  it('acts once: the first answers; the second sees the live claim, changes nothing and fails to be retried; its retry finds the incident answered', async () => {
    const event = instanceFindingEvent(account.seed, account.seed.instanceB);
    const incidentKey = `incident#${incidentIdOf(parseFindings(event)[0]!)}`;
    const firstDelivery = invoke(event);
    let claimed = await ledgerItem(incidentKey);
    for (let polls = 0; !claimed && polls < 2_000; polls += 1) claimed = await ledgerItem(incidentKey);
    expect(claimed?.respondedAt).toBeUndefined();
    // The holder may be a forged copy GuardDuty will not confirm, which answers nothing: the second delivery is not dropped but retried.
    await expect(invoke(event)).rejects.toThrow(
      expect.objectContaining({ name: 'RetryableResponseError', message: expect.stringContaining('is held by another delivery that has not answered it yet (being-answered)') }),
    );
    const first = await firstDelivery;
    // Lambda's retry of the second delivery, once the first has answered.
    const retried = await invoke(event);
    expect(retried.blockedBy).toEqual(['already-answered']);
    expect(retried.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'skipped']]);
    expect(first.blockedBy).toEqual([]);
    expect(failedSteps(first)).toEqual([]);
    expect((await snapshotsOfVolumes(account.clients.ec2, account.seed.instanceB.volumeIds)).length).toBe(account.seed.instanceB.volumeIds.length);
    const isolation = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
    expect(isolation).toHaveLength(1);
    for (const groups of Object.values(groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceB.instanceId)))) {
      expect(groups).toEqual([isolation[0]!.GroupId]);
    }
    expect((await inbox()).map((n) => n.subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR DONE\] contain-instance/)]);
  });
});

describe('the blast-radius brake', () => {
  it(`blocks the containment after ${BRAKE_LIMIT} in the hour, across playbooks: planned, not executed, loudly notified`, async () => {
    const { user } = account.seed.identities;
    const keyId = user.accessKeyIds[0]!;
    const before = await accessKeyStatuses(account.clients.iam, user.userName);
    const finding = userKeyFinding(account.seed, keyId);
    const report = await invoke({ finding }, 'revoke-credentials');
    expect(report.blockedBy).toEqual(['blast-radius-brake']);
    const mutating = report.steps.filter((s) => s.mutating);
    expect(mutating.length).toBeGreaterThan(0);
    for (const step of mutating) expect(step).toMatchObject({ status: 'skipped', reason: 'blocked by blast-radius-brake' });
    expect(await accessKeyStatuses(account.clients.iam, user.userName)).toEqual(before);
    expect(before[keyId]).toBe('Active');
    // The refused response's own note, and the one announcement that the brake latched (test/integration/brake-latch.test.ts).
    const notes = await inbox();
    expect(notes.map((n) => n.subject).sort()).toEqual([expect.stringMatching(/^\[GuardDuty IR BRAKE LATCHED\]/), expect.stringMatching(/^\[GuardDuty IR BRAKE ON - NOT CONTAINED\] revoke-credentials/)]);
    const note = notes.find((n) => n.subject.startsWith('[GuardDuty IR BRAKE ON'));
    expect(note!.message.split('\n')[0]).toContain('BLAST-RADIUS BRAKE IS ON');
    // Two slots, held by the two instances contained above.
    const slots = await Promise.all([0, 1].map((i) => ledgerItem(`brake#slot#00${i}`)));
    expect(slots.map((s) => s?.playbook?.S)).toEqual(['contain-instance', 'contain-instance']);
  });
});

/*
 * The early claim's grace, in DynamoDB's own condition (the emulator evaluates it): a confirmed, acting delivery takes
 * over an early claim that is not acting only once it is EARLY_CLAIM_GRACE_MS old, so that its holder (which may be
 * moving the interfaces beside it) has had the time to mark it acting.
 */
describe('taking over an early claim that is not acting', () => {
  const incidentId = 'ir-grace-test';
  const at = (ms: number) => () => new Date(Date.UTC(2026, 11, 7, 12, 0, 0) + ms);

  it('is refused while the claim is younger than the grace, and lands once it is that old', async () => {
    const [finding] = parseFindings(instanceFindingEvent(account.seed, account.seed.instanceA));
    const holder = new IncidentLedger(dynamodb, TABLE, at(0));
    // The delivery that opened the incident: it may be moving the ENIs beside this claim.
    const early = await holder.claim({ finding: finding!, incidentId, level: 'enforce', leaseMs: 60_000, movesEarly: true });
    expect(early.status).toBe('claimed');
    expect(await ledgerItem(`incident#${incidentId}`)).toMatchObject({ claimedAtMs: { N: String(at(0)().getTime()) } });

    const tooSoon = new IncidentLedger(dynamodb, TABLE, at(EARLY_CLAIM_GRACE_MS - 1));
    const refused = await tooSoon.claim({ finding: finding!, incidentId, level: 'enforce', leaseMs: 60_000, acting: true });
    expect(refused).toMatchObject({ status: 'already-claimed', record: { claimActing: false, claimMovesEarly: true, claimedAtMs: at(0)().getTime() } });
    expect(refused.status === 'already-claimed' && tooSoon.takeOverWaitMs(refused.record)).toBe(1);

    const inTime = new IncidentLedger(dynamodb, TABLE, at(EARLY_CLAIM_GRACE_MS));
    const taken = await inTime.claim({ finding: finding!, incidentId, level: 'enforce', leaseMs: 60_000, acting: true });
    expect(taken.status).toBe('claimed');
    expect(await ledgerItem(`incident#${incidentId}`)).toMatchObject({ claimActing: { S: finding!.id }, claimedAtMs: { N: String(at(EARLY_CLAIM_GRACE_MS)().getTime()) } });
    // The holder's mark now finds the claim taken over.
    expect(await holder.markActing(incidentId, early.status === 'claimed' ? early.token : '', finding!.id)).toMatchObject({ status: 'superseded' });
  });

  it('a claim of a delivery that joined the incident (it moves nothing beside its claim) is taken over at once', async () => {
    const [finding] = parseFindings(instanceFindingEvent(account.seed, account.seed.instanceA));
    const joiner = new IncidentLedger(dynamodb, TABLE, at(10_000));
    const early = await joiner.claim({ finding: finding!, incidentId: `${incidentId}-joined`, level: 'enforce', leaseMs: 60_000 });
    expect(early.status).toBe('claimed');
    const taken = await new IncidentLedger(dynamodb, TABLE, at(10_001)).claim({ finding: finding!, incidentId: `${incidentId}-joined`, level: 'enforce', leaseMs: 60_000, acting: true });
    expect(taken.status).toBe('claimed');
  });
});
