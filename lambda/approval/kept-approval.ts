import type { PlannedStep } from '../plan/types';
import type { HashedStep } from './plan-hash';
import { needsDecision } from './split';

/*
 * An approval is of the steps it was shown (WaitingState.approved), not of
 * the policy's answer when it arrives. At resume the plan is made again and
 * the policy evaluated again on the resource as read now: a tag removed
 * during the wait (env=prod, by whoever holds the instance's role), or a
 * policy relaxed since, can rate an approved change `auto`. Left as it is,
 * that change would fall out of the decided steps and never run (the first
 * act reported it "awaits approval"). So every approved step planned again
 * that the policy now rates lower than `approve` keeps needing the decision:
 * it runs on an approval (or a deadline that acts) after the re-plan check
 * has compared it with what was shown (never wider without asking again),
 * and is reported not run on a denial. Never fewer than approved.
 *
 * A step the policy now rates `never` is the exception, on purpose: the
 * policy's refusal is the later and stricter word, so it is not run, and is
 * reported skipped with the rule that refused it (split.ts neverRuns), and
 * the report's approval says so (refusedSinceApproval).
 */

/** The re-planned steps, the approved ones the policy now rates lower than `approve` still waiting for the decision. */
export function keepApproved(steps: readonly PlannedStep[], approved: readonly HashedStep[], planHash: string): PlannedStep[] {
  const ids = new Set(approved.map((s) => s.id));
  return steps.map((step): PlannedStep => {
    if (!ids.has(step.id) || needsDecision(step) || step.approval?.mode === 'never') return step;
    const changeClass = step.approval?.changeClass ?? step.changeClass;
    // A step of no class waited only with one it needs or follows (split.ts): it still does, through that one.
    if (changeClass === undefined) return step;
    const now = step.approval ? `${step.approval.mode} (rule ${step.approval.ruleId})` : 'not governed';
    return {
      ...step,
      approval: {
        mode: 'approve',
        changeClass,
        ruleId: step.approval?.ruleId ?? 'default',
        why: `approved on plan ${planHash}; the policy now rates it ${now}, but an approval runs every change it was shown`,
      },
    };
  });
}

/** The approved steps the policy now rates `never`: not run, reported with the rule. */
export function refusedSinceApproval(steps: readonly PlannedStep[], approved: readonly HashedStep[]): PlannedStep[] {
  const ids = new Set(approved.map((s) => s.id));
  return steps.filter((s) => ids.has(s.id) && s.approval?.mode === 'never');
}
