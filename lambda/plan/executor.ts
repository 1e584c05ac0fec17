import { heldByApproval } from '../approval/held';
import { ResponderError, toStepError } from '../aws/errors';
import { recordedOutcome } from '../aws/local-emulator-gaps';
import { STEP_OVERRUN_MS } from './end-of-response';
import { LEFT_CLOSED_OWN_STATE_UNKNOWN } from './exposed';
import type { ExecutionContext, PlannedStep, StepOutcome, StepRunResult } from './types';

/*
 * Runs a plan. Stages run in order; the steps of one stage run concurrently,
 * once every step of the earlier stages has finished, except a step that
 * follows one step of an earlier stage: it starts as soon as that step and
 * the steps it requires have finished. A failed step never hides the
 * others: each step ends done, skipped (with the reason) or failed (with the
 * AWS error code), and steps that do not depend on a failed one still run.
 */

export interface ExecuteOptions {
  /** Guard ids that block every mutating step. Read-only steps still run. */
  readonly blockedBy: readonly string[];
  /**
   * Epoch milliseconds after which no step starts, except those that run
   * past it (the notification). Lambda kills an invocation at its timeout
   * mid-call, with no report at all; a step not started is reported instead.
   * STEP_OVERRUN_MS after it, a step still running is no longer waited for
   * (the notification is bounded by its own limit instead).
   */
  readonly deadlineMs?: number;
  /**
   * A run against the local emulator (config.localEmulator): a read-only
   * step whose call moto does not implement is recorded skipped, "not
   * available in the local emulator", not failed (lambda/aws/local-emulator-gaps.ts).
   */
  readonly localEmulator?: boolean;
}

export const OUT_OF_TIME = 'OutOfTime';
export const NOT_FINISHED_IN_TIME = 'NotFinishedInTime';

/** When the executor stops waiting for this step: its own limit from its start, or the deadline's overrun; null: never (no deadline). */
function cutOffOf(step: PlannedStep, startedAt: number, deadlineMs: number | undefined): number | null {
  if (deadlineMs === undefined) return null;
  return step.ownTimeLimitMs !== undefined ? startedAt + step.ownTimeLimitMs : deadlineMs + STEP_OVERRUN_MS;
}

/**
 * Runs the step, waiting for it until the cut-off at most. A step abandoned
 * then may still be carried out by AWS: it is failed, never done, and
 * retryable (a retry reads the account again and finds out).
 */
async function runUntil(step: PlannedStep, ctx: ExecutionContext, cutOffMs: number | null): Promise<StepRunResult> {
  if (cutOffMs === null) return step.run(ctx);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ResponderError(
            NOT_FINISHED_IN_TIME,
            `still running at ${new Date(cutOffMs).toISOString()}, the last moment the invocation could wait for it before Lambda's timeout: abandoned, AWS may still carry it out; a retry can complete it`,
            true,
          ),
        ),
      Math.max(0, cutOffMs - Date.now()),
    );
  });
  try {
    return await Promise.race([step.run(ctx), abandoned]);
  } finally {
    clearTimeout(timer);
  }
}

function outOfTime(deadlineMs: number): ResponderError {
  return new ResponderError(
    OUT_OF_TIME,
    `not started: the invocation's time ran out at ${new Date(deadlineMs).toISOString()} (AWS was slow); a retry can complete it`,
    true,
  );
}

/** A change sent before the guards were settled, or the undoing of an opening an earlier attempt left: run even when a guard blocks every change. */
const runsWhenBlocked = (step: PlannedStep): boolean => step.earlyChange === true || step.closesLeftOpen === true;

function outcomeOf(step: PlannedStep, started: number, rest: Pick<StepOutcome, 'status' | 'detail' | 'evidence' | 'reason' | 'error' | 'exposed' | 'leftOpen'>): StepOutcome {
  return {
    id: step.id,
    title: step.title,
    action: step.action,
    target: step.target,
    mutating: step.mutating,
    ...rest,
    ...(step.earlyChange ? { earlyChange: true as const } : {}),
    ...(step.closesLeftOpen ? { closesLeftOpen: true as const } : {}),
    durationMs: Date.now() - started,
  };
}

/** The context a step runs with: the same outputs and outcomes, and the time left before the deadline, if any. */
function withTimeLeft(ctx: ExecutionContext, deadlineMs: number | undefined): ExecutionContext {
  return deadlineMs === undefined ? ctx : { ...ctx, timeLeftMs: () => deadlineMs - Date.now() };
}

