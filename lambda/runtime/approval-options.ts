import { PendingApprovals, type OnTimeout } from '../approval/pending';
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

/** How long a decision is waited for, and when the escalation topic is told, until the policy's configuration says (issue 13). */
export const DEFAULT_APPROVAL_WAIT_MS = 60 * 60 * 1000;
export const DEFAULT_ESCALATE_BEFORE_MS = 15 * 60 * 1000;
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
  return {
    pending: new PendingApprovals(home.dynamodb, env.ledgerTableName),
    schedules: writer && group && roleArn && functionArn ? { writer, target: { groupName: group, roleArn, functionArn } } : undefined,
    waitMs: DEFAULT_APPROVAL_WAIT_MS,
    escalateBeforeMs: DEFAULT_ESCALATE_BEFORE_MS,
    onTimeout: DEFAULT_ON_TIMEOUT,
    ...(env.approval?.escalationTopicArn ? { escalationTopicArn: env.approval.escalationTopicArn, escalationSns: home.sns } : {}),
  };
}
