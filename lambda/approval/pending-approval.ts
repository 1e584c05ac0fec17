import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringOf, type Item } from '../ledger/attributes';

/*
 * The pending approval of one waiting response, as the decision channels
 * read it (the item is written by the wait phase; its layout is the
 * approval contract: docs/approval-channels.md). The channels show it and decide on
 * it; they never trust a planHash, incident id or playbook that came with a
 * request: those are read here, from the ledger.
 */

export const APPROVAL_KEY_PREFIX = 'approval#';

export function approvalKey(incidentId: string): Item {
  return { pk: { S: `${APPROVAL_KEY_PREFIX}${incidentId}` } };
}

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** What a channel needs of a pending approval: what to show, and what to bind a decision to. */
export interface ApprovalView {
  readonly incidentId: string;
  readonly status: ApprovalStatus | 'unknown';
  readonly planHash: string;
  /** The waiting steps' documents (JSON text), shown to the person deciding: attacker-influenced, always escaped on output. */
  readonly plan: string;
  readonly findingId: string | undefined;
  readonly playbook: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly requestedAt: string | undefined;
  readonly deadline: string | undefined;
  readonly onTimeout: string | undefined;
  /**
   * Decided and taken by a resuming response that has not recorded its outcome (lambda/approval/pending.ts take):
   * in flight while its lease runs; once the lease ended, the resume failed or crashed, and nothing acts on it until
   * an event for the request takes it again.
   */
  readonly resume?: { readonly state: 'in-flight' | 'lease-expired'; readonly takenAt: string; readonly until: string };
}

export interface Ledger {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
}

function statusOf(value: string | undefined): ApprovalView['status'] {
  return (APPROVAL_STATUSES as readonly string[]).includes(value ?? '') ? (value as ApprovalStatus) : 'unknown';
}

/** An approval item as a view; undefined when the item is not an approval (no pk of ours, no plan hash). */
export function approvalViewOf(item: Item | undefined, now: Date = new Date()): ApprovalView | undefined {
  const pk = stringOf(item, 'pk');
  const planHash = stringOf(item, 'planHash');
  if (!pk?.startsWith(APPROVAL_KEY_PREFIX) || planHash === undefined) return undefined;
  const takenAt = stringOf(item, 'resumedAt');
  const until = stringOf(item, 'takenUntil');
  const resume =
    takenAt !== undefined && until !== undefined && stringOf(item, 'closedAt') === undefined
      ? { state: Date.parse(until) < now.getTime() ? ('lease-expired' as const) : ('in-flight' as const), takenAt, until }
      : undefined;
  return {
    incidentId: pk.slice(APPROVAL_KEY_PREFIX.length),
    status: statusOf(stringOf(item, 'status')),
    planHash,
    plan: stringOf(item, 'plan') ?? '[]',
    findingId: stringOf(item, 'findingId'),
    playbook: stringOf(item, 'playbook'),
    accountId: stringOf(item, 'accountId'),
    region: stringOf(item, 'region'),
    requestedAt: stringOf(item, 'requestedAt'),
    deadline: stringOf(item, 'deadline'),
    onTimeout: stringOf(item, 'onTimeout'),
    ...(resume ? { resume } : {}),
  };
}

/** The approval of an incident as the ledger holds it now (a consistent read), or undefined. */
export async function readApproval(ledger: Ledger, incidentId: string): Promise<ApprovalView | undefined> {
  const answer = await ledger.dynamodb.send(new GetItemCommand({ TableName: ledger.table, Key: approvalKey(incidentId), ConsistentRead: true }));
  return approvalViewOf(answer.Item);
}

/** More than any team waits on at once; a longer list is cut, and says so. */
export const PENDING_LISTED = 100;

/**
 * The approvals still waiting (`ir pending`), and the decided ones whose resumed response has not finished. A Scan with a filter: the
 * ledger has one key and no index, and approvals are few; it reads the
 * whole table, page by page, and stops at PENDING_LISTED.
 */
export async function listPendingApprovals(ledger: Ledger, now: Date = new Date()): Promise<{ readonly approvals: ApprovalView[]; readonly truncated: boolean }> {
  const approvals: ApprovalView[] = [];
  let start: Item | undefined;
  do {
    const page = await ledger.dynamodb.send(
      new ScanCommand({
        TableName: ledger.table,
        // Also a decided request whose resumed response has not recorded its outcome (in flight, or its lease ended: failed or crashed).
        FilterExpression: 'begins_with(pk, :prefix) AND (#status = :pending OR (attribute_exists(resumedAt) AND attribute_exists(takenUntil) AND attribute_not_exists(closedAt)))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':prefix': { S: APPROVAL_KEY_PREFIX }, ':pending': { S: 'pending' } },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const view = approvalViewOf(item, now);
      if (view) approvals.push(view);
      if (approvals.length > PENDING_LISTED) return { approvals: approvals.slice(0, PENDING_LISTED), truncated: true };
    }
    start = page.LastEvaluatedKey;
  } while (start);
  approvals.sort((a, b) => (a.requestedAt ?? '').localeCompare(b.requestedAt ?? ''));
  return { approvals, truncated: false };
}