async function runStep(step: PlannedStep, ctx: ExecutionContext, options: ExecuteOptions): Promise<StepOutcome> {
  const started = Date.now();
  // The approval policy's decision (lambda/approval/): shown with a dry-run or a guard, so the plan says what enforce mode would do.
  const held = heldByApproval(step.approval);
  if (step.mutating && options.blockedBy.length > 0 && !runsWhenBlocked(step)) {
    return outcomeOf(step, started, { status: 'skipped', reason: `blocked by ${options.blockedBy.join(', ')}${held ? `; then ${held}` : ''}` });
  }
  // A change the policy holds never reaches here unapproved: the phase `wait` (lambda/respond/wait.ts) runs it only after
  // the decision, and reports it skipped until then; a `never` is skipped there too (lambda/approval/split.ts).
  const unmet = step.requires.filter((id) => ctx.outcomes.find((o) => o.id === id)?.status !== 'done');
  if (unmet.length > 0) {
    const described = unmet.map((id) => `${id} (${ctx.outcomes.find((o) => o.id === id)?.status ?? 'not run'})`);
    return outcomeOf(step, started, { status: 'skipped', reason: `needs ${described.join(', ')}` });
  }
  if (options.deadlineMs !== undefined && !step.runsPastDeadline && Date.now() >= options.deadlineMs) {
    return outcomeOf(step, started, { status: 'failed', error: toStepError(outOfTime(options.deadlineMs)) });
  }
  const cutOff = cutOffOf(step, started, options.deadlineMs);
  // Even a step that runs past the deadline does not start once nothing could wait for it.
  if (cutOff !== null && Date.now() >= cutOff) {
    return outcomeOf(step, started, { status: 'failed', error: toStepError(outOfTime(options.deadlineMs!)) });
  }
  try {
    const context = runsWhenBlocked(step) ? { ...withTimeLeft(ctx, options.deadlineMs), blockedBy: options.blockedBy } : withTimeLeft(ctx, options.deadlineMs);
    const result = await runUntil(step, context, cutOff);
    if (result.status === 'skipped') return outcomeOf(step, started, { status: 'skipped', reason: result.reason, ...(result.leftOpen ? { leftOpen: true as const } : {}) });
    if (result.output !== undefined) ctx.outputs.set(step.id, result.output);
    return outcomeOf(step, started, { status: 'done', detail: result.detail, evidence: result.evidence });
  } catch (error) {
    const stepError = toStepError(error);
    // A step that closed what it could not undo (LEFT_CLOSED_OWN_STATE_UNKNOWN) says so: not exposed.
    const exposed = step.exposedOnFailure !== undefined && stepError.code !== LEFT_CLOSED_OWN_STATE_UNKNOWN ? { exposed: step.exposedOnFailure } : {};
    return recordedOutcome(outcomeOf(step, started, { status: 'failed', error: stepError, ...exposed }), options.localEmulator);
  }
}

/** A followed or required step must come from an earlier stage of the same plan, or the step could wait forever or start too early. */
function checkOrder(steps: readonly PlannedStep[]): void {
  const stageOf = new Map(steps.map((s) => [s.id, s.stage]));
  for (const step of steps) {
    for (const earlier of step.follows === undefined ? [] : [step.follows]) {
      const stage = stageOf.get(earlier);
      if (stage === undefined || stage >= step.stage) throw new Error(`step ${step.id} follows ${earlier}, which is not a step of an earlier stage of this plan`);
    }
  }
}

export async function executePlan(steps: readonly PlannedStep[], ctx: ExecutionContext, options: ExecuteOptions): Promise<StepOutcome[]> {
  checkOrder(steps);
  const stages = [...new Set(steps.map((s) => s.stage))].sort((a, b) => a - b);
  const finished = new Map<string, Promise<unknown>>();
  let earlierStages: Promise<unknown> = Promise.resolve();
  for (const stage of stages) {
    const gate = earlierStages;
    const running = steps
      .filter((s) => s.stage === stage)
      .map((step) => {
        // Required steps outside this plan (run by an earlier call) are already in ctx.outcomes.
        const start = step.follows === undefined ? gate : Promise.all([finished.get(step.follows), ...step.requires.map((id) => finished.get(id))]);
        const run = start.then(async () => {
          ctx.outcomes.push(await runStep(step, ctx, options));
        });
        finished.set(step.id, run);
        return run;
      });
    earlierStages = Promise.all([gate, ...running]);
  }
  await earlierStages;
  // Report in plan order, whatever order the steps finished in.
  const byId = new Map(ctx.outcomes.map((o) => [o.id, o]));
  return steps.map((s) => byId.get(s.id)!);
}
