import { PendingApprovals } from '../approval/pending';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES, DEFAULT_ESCALATE_MINUTES_BEFORE, type ApprovalConfig, type OnTimeout } from '../approval/schema';
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

const MINUTE_MS = 60 * 1000;

/** The wait's timing: config.approval's (validated at synth: the escalation comes before the deadline), else the schema's defaults. */
export function approvalTimingOf(approval: Pick<ApprovalConfig, 'timeoutMinutes' | 'escalateMinutesBefore' | 'onTimeout'> | undefined): {
  readonly waitMs: number;
  readonly escalateBeforeMs: number;
  readonly onTimeout: OnTimeout;
} {
  return {
    waitMs: (approval?.timeoutMinutes ?? DEFAULT_APPROVAL_TIMEOUT_MINUTES) * MINUTE_MS,
    escalateBeforeMs: (approval?.escalateMinutesBefore ?? DEFAULT_ESCALATE_MINUTES_BEFORE) * MINUTE_MS,
    onTimeout: approval?.onTimeout ?? 'stand-down',
  };
}

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
  const timing = approvalTimingOf(env.config.approval);
  // Only an acting playbook's entry carries the signing code (lambda/approval/sdk-link-maker.ts): notify's bundle holds no KMS client.
  const links = entry.linkMaker?.(env.approval, env.defaultRegion, home);
  // escalateMinutesBefore 0 means no escalation at all, not one at the deadline.
  const escalates = env.approval?.escalationTopicArn !== undefined && timing.escalateBeforeMs > 0;
  return {
    pending: new PendingApprovals(home.dynamodb, env.ledgerTableName),
    schedules: writer && group && roleArn && functionArn ? { writer, target: { groupName: group, roleArn, functionArn } } : undefined,
    ...timing,
    ...(escalates ? { escalationTopicArn: env.approval!.escalationTopicArn!, escalationSns: home.sns } : {}),
    ...(links ? { links } : {}),
  };
}
