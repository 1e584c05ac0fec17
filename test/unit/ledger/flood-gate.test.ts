import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { EARLY_CLAIM_GRACE_MS, IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * A flood of deliveries that will never act (forged copies GuardDuty does not
 * confirm, or real findings below the severity floor) takes the incident's
 * early claim, the one taken before the confirmation, over and over. The
 * genuine finding must not be turned away by it (lambda/respond/gate.ts,
 * holdToAct): a confirmed delivery whose plan acts takes a live early claim
 * over, or marks its own as acting; only an acting claim (or an answer) turns
 * it away, and nothing but a confirmed, acting delivery ever makes one.
 * The contain playbook against the mocked account and a mocked ledger table.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const LEASE_MS = 75_000;
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

/** The early claim of another delivery, live, at the enforce level; acting when a confirmed delivery that acts holds it. */
const heldBy = (acting: boolean, claimedAtMs?: number) => ({
  pk: { S: 'incident#x' },
  claimToken: { S: 'someone-else/123' },
  claimLevel: { N: '2' },
  leaseUntil: { N: String(NOW.getTime() + 60_000) },
  // Taken by the delivery that opened the incident, which may be moving the ENIs beside it: it has the grace.
  ...(claimedAtMs !== undefined ? { claimedAtMs: { N: String(claimedAtMs) }, claimMovesEarly: { BOOL: true } } : {}),
  ...(acting ? { claimActing: { S: 'the-holders-finding' } } : {}),
});

function ledgerOptions(leaseMs = LEASE_MS): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs };
}

function run(options: { confirmed?: boolean; exempt?: boolean; leaseMs?: number; deadlineMs?: number } = {}) {
  if (options.confirmed === false) guardDuty.holds();
  else guardDuty.holds(containFinding());
  if (options.exempt) {
    const instance = harness.world.instance!;
    instance.Tags = [...(instance.Tags ?? []), { Key: 'ir:exempt', Value: 'honeypot' }];
  }
  return respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions(options.leaseMs), ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}) });
}

const updates = (): UpdateItemCommandInput[] => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const isEarlyClaim = (i: UpdateItemCommandInput) => (i.UpdateExpression ?? '').startsWith('SET claimToken') && !(i.UpdateExpression ?? '').includes('claimActing = :findingId');
const isTakeOver = (i: UpdateItemCommandInput) => (i.UpdateExpression ?? '').startsWith('SET claimToken') && (i.UpdateExpression ?? '').includes('claimActing = :findingId');
const isMark = (i: UpdateItemCommandInput) => i.UpdateExpression === 'SET claimActing = :findingId';
const isOutcome = (i: UpdateItemCommandInput) => i.ConditionExpression === 'claimToken = :token';
const writesActing = () => updates().filter((i) => (i.UpdateExpression ?? '').includes('claimActing = :findingId'));
const mutatingCalls = () => harness.calls().filter((c) => !/^(Describe|Get|List)/.test(c.action) && c.service !== 'sns');

/** The ledger answers each kind of write: the early claim, the take-over, the acting mark; every other write lands. */
function ledgerAnswers(answer: { early?: () => unknown; takeOver?: () => unknown; mark?: () => unknown }) {
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    if (isEarlyClaim(input) && answer.early) return answer.early();
    if (isTakeOver(input) && answer.takeOver) return answer.takeOver();
    if (isMark(input) && answer.mark) return answer.mark();
    return {};
  });
}

/** The early claim finds `holder`'s record; the take-over lands. When each was sent (ms since the epoch). */
function timeTakeOver(holder: Record<string, unknown>): { early?: number; takeOver?: number } {
  const sentAt: { early?: number; takeOver?: number } = {};
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    if (isEarlyClaim(input)) {
      sentAt.early = Date.now();
      throw conditionFailed(holder);
    }
    if (isTakeOver(input)) sentAt.takeOver = Date.now();
    return {};
  });
  return sentAt;
}

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});

