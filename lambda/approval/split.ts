import type { PlannedStep } from '../plan/types';
import { AWAITS_APPROVAL, REFUSED_BY_POLICY } from './held';

/*
 * Which steps of a plan wait for a person's decision: those the policy
 * marks `approve`, and every step that needs, follows or compensates one of
 * them (it cannot run before them). Everything else runs at once, evidence
 * first, and so does a step that closes what an earlier attempt left open
 * (closesWhileHeld). A step the policy marks `never` does not run: it is reported skipped.
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
    // A step closing what an earlier attempt left open (an ENI on the allow-all group) also runs now: it must not stay
    // open while a person decides. It still waits with the change it compensates: the decision (and the plan's hash)
    // covers it, and the resumed act runs it again after that change, as the plan has it.
    now: steps.filter((s) => !waiting.has(s.id) || closesHeld(s, waiting)).map((s) => closesWhileHeld(neverRuns(s), waiting)),
    later: steps.filter((s) => waiting.has(s.id)),
  };
}

function closesHeld(step: PlannedStep, waiting: ReadonlySet<string>): boolean {
  return step.closesLeftOpen === true && step.compensates !== undefined && waiting.has(step.compensates);
}

/**
 * What an earlier attempt left open, closed while the change it compensates waits for a decision: the step runs now, as
 * under a guard that blocks the change (PlannedStep.closesLeftOpen): it moves the resource to the closed state (an ENI to
 * its VPC's isolation group), never back to a state an attacker could have written down (the `ir:original-sgs` tag), and
 * fails loudly so that a person releases it once checked. What holds the change it is told (`held`): AWAITS_APPROVAL, or
 * the decision that ends the wait without it (a denial, a stand-down: lambda/respond/resume.ts).
 */
export function closesWhileHeld(step: PlannedStep, waiting: ReadonlySet<string>, held: string = AWAITS_APPROVAL): PlannedStep {
  if (!closesHeld(step, waiting)) return step;
  return { ...step, run: (ctx) => step.run({ ...ctx, blockedBy: [...(ctx.blockedBy ?? []), held] }) };
}

/** A change the policy never allows is planned and shown, and reported skipped with the rule that said so. */
export function neverRuns(step: PlannedStep): PlannedStep {
  if (step.approval?.mode !== 'never') return step;
  // The rule's id only, as heldByApproval says it: the plan document's decision (StepApproval.why) says what it matched.
  const { ruleId } = step.approval;
  return { ...step, run: () => Promise.resolve({ status: 'skipped', reason: `${REFUSED_BY_POLICY} (rule ${ruleId})` }) };
}
