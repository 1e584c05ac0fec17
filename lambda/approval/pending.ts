import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, map, s, stringOf, type Item } from '../ledger/attributes';

/*
 * The pending approval of one waiting response, in the incident ledger:
 * `pk = "approval#" + incidentId` (issue 13's contract between the policy,
 * the decision channels and the phases). The decision channels record a
 * decision on it (one conditional UpdateItem: status 'pending' and the plan
 * hash they showed); the response resumes from it and trusts nothing else.
 * A response takes the item to act on it (resumedAt) with a lease
 * (takenBy, takenUntil): another invocation finds it taken and does nothing
 * while the lease runs; Lambda's retry of the same invocation (the same
 * request id), or any event for it once the lease has run out (a crash, a
 * timeout), takes it again and runs the resumed act again (idempotent, as a
 * retried first act is: every change is read before it is made). The act's
 * end closes it for good (closedAt), or gives the lease back at once when
 * the invocation fails to be retried (release).
 */

export const APPROVAL_KEY_PREFIX = 'approval#';
export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type OnTimeout = 'act' | 'stand-down';

export function approvalKey(incidentId: string): Item {
  return { pk: s(`${APPROVAL_KEY_PREFIX}${incidentId}`) };
}

export interface PendingRequest {
  readonly incidentId: string;
  readonly planHash: string;
  /** The waiting steps' documents, for display (JSON). */
  readonly plan: string;
  readonly findingId: string;
  readonly playbook: string;
  readonly accountId: string;
  readonly region: string;
  readonly requestedAt: string;
  readonly deadline: string;
  readonly onTimeout: OnTimeout;
  /** The stored phases state (JSON: lambda/respond/waiting-state.ts). */
  readonly state: string;
}

export interface RecordedDecision {
  readonly decision: 'approve' | 'deny';
  readonly by: string;
  readonly at: string;
  readonly channel: string;
  readonly reason?: string;
  readonly planHash: string;
}

export interface PendingApproval extends PendingRequest {
  readonly status: ApprovalStatus;
  readonly decision?: RecordedDecision;
  readonly resumedAt?: string;
  /** When the blast-radius brake refused the decided act and gave the request back (reopenAfterBrake): only a person decides it now. */
  readonly brakeHeldAt?: string;
  readonly escalatedAt?: string;
  /** Who holds the take (the resuming invocation's request id) and until when (ISO): after it, another may take it again. */
  readonly takenBy?: string;
  readonly takenUntil?: string;
  /** The resumed act recorded its outcome: never taken again. */
  readonly closedAt?: string;
}

/** The resuming invocation's lease on the request. */
export interface TakeLease {
  readonly by: string;
  readonly until: Date;
}

/**
 * Whether a taken request may be taken again by `by` at `now`: not closed, and the same invocation retried or the
 * lease run out. A take with no lease (written before leases) is treated as closed: it may have completed.
 */
export function retakeable(item: PendingApproval, by: string, now: Date): boolean {
  if (item.resumedAt === undefined) return false;
  if (item.closedAt !== undefined || item.takenUntil === undefined) return false;
  return item.takenBy === by || Date.parse(item.takenUntil) < now.getTime();
}

export type Take = 'taken' | 'not-takeable';