describe('a genuine finding whose incident a delivery that does not act holds (the early claim of a forged copy in flight)', () => {
  it('takes the claim over once GuardDuty confirms it, acts once, and records its outcome under its own claim', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(false));
      },
    });
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    expect(mutatingCalls().length).toBeGreaterThan(0);
    const takeOver = updates().find(isTakeOver)!;
    // Yields to nothing the early claim does not, besides a live claim that is not acting.
    expect(takeOver.ConditionExpression).toBe(
      'attribute_not_exists(pk) OR ((attribute_not_exists(respondedLevel) OR respondedLevel < :level) AND ' +
        '(attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs OR claimLevel < :level OR ' +
        '(attribute_not_exists(claimActing) AND claimLevel <= :level AND (attribute_not_exists(claimMovesEarly) OR claimedAtMs <= :graceStart))))',
    );
    // Only an early claim EARLY_CLAIM_GRACE_MS old, by the ledger's clock: its holder had the time to mark it acting.
    expect(takeOver.ExpressionAttributeValues![':graceStart']).toEqual({ N: String(NOW.getTime() - EARLY_CLAIM_GRACE_MS) });
    // Acting: it moves nothing beside this claim that another should wait for (the mark of an early mover is cleared).
    expect(takeOver.UpdateExpression).toMatch(/, claimActing = :findingId REMOVE claimMovesEarly ADD deliveries :one$/);
    expect(takeOver.ExpressionAttributeValues![':findingId']).toEqual({ S: containFinding().id });
    // Bounded: the lease ends no later than this delivery's own deadline (the time it had left when it began).
    const leaseUntil = Number(takeOver.ExpressionAttributeValues![':leaseUntil']!.N);
    expect(leaseUntil).toBeLessThanOrEqual(NOW.getTime() + LEASE_MS);
    expect(leaseUntil).toBeGreaterThan(NOW.getTime() + LEASE_MS - 10_000);
    const outcome = updates().find(isOutcome)!;
    expect(outcome.ExpressionAttributeValues![':token']).toEqual(takeOver.ExpressionAttributeValues![':token']);
    expect(outcome.UpdateExpression).toContain('respondedLevel = :level');
    expect(report.reads.find((r) => r.id === `read:hold-incident-to-act:incident#${report.incidentId}`)).toMatchObject({ status: 'done', action: 'dynamodb:UpdateItem' });
    // One slot, kept: it acted.
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 0);
    expect(shouldFailInvocation(report).retry).toBe(false);
  });

  it('is turned away (and retried) when the take-over loses to a claim that became acting meanwhile: it changes nothing', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(false));
      },
      takeOver: () => {
        throw conditionFailed(heldBy(true));
      },
    });
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(report.guards.find((g) => g.id === 'being-answered')?.reason).toContain('by a delivery GuardDuty confirmed, acting on it');
    expect(mutatingCalls()).toEqual([]);
    expect(updates().filter(isOutcome)).toEqual([]);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });
});

describe('a genuine finding whose incident another delivery claimed a moment ago, not (yet) acting', () => {
  it('gives the holder the rest of EARLY_CLAIM_GRACE_MS to mark it acting, then takes it over and acts once', async () => {
    // Taken 1700 ms before this delivery's own early claim (by the ledger's clock): 300 ms of the grace are left.
    const sentAt = timeTakeOver(heldBy(false, NOW.getTime() - (EARLY_CLAIM_GRACE_MS - 300)));
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    expect(sentAt.takeOver! - sentAt.early!).toBeGreaterThanOrEqual(290);
    expect(report.reads.find((r) => r.id === `read:hold-incident-to-act:incident#${report.incidentId}`)?.title).toContain('(after 300 ms, the time its holder is given to mark it acting)');
    expect(mutatingCalls().length).toBeGreaterThan(0);
  });

  it('the holder marks it acting within the grace: the take-over finds it acting, and this delivery is turned away and retried', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(false, NOW.getTime() - (EARLY_CLAIM_GRACE_MS - 100)));
      },
      takeOver: () => {
        throw conditionFailed(heldBy(true, NOW.getTime() - (EARLY_CLAIM_GRACE_MS - 100)));
      },
    });
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(mutatingCalls()).toEqual([]);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('when the wait would end past the ledger’s cut-off (less a round trip’s margin): no take-over at all, turned away and retried', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(false, NOW.getTime()));
      },
    });
    // The ledger's calls end 0.9 of the way to the deadline: 2.7 s from now, less the 1 s margin, is under the 2 s wait.
    const report = await run({ deadlineMs: Date.now() + 3_000 });
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(updates().filter(isTakeOver)).toEqual([]);
    expect(mutatingCalls()).toEqual([]);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });
});

