import { withAbortSignal } from '../aws/ambient-abort';
import { ResponderError } from '../aws/errors';
import { block, type GuardVerdict } from '../guards/types';
import { OUT_OF_TIME } from './executor';
import { PHASE_OUT_OF_TIME, PRE_PLAN_PHASES, type PrePlanPhase } from './phase-verdicts';

/*
 * The one place that decides how long each call made before the plan runs
 * may take. The response carries one deadline (RespondOptions.deadlineMs:
 * no step starts after it, and the end of a response fits between it and
 * Lambda's timeout: end-of-response.ts). Before the plan, the ledger's claim
 * and brake, AssumeRole into the member account, GuardDuty's confirmation and
 * the discovery reads would otherwise have only the SDK's limits (one call
 * timing out on every attempt takes about 55 s), enough to run an invocation
 * into Lambda's timeout with no report. Each of them gets a cut-off, a share
 * of the time from the response's start to that deadline:
 *
 *   start ── assume-role ends (0.4): discovery still has its time after it
 *         ── discovery and the confirmation end (0.8)
 *         ── the ledger's claim and brake reservation end (0.9): the gate is
 *            settled after discovery, and still needs them
 *         ── the rest (planning, the first steps) before the deadline (1.0);
 *            the gate's own writes after the reads (the brake's latch, a slot
 *            given back) end by the deadline at the latest
 *
 * Shares, not fixed times, so that notify (30 s, deadline 6 s in) and
 * contain-instance (90 s, deadline 66 s in) both fit, as does a second
 * finding of one invocation, which starts later. A call still running at its
 * cut-off is abandoned (its requests aborted through the ambient signal,
 * lambda/aws/ambient-abort.ts, so the SDK does not go on retrying it) and
 * fails with PhaseTimedOutError; a call not yet sent then is never sent. The
 * response sees a failed read, as for any failed read, and a blocking verdict
 * naming the phase (verdicts()): nothing is changed, the incident stays open,
 * and the invocation fails so that Lambda retries it.
 */

/** A call of a pre-plan phase sent and not answered by the phase's cut-off (one not sent by then fails with OutOfTime). */
export const PHASE_TIMED_OUT = 'PhaseTimedOut';

/** By when each phase must have ended, as a share of the time from the response's start to its steps' deadline. */
export const PHASE_END_SHARE: Readonly<Record<PrePlanPhase, number>> = {
  'assume-role': 0.4,
  discovery: 0.8,
  confirmation: 0.8,
  ledger: 0.9,
};

/** What each phase is, in the report's words. */
export const PHASE_WORDS: Readonly<Record<PrePlanPhase, string>> = {
  ledger: "the ledger's claim and blast-radius brake",
  'assume-role': 'AssumeRole into the member account',
  confirmation: "GuardDuty's confirmation of the finding",
  discovery: 'the discovery reads',
};

/** A call of a pre-plan phase not answered (or not sent) by the phase's cut-off. Retryable: a retry asks again. */
export class PhaseTimedOutError extends ResponderError {
  constructor(
    readonly phase: PrePlanPhase,
    readonly operation: string,
    readonly cutOffMs: number,
    sent: boolean,
  ) {
    const when = new Date(cutOffMs).toISOString();
    const what = sent ? `not answered by ${when}: abandoned (a write may still land)` : `not sent: the time of ${PHASE_WORDS[phase]} ran out at ${when}`;
    // Not sent: the executor's code for a step not started (OutOfTime); sent and abandoned: PhaseTimedOut, its outcome unknown.
    super(sent ? PHASE_TIMED_OUT : OUT_OF_TIME, `${operation}: ${what}; ${PHASE_WORDS[phase]} (the ${phase} phase) must end then to leave the plan its time before the Lambda timeout; a retry asks again`, true);
    this.sent = sent;
  }

  /** Whether the call went out (and may have been carried out) before it was abandoned. */
  readonly sent: boolean;
}