export class PendingApprovals {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Writes the request; replaces an earlier one only once it is decided (a changed plan asks again), never a pending one. */
  async request(request: PendingRequest): Promise<'requested' | 'already-pending'> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...approvalKey(request.incidentId),
            status: s('pending'),
            planHash: s(request.planHash),
            plan: s(request.plan),
            findingId: s(request.findingId),
            playbook: s(request.playbook),
            accountId: s(request.accountId),
            region: s(request.region),
            requestedAt: s(request.requestedAt),
            deadline: s(request.deadline),
            onTimeout: s(request.onTimeout),
            state: s(request.state),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status <> :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': s('pending') },
        }),
      );
      return 'requested';
    } catch (error) {
      if (isConditionFailure(error)) return 'already-pending';
      throw error;
    }
  }

  async read(incidentId: string): Promise<PendingApproval | undefined> {
    const answer = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: approvalKey(incidentId), ConsistentRead: true }));
    return answer.Item ? pendingOf(answer.Item) : undefined;
  }

  /**
   * Takes a decided request to act on it: conditional on the status and plan hash read, and either on no invocation
   * having taken it, or (a retry: `item.resumedAt` set) on the same take as read, not closed, and held by this
   * invocation or with its lease run out. The deadline takes a still-pending one and marks it expired in the same
   * write, so that a decision recorded after it is refused (its condition is status 'pending').
   */
  async take(item: PendingApproval, now: Date, expire: boolean, lease: TakeLease): Promise<Take> {
    const again = item.resumedAt !== undefined;
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: approvalKey(item.incidentId),
          UpdateExpression: `SET resumedAt = :now, takenBy = :by, takenUntil = :until${expire ? ', #status = :expired' : ''}`,
          ConditionExpression: again
            ? '#status = :status AND planHash = :hash AND resumedAt = :taken AND attribute_not_exists(closedAt) AND (takenBy = :by OR takenUntil < :now)'
            : '#status = :status AND planHash = :hash AND attribute_not_exists(resumedAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':now': s(now.toISOString()),
            ':by': s(lease.by),
            ':until': s(lease.until.toISOString()),
            ':status': s(item.status),
            ':hash': s(item.planHash),
            ...(again ? { ':taken': s(item.resumedAt!) } : {}),
            ...(expire ? { ':expired': s('expired') } : {}),
          },
        }),
      );
      return 'taken';
    } catch (error) {
      if (isConditionFailure(error)) return 'not-takeable';
      throw error;
    }
  }

  /** The resumed act recorded its outcome: the request is closed for good (conditional on this invocation's take). */
  async close(incidentId: string, takenAt: Date, now: Date): Promise<boolean> {
    return this.afterTake(incidentId, takenAt, 'SET closedAt = :now REMOVE takenUntil', now);
  }

  /** The resumed act ended incomplete and its invocation fails to be retried: the lease ends now, so that any retry takes it again. */
  async release(incidentId: string, takenAt: Date, now: Date): Promise<boolean> {
    return this.afterTake(incidentId, takenAt, 'SET takenUntil = :now', now);
  }

  private async afterTake(incidentId: string, takenAt: Date, UpdateExpression: string, now: Date): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: approvalKey(incidentId),
          UpdateExpression,
          ConditionExpression: 'resumedAt = :taken AND attribute_not_exists(closedAt)',
          ExpressionAttributeValues: { ':now': s(now.toISOString()), ':taken': s(takenAt.toISOString()) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Gives a taken request back to the people, after the blast-radius brake refused to act on it
   * (lambda/respond/resume-brake.ts): status 'pending' again on the same plan, so that a new decision
   * (after `ir brake release`) resumes it; the refused decision is kept as heldDecision, the time as
   * brakeHeldAt. It waits again with a new deadline (its schedules written again by the caller, and the
   * escalation marker removed so that the new escalation is sent), at which it stands down (onTimeout
   * 'stand-down'): releasing the brake never runs a held change by itself, only a person's new decision does.
   * Conditional on this invocation's take.
   */
  async reopenAfterBrake(item: PendingApproval, takenAt: Date, now: Date, deadline: Date): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: approvalKey(item.incidentId),
          UpdateExpression: `SET #status = :pending, onTimeout = :standDown, brakeHeldAt = :now, #deadline = :deadline${item.decision ? ', heldDecision = #decision' : ''} REMOVE resumedAt, takenBy, takenUntil, escalatedAt${item.decision ? ', #decision' : ''}`,
          ConditionExpression: 'resumedAt = :taken AND planHash = :hash',
          ExpressionAttributeNames: { '#status': 'status', '#deadline': 'deadline', ...(item.decision ? { '#decision': 'decision' } : {}) },
          ExpressionAttributeValues: {
            ':pending': s('pending'),
            ':standDown': s('stand-down'),
            ':now': s(now.toISOString()),
            ':deadline': s(deadline.toISOString()),
            ':taken': s(takenAt.toISOString()),
            ':hash': s(item.planHash),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Marks the escalation sent, once: false when it was already (a schedule delivered twice). */
  async markEscalated(item: PendingApproval, now: Date): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: approvalKey(item.incidentId),
          UpdateExpression: 'SET escalatedAt = :now',
          ConditionExpression: '#status = :pending AND planHash = :hash AND attribute_not_exists(escalatedAt)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': s(now.toISOString()), ':pending': s('pending'), ':hash': s(item.planHash) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function required(item: Item, name: string): string {
  const value = stringOf(item, name);
  if (value === undefined) throw new Error(`approval item ${stringOf(item, 'pk') ?? '(no key)'} has no ${name}`);
  return value;
}

function statusOf(value: string): ApprovalStatus {
  const status = APPROVAL_STATUSES.find((known) => known === value);
  if (!status) throw new Error(`approval item has an unknown status ${JSON.stringify(value).slice(0, 40)}`);
  return status;
}

function decisionOf(item: Item): RecordedDecision | undefined {
  const m = item.decision?.M;
  if (!m) return undefined;
  const decision = m.decision?.S;
  if (decision !== 'approve' && decision !== 'deny') throw new Error('approval item has a decision that is neither approve nor deny');
  const field = (name: string) => m[name]?.S ?? '';
  return { decision, by: field('by'), at: field('at'), channel: field('channel'), planHash: field('planHash'), ...(m.reason?.S !== undefined ? { reason: m.reason.S } : {}) };
}

export function pendingOf(item: Item): PendingApproval {
  const pk = required(item, 'pk');
  const onTimeout = required(item, 'onTimeout');
  if (onTimeout !== 'act' && onTimeout !== 'stand-down') throw new Error(`approval item ${pk} has an unknown onTimeout`);
  const decision = decisionOf(item);
  const resumedAt = stringOf(item, 'resumedAt');
  const escalatedAt = stringOf(item, 'escalatedAt');
  const brakeHeldAt = stringOf(item, 'brakeHeldAt');
  const takenBy = stringOf(item, 'takenBy');
  const takenUntil = stringOf(item, 'takenUntil');
  const closedAt = stringOf(item, 'closedAt');
  return {
    incidentId: pk.slice(APPROVAL_KEY_PREFIX.length),
    status: statusOf(required(item, 'status')),
    planHash: required(item, 'planHash'),
    plan: required(item, 'plan'),
    findingId: required(item, 'findingId'),
    playbook: required(item, 'playbook'),
    accountId: required(item, 'accountId'),
    region: required(item, 'region'),
    requestedAt: required(item, 'requestedAt'),
    deadline: required(item, 'deadline'),
    onTimeout,
    state: required(item, 'state'),
    ...(decision ? { decision } : {}),
    ...(resumedAt !== undefined ? { resumedAt } : {}),
    ...(escalatedAt !== undefined ? { escalatedAt } : {}),
    ...(brakeHeldAt !== undefined ? { brakeHeldAt } : {}),
    ...(takenBy !== undefined ? { takenBy } : {}),
    ...(takenUntil !== undefined ? { takenUntil } : {}),
    ...(closedAt !== undefined ? { closedAt } : {}),
  };
}

/** For tests and the decision channels' fixtures: the decision map as the contract writes it. */
export function decisionValue(decision: RecordedDecision) {
  return map({
    decision: s(decision.decision),
    by: s(decision.by),
    at: s(decision.at),
    channel: s(decision.channel),
    planHash: s(decision.planHash),
    ...(decision.reason !== undefined ? { reason: s(decision.reason) } : {}),
  });
}
