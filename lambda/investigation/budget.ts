import { ResponderError } from '../aws/errors';

/*
 * One time budget for the whole investigation. Its steps run at the same
 * time and share it, so the investigation ends within the budget however
 * many calls it makes: between calls by checking what is left, during a
 * call by aborting it when the budget runs out.
 */

/** Time as the budget sees it; tests pass a clock whose sleep moves time forward at once. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const BUDGET_EXCEEDED = 'InvestigationTimeBudgetExceeded';

export function isBudgetExceeded(error: unknown): boolean {
  return error instanceof ResponderError && error.code === BUDGET_EXCEEDED;
}

export class TimeBudget {
  private deadline: number | null = null;

  constructor(
    readonly totalMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** Milliseconds left. The budget starts when it is first asked, i.e. when the first investigation step runs. */
  remainingMs(): number {
    const now = this.clock.now();
    this.deadline ??= now + this.totalMs;
    return Math.max(0, this.deadline - now);
  }

  exhausted(): boolean {
    return this.remainingMs() === 0;
  }

  /** Waits `ms`, or only what is left of the budget. */
  async sleep(ms: number): Promise<void> {
    const wait = Math.min(ms, this.remainingMs());
    if (wait > 0) await this.clock.sleep(wait);
  }

  /**
   * One AWS call that must finish within the budget: `send` passes the
   * signal to the SDK, which abandons the request when the budget runs out.
   * Either way the error is BUDGET_EXCEEDED, naming the call.
   */
  async call<T>(what: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const remaining = this.remainingMs();
    if (remaining === 0) throw this.exceeded(what);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    try {
      return await send(controller.signal);
    } catch (error) {
      throw controller.signal.aborted ? this.exceeded(what) : error;
    } finally {
      clearTimeout(timer);
    }
  }

  private exceeded(what: string): ResponderError {
    return new ResponderError(BUDGET_EXCEEDED, `${what} was not made or not answered within the investigation's ${this.totalMs / 1000} s budget`);
  }
}
