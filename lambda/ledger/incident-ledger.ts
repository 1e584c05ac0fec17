import { randomUUID } from 'node:crypto';
import { UpdateItemCommand, type DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Finding } from '../finding/schema';
import type { Report } from '../plan/document';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import type { Answer, AnswerKind } from './answered';
import { pendingNotificationOf, pendingNotificationValue, type PendingNotification } from './pending-notification';
import { isConditionFailure, list, map, n, numberOf, s, stringOf, type Item } from './attributes';

/*
 * The incident ledger: one item per incident, in a DynamoDB table of the
 * security account. An incident is a resource's (every finding about one
 * instance, key or principal: lambda/ledger/resource-incidents.ts), or a
 * finding's own when it names no resource the playbook acts on.
 *
 * EventBridge retries a delivery for up to 24 hours and GuardDuty re-sends a
 * finding each time its count grows, so one finding arrives many times. The
 * first delivery CLAIMS the incident with one conditional write and answers
 * it; every later one sees the claim fail and only updates the record. No
 * read comes before the write, so two deliveries at the same instant cannot
 * both win. The claim is a lease: a delivery that crashes (a Lambda timeout)
 * holds it only until its time is up, and one that finishes without having
 * answered (a retryable failure) gives it back, so Lambda's retry can act.
 *
 * The claim is taken before GuardDuty has confirmed the finding, so it
 * writes nothing of the finding but its id and where it is (the incident id
 * is derived from them): its type, severity and counts are written with the
 * outcome of a confirmed delivery only (recordOutcome), so a forged copy of
 * a real finding cannot rewrite them. That early claim yields to a
 * confirmed delivery whose plan acts (ClaimInput.acting): only a claim held
 * to act (claimActing, markActing) turns one away, and only such a delivery
 * makes one, so a flood of forged copies cannot keep the genuine one out;
 * it does so only once the early claim is EARLY_CLAIM_GRACE_MS old, so that
 * a genuine holder has marked it acting by then.
 *
 * notify asks GuardDuty nothing, so a notify-routed copy of a real finding
 * (a direct invocation of the notify function) is indistinguishable from a
 * genuine one. Its writes therefore apply only to a record no other
 * playbook owns (REPORT_ONLY_OWNS, checked by DynamoDB in the same write,
 * so no race gets around it): it never writes the finding fields, counts or
 * pending notification of an acting playbook's record, and never claims a
 * REPEAT note for one. The fields it writes into a record without a
 * playbook are all overwritten by an acting playbook's confirmed outcome.
 *
 * Every conditional write carries a token of its own (claimToken,
 * outcomeToken, noteToken, joinToken) and asks for the old item when its
 * condition fails: the SDK retries a write whose answer was lost, and that
 * retry fails against the write it already made; finding its own token, it
 * succeeded. A claim's token also names the Lambda invocation, so that
 * Lambda's retry of a failed invocation takes its own earlier claim over.
 * An incident is answered only when lambda/ledger/answered.ts says so.
 *
 * The right to answer has a level: a dry-run answer (level 1) does not take
 * away the right to answer in enforce mode (level 2) once the stack is
 * switched; an enforce answer ends the matter for both.
 */

export type ResponseLevel = 'dry-run' | 'enforce';

const LEVEL: Readonly<Record<ResponseLevel, number>> = { 'dry-run': 1, enforce: 2 };

export const INCIDENT_KEY_PREFIX = 'incident#';

export function incidentKey(incidentId: string): Item {
  return { pk: s(`${INCIDENT_KEY_PREFIX}${incidentId}`) };
}

/** GuardDuty counts the occurrences of a finding in service.count; a finding without one has been seen once. */
export function findingCountOf(finding: Finding): number {
  const count = finding.service?.count;
  return typeof count === 'number' && Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1;
}

export type { PendingNotification } from './pending-notification';

