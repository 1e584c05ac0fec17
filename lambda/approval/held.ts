import type { StepApproval } from './types';

/*
 * How a step the approval policy holds back is reported, until the wait
 * (issue 13's phases) turns `approve` into a durable wait: the executor
 * skips it with one of these reasons, and its dependants skip as for any
 * step they need. The ledger (lambda/ledger/answered.ts), the close-the-loop
 * steps (lambda/close-loop/containment.ts) and the notification read the
 * reasons back by their prefix.
 */

export const AWAITS_APPROVAL = 'awaits approval';
export const REFUSED_BY_POLICY = 'not made: the approval policy says never';

/** Why the executor does not run this step now, or undefined when the policy lets it run (auto, or no decision at all). */
export function heldByApproval(approval: StepApproval | undefined): string | undefined {
  if (!approval || approval.mode === 'auto') return undefined;
  // The rule's id only: the plan document's decision (StepApproval.why) says what it matched on.
  if (approval.mode === 'approve') return `${AWAITS_APPROVAL} (rule ${approval.ruleId})`;
  return `${REFUSED_BY_POLICY} (rule ${approval.ruleId})`;
}

export function isAwaitingApproval(reason: string | undefined): boolean {
  return reason?.startsWith(AWAITS_APPROVAL) ?? false;
}

export function isRefusedByPolicy(reason: string | undefined): boolean {
  return reason?.startsWith(REFUSED_BY_POLICY) ?? false;
}
