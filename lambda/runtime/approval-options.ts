import { PendingApprovals, type OnTimeout } from '../approval/pending';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES, DEFAULT_ESCALATE_MINUTES_BEFORE } from '../approval/schema';
import type { AccountAccess } from '../aws/account-access';
import type { ApprovalWaitOptions } from '../respond/wait';
import type { LambdaEnvironment } from './environment';
import type { LambdaContext } from './home-account';
import type { PlaybookEntry } from './playbook-entry';

/*
 * How a playbook Lambda waits for a decision (lambda/respond/wait.ts): the
 * pending approval in its ledger table, the schedules in the stack's group,
 * invoking this very function (the ARN it was invoked by), the escalation
 * topic. Without a ledger there is nothing to wait on; without a schedule
 * writer, group or role, nothing would end the wait: either way a change
 * that needs a decision is not made, and the report says why.
 */

const MINUTE_MS = 60_000;

/** How long a decision is waited for, when the escalation topic is told and what the deadline does: the `approval` key's (its defaults without one). */
export const DEFAULT_APPROVAL_WAIT_MS = DEFAULT_APPROVAL_TIMEOUT_MINUTES * MINUTE_MS;
export const DEFAULT_ESCALATE_BEFORE_MS = DEFAULT_ESCALATE_MINUTES_BEFORE * MINUTE_MS;
export const DEFAULT_ON_TIMEOUT: OnTimeout = 'stand-down';

export function approvalOptionsFor(input: {
  readonly env: LambdaEnvironment;
  readonly access: AccountAccess;
  readonly context: LambdaContext;
  readonly entry: PlaybookEntry;
}): ApprovalWaitOptions | undefined {
  const { env, access, context, entry } = input;
  if (!env.ledgerTableName || !env.defaultRegion) return undefined;
  const home = access.homeClients(env.defaultRegion);
  const group = env.approval?.scheduleGroup;
  const roleArn = env.approval?.schedulerRoleArn;
  const functionArn = context.invokedFunctionArn;
  const writer = entry.scheduleWriter?.(home);
  const policy = env.config.approval;
  return {
    pending: new PendingApprovals(home.dynamodb, env.ledgerTableName),
    schedules: writer && group && roleArn && functionArn ? { writer, target: { groupName: group, roleArn, functionArn } } : undefined,
    waitMs: policy ? policy.timeoutMinutes * MINUTE_MS : DEFAULT_APPROVAL_WAIT_MS,
    escalateBeforeMs: policy ? policy.escalateMinutesBefore * MINUTE_MS : DEFAULT_ESCALATE_BEFORE_MS,
    onTimeout: policy?.onTimeout ?? DEFAULT_ON_TIMEOUT,
    // escalateMinutesBefore 0: no escalation, whatever topic the stack hands over.
    ...(env.approval?.escalationTopicArn && policy?.escalateMinutesBefore !== 0 ? { escalationTopicArn: env.approval.escalationTopicArn, escalationSns: home.sns } : {}),
  };
}
