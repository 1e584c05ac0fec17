import { AWAITS_APPROVAL, REFUSED_BY_POLICY } from '../approval/held';
import type { StepOutcome } from '../plan/types';

/*
 * What the playbook's own steps came to, for the close-the-loop steps that
 * run after them: the Security Hub note says it, and the GuardDuty archive
 * only follows a complete containment. Read from the outcomes the executor
 * recorded, once every earlier stage has finished (the close-the-loop steps
 * run in the stage after the playbook's last).
 */

/**
 * The executor's reasons for a step it did not run (lambda/plan/executor.ts): a guard blocked it, a step it needs
 * was not done, or the approval policy held it (lambda/approval/held.ts).
 */
const NOT_RUN_REASONS = ['blocked by ', 'needs ', AWAITS_APPROVAL, REFUSED_BY_POLICY];

export interface Containment {
  /** At least one of the playbook's changes was made. */
  readonly acted: boolean;
  /**
   * The playbook planned changes, and every one is done or was found already
   * in place: no change failed, none was left unrun (blocked, or a step it
   * needs not done), and no read the plan was made from failed. A read-only
   * step after the changes (an investigation) that failed does not make a
   * containment partial: the note and the notification still name it.
   */
  readonly complete: boolean;
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  /** The playbook's steps that failed, with their AWS error code. */
  readonly failedSteps: readonly string[];
  /** Of those, the changes. */
  readonly failedChanges: readonly string[];
  /** The playbook's changes that did not run (blocked, a step they need not done, or no outcome at all). */
  readonly notRun: readonly string[];
  /** Reads the plan was made from that failed. */
  readonly failedReads: readonly string[];
}

function notRun(outcome: StepOutcome | undefined): boolean {
  return outcome === undefined || (outcome.status === 'skipped' && NOT_RUN_REASONS.some((prefix) => (outcome.reason ?? '').startsWith(prefix)));
}

/**
 * @param playbookSteps the playbook's planned steps (ids and whether each changes something)
 * @param outcomes every outcome so far (ExecutionContext.outcomes)
 * @param failedReads reads the plan was made from that failed (PlanDocument.reads)
 */
export function containmentOf(
  playbookSteps: readonly { readonly id: string; readonly mutating: boolean }[],
  outcomes: readonly StepOutcome[],
  failedReads: readonly string[],
): Containment {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const own = playbookSteps.map((step) => ({ step, outcome: byId.get(step.id) }));
  const changes = own.filter(({ step }) => step.mutating);
  const failedOf = (steps: typeof own) => steps.flatMap(({ step, outcome }) => (outcome?.status === 'failed' ? [`${step.id} (${outcome.error?.code ?? 'UnknownError'})`] : []));
  const failedSteps = failedOf(own);
  const failedChanges = failedOf(changes);
  const unrun = changes.filter(({ outcome }) => notRun(outcome)).map(({ step }) => step.id);
  return {
    acted: changes.some(({ outcome }) => outcome?.status === 'done'),
    complete: changes.length > 0 && failedChanges.length === 0 && unrun.length === 0 && failedReads.length === 0,
    done: own.filter(({ outcome }) => outcome?.status === 'done').length,
    skipped: own.filter(({ outcome }) => outcome?.status === 'skipped').length,
    failed: failedSteps.length,
    failedSteps,
    failedChanges,
    notRun: unrun,
    failedReads,
  };
}
