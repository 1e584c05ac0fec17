import type { PlannedStep } from '../plan/types';
import { REFUSED_BY_POLICY } from './held';

/*
 * Which steps of a plan wait for a person's decision: those the policy
 * marks `approve`, and every step that needs, follows or compensates one of
 * them (it cannot run before them). Everything else runs at once, evidence
 * first. A step the policy marks `never` does not run: it is reported skipped.
 */

export function needsDecision(step: Pick<PlannedStep, 'approval'>): boolean {
  return step.approval?.mode === 'approve';
}

export interface ApprovalSplit {
  /** Run in the first act, in plan order (`never` steps turned into skips). */
  readonly now: readonly PlannedStep[];
  /** Held until a decision, in plan order. Empty: nothing waits. */
  readonly later: readonly PlannedStep[];
}

export function splitForApproval(steps: readonly PlannedStep[]): ApprovalSplit {
  const waiting = new Set<string>();
  // Plan order: a step's requirements and the step it follows come from earlier stages, so one pass sees them first.
  for (const step of steps) {
    const after = [...step.requires, ...(step.follows !== undefined ? [step.follows] : []), ...(step.compensates !== undefined ? [step.compensates] : [])];
    if (needsDecision(step) || after.some((id) => waiting.has(id))) waiting.add(step.id);
  }
  return {
    now: steps.filter((s) => !waiting.has(s.id)).map(neverRuns),
    later: steps.filter((s) => waiting.has(s.id)),
  };
}

/** A change the policy never allows is planned and shown, and reported skipped with the rule that said so. */
export function neverRuns(step: PlannedStep): PlannedStep {
  if (step.approval?.mode !== 'never') return step;
  // The rule's id only, as heldByApproval says it: the plan document's decision (StepApproval.why) says what it matched.
  const { ruleId } = step.approval;
  return { ...step, run: () => Promise.resolve({ status: 'skipped', reason: `${REFUSED_BY_POLICY} (rule ${ruleId})` }) };
}