/** What the ledger knew when a delivery lost the claim. */
export interface LedgerRecord {
  readonly firstSeenAt: string | undefined;
  /** When a delivery answered the incident, and at which level; absent while one is still answering it. */
  readonly respondedAt: string | undefined;
  readonly respondedMode: ResponseLevel | undefined;
  /** The finding count the last notification reported. */
  readonly notifiedCount: number;
  /** A delivery holds the claim until then (milliseconds since the epoch), absent when none does. */
  readonly leaseUntil: number | undefined;
  /**
   * The claim's holder was confirmed by GuardDuty and is about to act (markActing, or a claim taken with `acting`);
   * false: it is only the early claim of a delivery not yet known to act, which an acting delivery may take over.
   */
  readonly claimActing: boolean;
  /** When the claim's holder took it (milliseconds since the epoch); absent when none holds it, or it was taken before this was recorded. */
  readonly claimedAtMs: number | undefined;
  /** The claim's holder may be moving the resource beside its claim (it opened the incident): its claim has the grace (EARLY_CLAIM_GRACE_MS). */
  readonly claimMovesEarly: boolean;
  /** A notification that failed to go out: the next delivery sends it. */
  readonly pendingNotification: PendingNotification | undefined;
  /** The playbook whose confirmed outcome the record holds; absent before the first one. */
  readonly playbook: string | undefined;
  /** How the incident was answered (lambda/ledger/answered.ts); absent when unanswered, or answered before it was recorded. */
  readonly answerKind: AnswerKind | undefined;
  /** The finding that first claimed the incident, and every finding GuardDuty confirmed for it (its own outcome, or joined). */
  readonly findingId: string | undefined;
  readonly findingIds: readonly string[];
}

/** Whether the finding is one of the incident's own (a later delivery of it is a repeat), rather than a new one about its resource. */
export function isIncidentFinding(record: LedgerRecord, findingId: string): boolean {
  return record.findingId === findingId || record.findingIds.includes(findingId);
}

/** Findings the ledger lists in full in an incident they joined; later ones are counted (joinedBeyondList) and still named in their note. */
export const JOINED_FINDINGS_LISTED = 50;

/** What a finding's join did: \`joined\` false, it had joined the incident before (this is a later delivery of it). */
export interface JoinNote {
  readonly joined: boolean;
  /**
   * How many findings the incident holds with this one (findingIds, as the join's own write left it): counted
   * once however often the finding is delivered or its write retried. Absent when not known (an earlier delivery joined it).
   */
  readonly findings?: number;
}

/** What a later delivery's count did; `owned` false: the record is another playbook's, nothing was written (notify only). */
export interface RepeatNote {
  readonly countGrew: boolean;
  readonly owned: boolean;
}

/**
 * Whether the record belongs to this playbook's deliveries: acting playbooks
 * confirm every finding with GuardDuty, so any record is theirs to write;
 * notify (which confirms nothing) only owns a record whose playbook is notify.
 * The same rule, as DynamoDB conditions, is REPORT_ONLY_OWNS / REPORT_ONLY_MAY_WRITE.
 */
export function playbookOwnsRecord(playbook: PlaybookName, record: LedgerRecord): boolean {
  return actsInFindingAccount(playbook) || record.playbook === playbook;
}

/** A report-only (notify) delivery's repeat writes: the record is a notify incident's. */
const REPORT_ONLY_OWNS = 'playbook = :reportOnly';
/** A report-only (notify) delivery's outcome: no other playbook has written the record (an acting one overwrites it later). */
const REPORT_ONLY_MAY_WRITE = '(attribute_not_exists(playbook) OR playbook = :reportOnly)';

export type Claim =
  | { readonly status: 'claimed'; readonly token: string; readonly leaseUntil: number }
  | { readonly status: 'already-claimed'; readonly record: LedgerRecord };

