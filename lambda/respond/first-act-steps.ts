import type { PlannedStep, StepOutcome } from '../plan/types';
import type { PlanShaper } from './assemble';

/*
 * The final report of a response that waited tells the whole story: every
 * step of both acts, once. The plan made again after the decision may no
 * longer hold a step the first act ran (the security group it created is
 * found, not created, when the resource is read again; the request for the
 * decision itself): such a step is put back into the plan where the first
 * act ran it (after the step that ran before it then), reported as it ended
 * then and never run again (resume.ts reports every first-act step it finds
 * in the plan). A step of both acts keeps its place in the new plan.
 */

export const FIRST_ACT_ONLY_WHY = 'run in the first act, before the wait for a decision; not in the plan made again after it, so reported as it ended then';

/** A first-act step the new plan lacks, as a step of it: its outcome says what it was; it is never run (resume.ts reports it). */
function carriedStep(outcome: StepOutcome, stage: number): PlannedStep {
  return {
    id: outcome.id,
    kind: 'first-act-step',
    title: outcome.title,
    action: outcome.action,
    iamActions: [outcome.action],
    target: outcome.target,
    parameters: {},
    mutating: outcome.mutating,
    why: FIRST_ACT_ONLY_WHY,
    stage,
    requires: [],
    run: () => Promise.resolve({ status: 'skipped', reason: FIRST_ACT_ONLY_WHY }),
  };
}

/** The steps with every first-act step they lack put back, in the first act's order; the ids put back. */
export function withFirstActSteps(steps: readonly PlannedStep[], firstAct: readonly StepOutcome[]): { readonly steps: PlannedStep[]; readonly carried: ReadonlySet<string> } {
  const planned = new Set(steps.map((s) => s.id));
  const carried = new Set<string>();
  // Each missing step follows the step the first act ran before it that the new plan holds (none: it leads the plan).
  const after = new Map<string | undefined, StepOutcome[]>();
  let anchor: string | undefined;
  for (const outcome of firstAct) {
    if (planned.has(outcome.id)) {
      anchor = outcome.id;
    } else if (!carried.has(outcome.id)) {
      carried.add(outcome.id);
      after.set(anchor, [...(after.get(anchor) ?? []), outcome]);
    }
  }
  if (carried.size === 0) return { steps: [...steps], carried };
  const leading = (after.get(undefined) ?? []).map((o) => carriedStep(o, steps[0]?.stage ?? 0));
  const merged = steps.flatMap((step) => [step, ...(after.get(step.id) ?? []).map((o) => carriedStep(o, step.stage))]);
  return { steps: [...leading, ...merged], carried };
}

/** The shaper of the resumed plan, with the first act's missing steps put back after it shaped the plan (its request step included). */
export function carryingFirstAct(shape: PlanShaper, firstAct: readonly StepOutcome[], carried: Set<string>): PlanShaper {
  return (steps) => {
    const shaped = shape(steps);
    const merged = withFirstActSteps(shaped.steps, firstAct);
    for (const id of merged.carried) carried.add(id);
    return { steps: merged.steps, approval: shaped.approval };
  };
}
