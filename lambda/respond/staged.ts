import { stepDocument } from '../plan/document';
import type { FirstSteps, PlaybookPlan } from '../playbooks/types';
import type { PlannedStep, StepOutcome } from '../plan/types';
import { exposedBy } from '../plan/exposed';

/*
 * Staged discovery (contain-instance) runs its first steps before the rest
 * of the plan is made (lambda/respond/phases.ts, respondEarly): what holds
 * the two parts together, and the error when the rest cannot be made.
 */

/** The whole plan must begin with the steps that already ran, with the same verdicts and tags: else the report would show another plan. */
export function assertSamePlan(planned: PlaybookPlan, first: FirstSteps): void {
  const head = JSON.stringify(planned.steps.slice(0, first.steps.length).map(stepDocument));
  const same =
    head === JSON.stringify(first.steps.map(stepDocument)) &&
    JSON.stringify(planned.verdicts) === JSON.stringify(first.verdicts) &&
    JSON.stringify(planned.resourceTags) === JSON.stringify(first.resourceTags);
  if (!same) throw new Error(`playbook plan does not begin with the ${first.steps.length} steps it ran first: staged discovery is inconsistent`);
}

/**
 * The rest of the plan could not be made (a read, the playbook's planning or
 * the consistency check threw) after the first steps had started. Thrown
 * once those steps have finished, naming what each did and any ENI left on
 * the allow-all group: the invocation fails, Lambda retries it, and the
 * on-failure queue (and its alarm) receives this message after the last attempt.
 */
export class StagedPlanningError extends Error {
  /** What each step that ran before planning failed did, in the order they finished. */
  readonly firstOutcomes: readonly StepOutcome[];
  /** ENIs a failed step may have left on the allow-all (untrack) security group. */
  readonly exposed: readonly string[];

  constructor(cause: unknown, firstSteps: readonly PlannedStep[], firstOutcomes: readonly StepOutcome[]) {
    const exposed = exposedBy(firstOutcomes);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const byId = new Map(firstOutcomes.map((o) => [o.id, o]));
    const ran = firstSteps
      .map((step) => {
        const outcome = byId.get(step.id);
        const detail = outcome?.status === 'failed' ? ` (${outcome.error?.code ?? 'UnknownError'})` : '';
        return `${step.id} ${outcome?.status ?? 'not run'}${detail}`;
      })
      .join(', ');
    const exposure = exposed.length > 0 ? `; ${exposed.join(', ')} may be left on the allow-all security group (more exposed than before)` : '';
    super(`planning failed after the first steps had started (${reason}): ${ran}${exposure}`, { cause });
    this.name = 'StagedPlanningError';
    this.firstOutcomes = firstOutcomes;
    this.exposed = exposed;
  }
}