describe('a genuine finding whose incident another delivery that joined it claimed a moment ago (forged copies claiming one after another)', () => {
  it('takes that claim over at once: only the claim of the delivery that opened the incident has the grace', async () => {
    const sentAt = timeTakeOver({ ...heldBy(false), claimedAtMs: { N: String(NOW.getTime()) } });
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    expect(sentAt.takeOver! - sentAt.early!).toBeLessThan(EARLY_CLAIM_GRACE_MS / 2);
    expect(mutatingCalls().length).toBeGreaterThan(0);
  });

  it('waits no longer than the grace, whatever the holder’s clock wrote', async () => {
    const ledger = new IncidentLedger(new DynamoDBClient({ region: 'us-east-1' }), TABLE, () => NOW);
    const ahead = { claimedAtMs: NOW.getTime() + 60_000, claimMovesEarly: true } as Parameters<typeof ledger.takeOverWaitMs>[0];
    expect(ledger.takeOverWaitMs(ahead)).toBe(EARLY_CLAIM_GRACE_MS);
    expect(ledger.takeOverWaitMs({ ...ahead, claimMovesEarly: false })).toBe(0);
  });
});

describe('a genuine finding whose incident a confirmed delivery holds to act', () => {
  it('attempts no take-over: it is turned away and retried, to find the incident answered or the claim given back or expired', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(true));
      },
    });
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(updates()).toHaveLength(1);
    expect(mutatingCalls()).toEqual([]);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });
});

describe('a delivery that wins the early claim', () => {
  it('confirmed and acting: marks its claim acting while its lease holds, without touching the lease', async () => {
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    const claim = updates().find(isEarlyClaim)!;
    // The early claim clears a mark an earlier (expired) holder may have left: it is not acting yet (and, with no early
    // move allowed here, it moves nothing beside its claim: no grace for it).
    expect(claim.UpdateExpression).toMatch(/ REMOVE claimActing, claimMovesEarly ADD deliveries :one$/);
    expect(claim.ConditionExpression).not.toContain('claimActing');
    expect(updates().find(isMark)).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${report.incidentId}` } },
      UpdateExpression: 'SET claimActing = :findingId',
      ConditionExpression: 'claimToken = :token AND leaseUntil >= :nowMs',
      ExpressionAttributeValues: { ':token': claim.ExpressionAttributeValues![':token'], ':findingId': { S: containFinding().id }, ':nowMs': { N: String(NOW.getTime()) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(mutatingCalls().length).toBeGreaterThan(0);
  });

  it('confirmed and acting, but taken over before it could mark its claim: turned away, changes nothing, retried', async () => {
    ledgerAnswers({
      mark: () => {
        throw conditionFailed(heldBy(true));
      },
    });
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(mutatingCalls()).toEqual([]);
    expect(updates().filter(isOutcome)).toEqual([]);
    // Its early slot goes back: the delivery that took the claim over reserves (or takes over) its own.
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('not confirmed by GuardDuty (perhaps forged): never marks it acting, and only gives it back', async () => {
    const report = await run({ confirmed: false });
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(writesActing()).toEqual([]);
    expect(updates().find(isOutcome)!.UpdateExpression).toBe('SET lastUnconfirmedAt = :at, outcomeToken = :outcomeToken REMOVE leaseUntil, claimToken, claimLevel, claimActing');
    expect(mutatingCalls()).toEqual([]);
  });

  it('confirmed but not acting (the exempt tag): never marks it acting', async () => {
    const report = await run({ exempt: true });
    expect(report.blockedBy).toEqual(['exempt-tag']);
    expect(writesActing()).toEqual([]);
    expect(mutatingCalls()).toEqual([]);
  });
});

describe('a delivery that will not act and finds a live early claim', () => {
  it('not confirmed by GuardDuty: attempts no take-over and writes nothing to the incident', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(false));
      },
    });
    const report = await run({ confirmed: false });
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(updates()).toHaveLength(1);
    expect(report.ledger).toBeUndefined();
  });

  it('confirmed but not acting (the exempt tag): attempts no take-over', async () => {
    ledgerAnswers({
      early: () => {
        throw conditionFailed(heldBy(false));
      },
    });
    const report = await run({ exempt: true });
    expect(report.blockedBy).toEqual(expect.arrayContaining(['exempt-tag']));
    expect(writesActing()).toEqual([]);
    expect(updates()).toHaveLength(1);
    expect(mutatingCalls()).toEqual([]);
  });
});