export interface ClaimInput {
  readonly finding: Finding;
  readonly incidentId: string;
  readonly level: ResponseLevel;
  /** How long the claim holds if this delivery never finishes: its remaining run time and a margin. */
  readonly leaseMs: number;
  /**
   * The invocation this delivery is (Lambda's request id, the same on each of its own retries). A live
   * claim taken by an earlier attempt of the same invocation is taken over (claimTokenOf): that attempt
   * has ended, or Lambda would not have retried it, and it did not record an answer.
   */
  readonly deliveryId?: string;
  /** The resource the incident is about (lambda/ledger/incident-resource.ts), when it is a resource's incident: kept for `ir release`. */
  readonly resource?: string;
  /** The claim's token (claimTokenOf), when the caller must know it even if no answer comes: to give back a claim that timed out but may have landed. */
  readonly token?: string;
  /**
   * The delivery is confirmed by GuardDuty and its plan acts (ResponseGate.settle): the claim is marked acting, and
   * it also takes over a live claim that is not (an early claim of a delivery not known to act: a forged copy, a
   * finding below the severity floor), once that claim is EARLY_CLAIM_GRACE_MS old. Absent: the early claim, taken before the confirmation, which yields to none.
   */
  readonly acting?: boolean;
  /**
   * This delivery may move the resource beside its early claim (it opened the incident: lambda/respond/early-move-allowed.ts):
   * the claim is marked so, and only such a claim is given EARLY_CLAIM_GRACE_MS before an acting delivery may take it over.
   * Any other early claim is taken over at once, so that forged copies claiming one after another cannot keep the genuine
   * delivery out by each being younger than the grace.
   */
  readonly movesEarly?: boolean;
}

/**
 * How long an early claim is left to its holder before a confirmed, acting delivery may take it over. The holder
 * may be the delivery that opened the incident, which moves its interfaces beside its early claim (the moves by ENI
 * id, lambda/respond/early-move-allowed.ts) and marks the claim acting once GuardDuty's confirmation is in, about a
 * round trip later. A delivery that took the claim over sooner would act on a read made before those moves: the
 * interfaces moved twice, the second time through the allow-all group. A holder that never marks it (a forged copy
 * GuardDuty does not confirm, a finding below the severity floor) delays the genuine delivery by this much at most.
 */
export const EARLY_CLAIM_GRACE_MS = 2_000;

/** What marking a held claim as acting came to: superseded, another delivery took the claim over first (the record as it is). */
export type ActingMark = { readonly status: 'acting' } | { readonly status: 'superseded'; readonly record: LedgerRecord };

/**
 * The claim's token: random, prefixed with the invocation's id when known, so
 * that a retry of the same invocation recognises the claim of its crashed
 * attempt (and of one whose outcome write failed) as its own.
 */
export function claimTokenOf(deliveryId: string | undefined): string {
  return deliveryId ? `${deliveryPrefixOf(deliveryId)}${randomUUID()}` : randomUUID();
}

function deliveryPrefixOf(deliveryId: string): string {
  return `${deliveryId}/`;
}

/** What the outcome write came to: superseded, another delivery took the claim over first (its lease ran out), and this outcome is not written. */
export type OutcomeWrite = 'recorded' | 'superseded';

export interface OutcomeInput {
  readonly incidentId: string;
  readonly token: string;
  readonly report: Report;
  readonly level: ResponseLevel;
  /** Whether this delivery answered the incident: false keeps the right to answer open (a retry, the brake). */
  readonly answered: boolean;
  /** What the answer was (lambda/ledger/answered.ts), written with it: whether later findings about the resource join the incident. */
  readonly answerKind?: AnswerKind;
  /** The notification, when it could not be published. */
  readonly pendingNotification?: PendingNotification;
  /**
   * GuardDuty confirmed the finding (or confirmation is off): the record takes its fields and this delivery's steps.
   * Absent: the delivery may be forged; it only gives the claim back (and answers, if `answered`).
   */
  readonly confirmed?: { readonly finding: Finding; readonly playbook: PlaybookName };
}

/** Whether a record's answer ends the matter at this level (a dry-run answer does not end it for enforce). */
export function answersLevel(record: LedgerRecord, level: ResponseLevel): boolean {
  return record.respondedMode !== undefined && LEVEL[record.respondedMode] >= LEVEL[level];
}

function levelName(level: number | undefined): ResponseLevel | undefined {
  return level === LEVEL.enforce ? 'enforce' : level === LEVEL['dry-run'] ? 'dry-run' : undefined;
}

