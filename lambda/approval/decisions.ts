import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionFailure, map, s, stringOf, type Item } from '../ledger/attributes';
import { approvalKey, approvalViewOf, type ApprovalView } from './pending-approval';

/*
 * Recording a person's decision on a waiting response: ONE conditional
 * UpdateItem on the approval item, `status = 'pending' AND planHash = :shown
 * AND deadline > :now`. So a decision
 * counts only on the exact plan the person was shown, only before its
 * deadline (after it, the deadline event decides, per onTimeout: a late click
 * must not overturn a stand-down or race an act; a request the blast-radius
 * brake gave back has a new deadline, at which it stands down:
 * PendingApprovals.reopenAfterBrake), only once, and two people deciding at the same moment cannot both win: DynamoDB
 * serialises the writes and the second one's condition is false. A refusal
 * changes nothing and says why, from the item as it was
 * (ReturnValuesOnConditionCheckFailure).
 */

export type ApprovalChannel = 'cli' | 'email' | 'chat' | 'security-hub';
export const APPROVAL_CHANNELS: readonly ApprovalChannel[] = ['cli', 'email', 'chat', 'security-hub'];

export interface Decision {
  readonly incidentId: string;
  /** The hash of the plan the person was shown: the decision binds to it. */
  readonly planHash: string;
  readonly decision: 'approve' | 'deny';
  /** Who decided, as the channel verified it (an IAM ARN, the email link's holder, the chat channel's role). */
  readonly by: string;
  readonly channel: ApprovalChannel;
  /** When, ISO 8601. */
  readonly at: string;
  readonly reason?: string;
  /**
   * Everything the channel was given about where the decision came from, beyond `by` (chat: the channel
   * configuration's ids; and, where AWS names nobody, `person` says so): recorded as given, in the ledger and the evidence.
   */
  readonly origin?: Readonly<Record<string, string>>;
}

export type RefusalReason = 'no-pending' | 'already-decided' | 'plan-changed' | 'expired';

export type DecisionResult = { status: 'recorded' } | { status: 'refused'; reason: RefusalReason; detail: string };

export interface LedgerTable {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
}

/** The status a decision leaves the approval in. */
export const DECIDED_STATUS = { approve: 'approved', deny: 'denied' } as const;

/**
 * The decision's time in the stored deadline's form (Date.toISOString: always `YYYY-MM-DDTHH:MM:SS.sssZ`, UTC),
 * so that DynamoDB's string comparison `deadline > :now` is a comparison of instants. An unreadable time throws.
 */
function comparableInstant(at: string): string {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`the decision's time ${JSON.stringify(at).slice(0, 40)} is not an ISO 8601 instant`);
  return new Date(ms).toISOString();
}

/** The exact request: a test holds it, and it is the whole of the concurrency argument above. */
export function decisionUpdate(table: string, decision: Decision) {
  return {
    TableName: table,
    Key: approvalKey(decision.incidentId),
    UpdateExpression: 'SET #status = :decided, #decision = :decision',
    ConditionExpression: '#status = :pending AND #planHash = :shown AND #deadline > :now',
    ExpressionAttributeNames: { '#status': 'status', '#planHash': 'planHash', '#decision': 'decision', '#deadline': 'deadline' },
    ExpressionAttributeValues: {
      ':decided': s(DECIDED_STATUS[decision.decision]),
      ':pending': s('pending'),
      ':shown': s(decision.planHash),
      ':now': s(comparableInstant(decision.at)),
      ':decision': map({
        decision: s(decision.decision),
        by: s(decision.by),
        at: s(decision.at),
        channel: s(decision.channel),
        reason: decision.reason === undefined ? undefined : s(decision.reason),
        planHash: s(decision.planHash),
        origin: decision.origin === undefined ? undefined : map(Object.fromEntries(Object.entries(decision.origin).map(([key, value]) => [key, s(value)]))),
      }),
    },
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** Why the condition was false, from the item as it was before the write. */
export function refusalOf(old: Item | undefined, decision: Decision): Extract<DecisionResult, { status: 'refused' }> {
  const status = stringOf(old, 'status');
  if (old === undefined || status === undefined) {
    return { status: 'refused', reason: 'no-pending', detail: `incident ${decision.incidentId} has no response waiting for approval` };
  }
  if (status !== 'pending') {
    const earlier = old.decision?.M;
    const who = earlier ? ` by ${earlier.by?.S ?? 'unknown'} at ${earlier.at?.S ?? 'unknown time'} (${earlier.channel?.S ?? 'unknown channel'})` : '';
    return { status: 'refused', reason: 'already-decided', detail: `incident ${decision.incidentId} is no longer waiting: it was ${status}${who}; nothing changed` };
  }
  const deadline = stringOf(old, 'deadline');
  const deadlineMs = deadline === undefined ? NaN : Date.parse(deadline);
  // Compared as instants here (an item written in another ISO form still reads right); an unreadable deadline is over.
  if (!Number.isFinite(deadlineMs) || deadlineMs <= Date.parse(comparableInstant(decision.at))) {
    return {
      status: 'refused',
      reason: 'expired',
      detail:
        `the decision time on incident ${decision.incidentId} is over (deadline ${deadline ?? 'unknown'}, decision at ${decision.at}): ` +
        `the deadline decides, as configured (act or stand down); nothing changed`,
    };
  }
  return {
    status: 'refused',
    reason: 'plan-changed',
    detail:
      `the plan of incident ${decision.incidentId} changed since it was shown (shown ${decision.planHash.slice(0, 12)}, ` +
      `now ${(stringOf(old, 'planHash') ?? 'none').slice(0, 12)}): look at the new plan and decide again; nothing changed`,
  };
}

export type DecisionWrite = { status: 'recorded'; readonly approval: ApprovalView } | Extract<DecisionResult, { status: 'refused' }>;

/** recordDecision, also returning the decided approval (for the evidence and the playbook to resume). */
export async function writeDecision(ledger: LedgerTable, decision: Decision): Promise<DecisionWrite> {
  try {
    const answer = await ledger.dynamodb.send(new UpdateItemCommand(decisionUpdate(ledger.table, decision)));
    const approval = approvalViewOf(answer.Attributes);
    if (!approval) throw new Error(`the ledger answered the decision on incident ${decision.incidentId} without the approval item`);
    return { status: 'recorded', approval };
  } catch (error) {
    if (isConditionFailure(error)) return refusalOf(error.Item, decision);
    throw error;
  }
}

export async function recordDecision(ledger: LedgerTable, decision: Decision): Promise<DecisionResult> {
  const written = await writeDecision(ledger, decision);
  return written.status === 'recorded' ? { status: 'recorded' } : written;
}