export function isPhaseTimedOut(error: unknown): error is PhaseTimedOutError {
  return error instanceof PhaseTimedOutError;
}

/** One phase's calls, bounded by its cut-off (PrePlanBudget.phase). */
export interface PhaseBound {
  readonly phase: PrePlanPhase;
  /** When the phase's calls end (ms since the epoch); absent: no deadline. */
  readonly cutOffMs?: number | undefined;
  run<T>(operation: string, call: () => Promise<T>): Promise<T>;
}

export class PrePlanBudget {
  private readonly aborts = new Map<string, AbortController>();
  private readonly late = new Set<PrePlanPhase>();

  private constructor(
    private readonly startMs: number,
    /** Absent: no deadline (the `ir` CLI, tests without one): nothing is bounded but by the SDK. */
    readonly stepsDeadlineMs: number | undefined,
  ) {}

  static starting(startMs: number, stepsDeadlineMs: number | undefined): PrePlanBudget {
    return new PrePlanBudget(startMs, stepsDeadlineMs);
  }

  cutOffOf(phase: PrePlanPhase): number | undefined {
    if (this.stepsDeadlineMs === undefined) return undefined;
    const window = Math.max(0, this.stepsDeadlineMs - this.startMs);
    return this.startMs + Math.floor(window * PHASE_END_SHARE[phase]);
  }

  phase(phase: PrePlanPhase): PhaseBound {
    return { phase, cutOffMs: this.cutOffOf(phase), run: (operation, call) => this.run(phase, operation, call) };
  }

  /** One call of the phase, ended at the phase's cut-off. */
  run<T>(phase: PrePlanPhase, operation: string, call: () => Promise<T>): Promise<T> {
    return this.runUntil(phase, this.cutOffOf(phase), operation, call);
  }

  /**
   * The gate's settling, after the reads: its reads are bounded by the ledger's cut-off already (ReadLog); its
   * own writes (the brake's latch, a slot given back) end by the steps' deadline at the latest.
   */
  settle<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.runUntil('ledger', this.stepsDeadlineMs, operation, call);
  }

  /** The phases that ran out of time so far. */
  get timedOut(): PrePlanPhase[] {
    return PRE_PLAN_PHASES.filter((phase) => this.late.has(phase));
  }

  /** A blocking verdict for each phase that ran out of time so far, naming it. */
  verdicts(): GuardVerdict[] {
    return this.timedOut.map((phase) =>
      block(
        PHASE_OUT_OF_TIME[phase],
        `${PHASE_WORDS[phase]} did not end by ${new Date(this.cutOffOf(phase) ?? Date.now()).toISOString()}, its share of the time before this response's ` +
          `deadline (AWS answered too slowly): nothing is changed, the incident stays open, and the invocation fails so that Lambda retries it`,
      ),
    );
  }

  private async runUntil<T>(phase: PrePlanPhase, cutOffMs: number | undefined, operation: string, call: () => Promise<T>): Promise<T> {
    if (cutOffMs === undefined) return call();
    if (Date.now() >= cutOffMs) {
      this.late.add(phase);
      throw new PhaseTimedOutError(phase, operation, cutOffMs, false);
    }
    // One controller per cut-off: every call of the phase ends at the same moment.
    const key = `${phase}@${cutOffMs}`;
    let abort = this.aborts.get(key);
    if (!abort) {
      abort = new AbortController();
      this.aborts.set(key, abort);
    }
    const controller = abort;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new PhaseTimedOutError(phase, operation, cutOffMs, true);
        controller.abort(error);
        reject(error);
      }, cutOffMs - Date.now());
    });
    try {
      return await Promise.race([withAbortSignal(controller.signal, call), expired]);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      this.late.add(phase);
      // The SDK's own AbortError, when the cut-off is what ended the call.
      throw isPhaseTimedOut(error) ? error : new PhaseTimedOutError(phase, operation, cutOffMs, true);
    } finally {
      clearTimeout(timer);
    }
  }
}