function recordOf(item: Item | undefined): LedgerRecord {
  return {
    firstSeenAt: stringOf(item, 'firstSeenAt'),
    respondedAt: stringOf(item, 'respondedAt'),
    respondedMode: levelName(numberOf(item, 'respondedLevel')),
    notifiedCount: numberOf(item, 'notifiedCount') ?? 0,
    leaseUntil: numberOf(item, 'leaseUntil'),
    claimActing: stringOf(item, 'claimActing') !== undefined,
    claimedAtMs: numberOf(item, 'claimedAtMs'),
    claimMovesEarly: item?.claimMovesEarly?.BOOL === true,
    pendingNotification: pendingNotificationOf(item?.pendingNotification),
    playbook: stringOf(item, 'playbook'),
    answerKind: answerKindOf(stringOf(item, 'answerKind')),
    findingId: stringOf(item, 'findingId'),
    findingIds: item?.findingIds?.SS ?? [],
  };
}

function answerKindOf(value: string | undefined): AnswerKind | undefined {
  return value === 'changes-done' || value === 'dry-run' || value === 'no-change-needed' || value === 'awaiting-approval' ? value : undefined;
}

/** One line per step: the plan and what became of it, readable with `aws dynamodb get-item`. */
function stepsOf(report: Report) {
  return list(
    report.steps.map((step) =>
      map({
        id: s(step.id),
        title: s(step.title),
        action: s(step.action),
        target: s(step.target),
        mutating: { BOOL: step.mutating },
        parameters: s(JSON.stringify(step.parameters)),
        status: s(step.status),
        detail: step.detail !== undefined ? s(step.detail) : undefined,
        reason: step.reason !== undefined ? s(step.reason) : undefined,
        errorCode: step.error ? s(step.error.code) : undefined,
        errorMessage: step.error ? s(step.error.message) : undefined,
      }),
    ),
  );
}

function failedReadsOf(report: Report) {
  return list(
    report.reads
      .filter((read) => read.status === 'failed')
      .map((read) => map({ id: s(read.id), action: s(read.action), target: s(read.target), errorCode: s(read.error?.code ?? 'UnknownError'), errorMessage: s(read.error?.message ?? '') })),
  );
}

export class IncidentLedger {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * One conditional write: wins when no delivery has answered the incident
   * at this level or above and none holds a live claim at this level or
   * above. Losing returns the record as it was (ReturnValuesOnConditionCheckFailure).
   */
  async claim(input: ClaimInput): Promise<Claim> {
    const now = this.now();
    const token = input.token ?? claimTokenOf(input.deliveryId);
    const leaseUntil = now.getTime() + input.leaseMs;
    // A live claim yields only to a higher level, or to a retry of the invocation that took it (ClaimInput.deliveryId). Not
    // to this very request sent again by the SDK (its answer lost): that one fails here, writes nothing, and finds its token.
    const ownRetry = input.deliveryId ? ' OR (begins_with(claimToken, :delivery) AND claimToken <> :token)' : '';
    // An acting delivery also takes over an early claim that is not acting: a flood of deliveries that will never act
    // (forged copies GuardDuty does not confirm, findings below the severity floor) cannot keep it waiting.
    // (Never one of a higher level: a dry-run delivery does not take over an enforce delivery's claim, acting or not.)
    // Only once the early claim is EARLY_CLAIM_GRACE_MS old: its holder has had the time to mark it acting.
    const yields =
      `claimLevel < :level${ownRetry}` +
      `${input.acting ? ' OR (attribute_not_exists(claimActing) AND claimLevel <= :level AND (attribute_not_exists(claimMovesEarly) OR claimedAtMs <= :graceStart))' : ''}`;
    const removed = [...(input.acting ? [] : ['claimActing']), ...(input.movesEarly ? [] : ['claimMovesEarly'])];
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(input.incidentId),
          UpdateExpression:
            'SET claimToken = :token, claimLevel = :level, leaseUntil = :leaseUntil, incidentId = :incidentId, findingId = if_not_exists(findingId, :findingId), ' +
            'claimFindingId = :findingId, claimedAtMs = :nowMs, findingAccount = :account, findingRegion = :region, firstSeenAt = if_not_exists(firstSeenAt, :now), lastSeenAt = :now' +
            `${input.resource !== undefined ? ', #resource = :resource' : ''}${input.acting ? ', claimActing = :findingId' : ''}${input.movesEarly ? ', claimMovesEarly = :true' : ''}` +
            `${removed.length > 0 ? ` REMOVE ${removed.join(', ')}` : ''} ADD deliveries :one`,
          ConditionExpression:
            'attribute_not_exists(pk) OR ((attribute_not_exists(respondedLevel) OR respondedLevel < :level) AND ' +
            `(attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs OR ${yields}))`,
          ExpressionAttributeValues: {
            ':token': s(token),
            ':level': n(LEVEL[input.level]),
            ':leaseUntil': n(leaseUntil),
            ':nowMs': n(now.getTime()),
            ':incidentId': s(input.incidentId),
            ':findingId': s(input.finding.id),
            ':account': s(input.finding.accountId ?? 'unknown'),
            ':region': s(input.finding.region ?? 'unknown'),
            ':now': s(now.toISOString()),
            ':one': n(1),
            ...(input.acting ? { ':graceStart': n(now.getTime() - EARLY_CLAIM_GRACE_MS) } : {}),
            ...(input.movesEarly ? { ':true': { BOOL: true } } : {}),
            ...(input.deliveryId ? { ':delivery': s(deliveryPrefixOf(input.deliveryId)) } : {}),
            ...(input.resource !== undefined ? { ':resource': s(input.resource) } : {}),
          },
          ...(input.resource !== undefined ? { ExpressionAttributeNames: { '#resource': 'resource' } } : {}),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'claimed', token, leaseUntil };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The SDK retried a claim whose answer was lost: the retry fails against the first attempt's own write. It is this claim.
      if (stringOf(error.Item, 'claimToken') === token) return { status: 'claimed', token, leaseUntil };
      return { status: 'already-claimed', record: recordOf(error.Item) };
    }
  }

  /**
   * How long a confirmed, acting delivery waits before it may take over the early claim the record shows
   * (EARLY_CLAIM_GRACE_MS from when it was taken, on this ledger's clock, for a claim whose holder may be moving the
   * resource beside it: ClaimInput.movesEarly); 0: at once.
   */
  takeOverWaitMs(record: LedgerRecord): number {
    if (!record.claimMovesEarly || record.claimedAtMs === undefined) return 0;
    // Never more than the grace itself, whatever the holder's clock said when it claimed.
    return Math.min(EARLY_CLAIM_GRACE_MS, Math.max(0, record.claimedAtMs + EARLY_CLAIM_GRACE_MS - this.now().getTime()));
  }

  /**
   * The holder of an early claim is confirmed and its plan acts: the claim is marked acting, so that no other
   * acting delivery takes it over, while its lease holds. The lease is left as the claim set it (the holder's own deadline and a
   * margin): nothing renews it. The write is idempotent (the SDK's retry after a lost answer meets the same
   * condition, and writes the same value); 'superseded' when an acting delivery took the claim over first.
   */
  async markActing(incidentId: string, token: string, findingId: string): Promise<ActingMark> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET claimActing = :findingId',
          // Only while the lease holds: past it, the claim may be taken by any delivery, and this one is no longer its holder.
          ConditionExpression: 'claimToken = :token AND leaseUntil >= :nowMs',
          ExpressionAttributeValues: { ':token': s(token), ':findingId': s(findingId), ':nowMs': n(this.now().getTime()) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'acting' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { status: 'superseded', record: recordOf(error.Item) };
    }
  }

  /**
   * A later delivery: counts it, and says whether the finding's count grew
   * past what was last reported. The report of growth is claimed with a
   * conditional write too, so concurrent re-sends of one count notify once.
   * A notify delivery writes only into a notify incident's record
   * (REPORT_ONLY_OWNS): otherwise it writes nothing and says so (owned: false).
   */
  async noteRepeat(incidentId: string, finding: Finding, playbook: PlaybookName): Promise<RepeatNote> {
    const count = findingCountOf(finding);
    const now = s(this.now().toISOString());
    const reportOnly = !actsInFindingAccount(playbook);
    const owns = reportOnly ? { condition: REPORT_ONLY_OWNS, values: { ':reportOnly': s(playbook) } } : undefined;
    // No count yet: the only answer came from a delivery that was not confirmed (recordOutcome writes none for it).
    const grew = 'attribute_not_exists(notifiedCount) OR notifiedCount < :count';
    // The claim of the note carries a token: the SDK's retry of it, when the answer was lost, finds its own write and still notifies.
    const noteToken = randomUUID();
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET lastSeenAt = :now, findingCount = :count, notifiedCount = :count, noteToken = :noteToken ADD deliveries :one',
          ConditionExpression: owns ? `${owns.condition} AND (${grew})` : grew,
          ExpressionAttributeValues: { ':now': now, ':count': n(count), ':noteToken': s(noteToken), ':one': n(1), ...owns?.values },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { countGrew: true, owned: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (stringOf(error.Item, 'noteToken') === noteToken) return { countGrew: true, owned: true };
    }
    // A plain count of the delivery. Its SDK retry after a lost answer counts the delivery twice: \`deliveries\` is a
    // statistic for people, never a decision, so a conditional write for it is not worth its cost.
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one',
          ...(owns ? { ConditionExpression: owns.condition } : {}),
          ExpressionAttributeValues: { ':now': now, ':one': n(1), ...owns?.values },
        }),
      );
    } catch (error) {
      if (owns && isConditionFailure(error)) return { countGrew: false, owned: false };
      throw error;
    }
    return { countGrew: false, owned: true };
  }

  /**
   * A confirmed finding joins an answered incident about its resource: the
   * finding is added to the incident's findings (findingIds, and the list
   * joinedFindings up to JOINED_FINDINGS_LISTED entries), once. The write
   * is the claim of its one short note: \`joined\` true when this delivery
   * added it (the SDK's retry of it, when the answer was lost, finds its own
   * joinToken), false when an earlier delivery of the finding had.
   */
  async noteJoin(incidentId: string, finding: Finding): Promise<JoinNote> {
    const now = s(this.now().toISOString());
    const entry = map({ findingId: s(finding.id), findingType: s(finding.type), severity: n(finding.severity), joinedAt: now });
    const notJoined = 'NOT contains(findingIds, :findingId)';
    const attempt = async (listed: boolean): Promise<{ readonly written: boolean; readonly item: Item | undefined }> => {
      const token = randomUUID();
      try {
        const answer = await this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: incidentKey(incidentId),
            UpdateExpression: listed
              ? 'SET lastSeenAt = :now, joinToken = :token, joinedFindings = list_append(if_not_exists(joinedFindings, :none), :entry) ADD findingIds :findingIds, deliveries :one'
              : 'SET lastSeenAt = :now, joinToken = :token ADD findingIds :findingIds, joinedBeyondList :one, deliveries :one',
            ConditionExpression: listed ? `${notJoined} AND (attribute_not_exists(joinedFindings) OR size(joinedFindings) < :listed)` : notJoined,
            ExpressionAttributeValues: {
              ':now': now,
              ':token': s(token),
              ':findingId': s(finding.id),
              ':findingIds': { SS: [finding.id] },
              ':one': n(1),
              ...(listed ? { ':none': list([]), ':entry': list([entry]), ':listed': n(JOINED_FINDINGS_LISTED) } : {}),
            },
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { written: true, item: answer.Attributes };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // The SDK's retry of this very write after its answer was lost: the item as it is holds the finding once already.
        return { written: stringOf(error.Item, 'joinToken') === token, item: error.Item };
      }
    };
    const joined = (item: Item | undefined): JoinNote => {
      const findings = item?.findingIds?.SS?.length;
      return findings !== undefined ? { joined: true, findings } : { joined: true };
    };
    const first = await attempt(true);
    if (first.written) return joined(first.item);
    if (!(first.item?.findingIds?.SS ?? []).includes(finding.id)) {
      // The list is full: the finding is counted, not listed.
      const beyond = await attempt(false);
      if (beyond.written) return joined(beyond.item);
    }
    // An earlier delivery of this finding joined it: this one is only counted. (Its SDK retry may count it twice: a statistic.)
    await this.dynamodb.send(
      new UpdateItemCommand({ TableName: this.tableName, Key: incidentKey(incidentId), UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one', ExpressionAttributeValues: { ':now': now, ':one': n(1) } }),
    );
    return { joined: false };
  }

  /**
   * What the claiming delivery did. Gives the claim back (REMOVE leaseUntil),
   * only if it still holds it: a delivery that overran its lease and was
   * superseded must not overwrite the record of the one that took over.
   * A delivery GuardDuty did not confirm writes only the time it was seen
   * (lastUnconfirmedAt) and, if it answered, the answer: the finding's
   * fields, the steps and the pending notification stay the genuine ones.
   */
  async recordOutcome(input: OutcomeInput): Promise<OutcomeWrite> {
    const { report, confirmed } = input;
    const at = s(this.now().toISOString());
    const kind = input.answered && input.answerKind ? input.answerKind : undefined;
    const answer = input.answered ? ['respondedLevel = :level', 'respondedAt = :at', ...(kind ? ['answerKind = :answerKind'] : [])] : [];
    const answerValues: Item = input.answered ? { ':level': n(LEVEL[input.level]), ...(kind ? { ':answerKind': s(kind) } : {}) } : {};
    const releaseClaim = ['leaseUntil', 'claimToken', 'claimLevel', 'claimActing'];
    // Each write carries its own token: the SDK's retry of one whose answer was lost finds it (writeOutcome), and is 'recorded'.
    const releaseOnly = (withAnswer: boolean) =>
      this.writeOutcome({
        TableName: this.tableName,
        Key: incidentKey(input.incidentId),
        UpdateExpression: `SET ${['lastUnconfirmedAt = :at', 'outcomeToken = :outcomeToken', ...(withAnswer ? answer : [])].join(', ')} REMOVE ${releaseClaim.join(', ')}`,
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeValues: { ':token': s(input.token), ':outcomeToken': s(randomUUID()), ':at': at, ...(withAnswer ? answerValues : {}) },
      });
    if (!confirmed) return releaseOnly(true);
    // notify confirms nothing: its outcome is written only where no other playbook's is (REPORT_ONLY_MAY_WRITE).
    const reportOnly = !actsInFindingAccount(confirmed.playbook);
    const count = findingCountOf(confirmed.finding);
    const sets = [
      'findingType = :findingType',
      'severity = :severity',
      'playbook = :playbook',
      'findingCount = :count',
      'notifiedCount = :count',
      'resourceSummary = :resource',
      'responseMode = :mode',
      'blockedBy = :blockedBy',
      'steps = :steps',
      'failedReads = :failedReads',
      'summary = :summary',
      'lastResponseAt = :at',
      'outcomeToken = :outcomeToken',
      ...answer,
      ...(input.pendingNotification ? ['pendingNotification = :pending'] : []),
    ];
    const removes = [...releaseClaim, ...(input.pendingNotification ? [] : ['pendingNotification'])];
    // Every finding GuardDuty confirmed for this incident (a string set): a later delivery of one of them is a repeat, not a join.
    const adds = 'ADD findingIds :findingIds';
    const written = await this.writeOutcome({
          TableName: this.tableName,
          Key: incidentKey(input.incidentId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')} ${adds}`,
          ConditionExpression: reportOnly ? `claimToken = :token AND ${REPORT_ONLY_MAY_WRITE}` : 'claimToken = :token',
          ExpressionAttributeValues: {
            ':token': s(input.token),
            ...(reportOnly ? { ':reportOnly': s(confirmed.playbook) } : {}),
            ':findingType': s(confirmed.finding.type),
            ':severity': n(confirmed.finding.severity),
            ':playbook': s(confirmed.playbook),
            ':count': n(count),
            ':resource': s(JSON.stringify(report.resource)),
            ':mode': s(input.level),
            ':blockedBy': list(report.blockedBy.map(s)),
            ':steps': stepsOf(report),
            ':failedReads': failedReadsOf(report),
            ':summary': map({ done: n(report.summary.done), skipped: n(report.summary.skipped), failed: n(report.summary.failed) }),
            ':at': at,
            ':outcomeToken': s(randomUUID()),
            ':findingIds': { SS: [confirmed.finding.id] },
            ...answerValues,
            ...(input.pendingNotification ? { ':pending': pendingNotificationValue(input.pendingNotification) } : {}),
          },
    });
    // Refused: another delivery took the claim over, or (notify) the record is an acting playbook's. Then it only gives the
    // claim back, if it still holds it, without answering: its answer must not use up the acting playbook's right to answer.
    return written === 'superseded' && reportOnly ? releaseOnly(false) : written;
  }

  /**
   * The outcome write, conditional on the claim (claimToken = :token): 'superseded' when another delivery took it over.
   * The write gives the claim back, so the SDK's retry of one whose answer was lost fails its condition against its own
   * write: the record then holds this write's outcomeToken, and the outcome is recorded.
   */
  private async writeOutcome(command: UpdateItemCommandInput): Promise<OutcomeWrite> {
    try {
      await this.dynamodb.send(new UpdateItemCommand({ ...command, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const own = command.ExpressionAttributeValues?.[':outcomeToken']?.S;
      return own !== undefined && stringOf(error.Item, 'outcomeToken') === own ? 'recorded' : 'superseded';
    }
  }

  /**
   * The final report of a response that waited for a decision (lambda/respond/resume.ts), written over the record
   * its first act left "awaiting-approval": only while it still says so (ConditionExpression), so no other answer
   * is overwritten. Answered, the record takes the new answer; not answered (a change failed), the answer is removed
   * and the incident is open again for the next delivery. Asked again, it stays awaiting.
   */
  async recordResumedOutcome(input: { readonly incidentId: string; readonly report: Report; readonly answer: Answer }): Promise<OutcomeWrite> {
    const { report, answer } = input;
    const at = s(this.now().toISOString());
    const sets = ['blockedBy = :blockedBy', 'steps = :steps', 'failedReads = :failedReads', 'summary = :summary', 'lastResponseAt = :at', 'outcomeToken = :outcomeToken'];
    const answerSets = answer.answered ? ['respondedAt = :at', 'answerKind = :answerKind'] : [];
    return this.writeOutcome({
      TableName: this.tableName,
      Key: incidentKey(input.incidentId),
      UpdateExpression: `SET ${[...sets, ...answerSets].join(', ')}${answer.answered ? '' : ' REMOVE respondedLevel, respondedAt, answerKind'}`,
      ConditionExpression: 'answerKind = :awaiting',
      ExpressionAttributeValues: {
        ':awaiting': s('awaiting-approval'),
        ':blockedBy': list(report.blockedBy.map(s)),
        ':steps': stepsOf(report),
        ':failedReads': failedReadsOf(report),
        ':summary': map({ done: n(report.summary.done), skipped: n(report.summary.skipped), failed: n(report.summary.failed) }),
        ':at': at,
        ':outcomeToken': s(randomUUID()),
        ...(answer.answered ? { ':answerKind': s(answer.kind) } : {}),
      },
    });
  }

  /**
   * A later delivery's notification: a pending one is cleared once sent, and kept (or set) when it fails again.
   * Both writes are idempotent (REMOVE, SET of one value; notify's condition holds as before), so the SDK's
   * retry of one whose answer was lost needs no token.
   */
  async settleNotification(incidentId: string, result: { readonly sent: true } | { readonly pending: PendingNotification }, playbook: PlaybookName): Promise<void> {
    // notify only settles a notify incident's notification (REPORT_ONLY_OWNS); a refused write changes nothing.
    const owns = actsInFindingAccount(playbook) ? undefined : { ConditionExpression: REPORT_ONLY_OWNS, values: { ':reportOnly': s(playbook) } };
    const command: UpdateItemCommandInput =
      'sent' in result
        ? { TableName: this.tableName, Key: incidentKey(incidentId), UpdateExpression: 'REMOVE pendingNotification' }
        : {
            TableName: this.tableName,
            Key: incidentKey(incidentId),
            UpdateExpression: 'SET pendingNotification = :pending',
            ExpressionAttributeValues: { ':pending': pendingNotificationValue(result.pending) },
          };
    try {
      await this.dynamodb.send(
        new UpdateItemCommand(
          owns ? { ...command, ConditionExpression: owns.ConditionExpression, ExpressionAttributeValues: { ...command.ExpressionAttributeValues, ...owns.values } } : command,
        ),
      );
    } catch (error) {
      if (!(owns && isConditionFailure(error))) throw error;
    }
  }
}

