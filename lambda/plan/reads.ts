import { toStepError, type StepError } from '../aws/errors';
import { recordedOutcome } from '../aws/local-emulator-gaps';
import type { PhaseBound } from './pre-plan-budget';
import type { IamAction, StepOutcome, StepSpec } from './types';

export type ReadResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StepError };

export interface ReadResponse {
  readonly id: string;
  readonly action: IamAction;
  readonly target: string;
  readonly response: unknown;
}

/** A read's id in the report: `read:<kind>:<target>`. */
export function readId(spec: StepSpec, target: string): string {
  return `read:${spec.kind}:${target}`;
}

/**
 * Runs the read-only calls a playbook makes before planning and keeps their
 * outcomes for the report. A failed read is reported, never thrown away.
 * With a phase (pre-plan-budget.ts), each read ends at the phase's cut-off:
 * one still running then, or not sent yet, fails with PhaseTimedOut.
 */
export class ReadLog {
  readonly outcomes: StepOutcome[] = [];
  /** What each read returned, as the service sent it: the incident's describe.json (lambda/evidence). */
  readonly responses: ReadResponse[] = [];

  /**
   * localEmulator (config.localEmulator): a read moto does not implement is
   * recorded skipped, "not available in the local emulator"
   * (lambda/aws/local-emulator-gaps.ts); its caller still gets the failure.
   */
  constructor(
    private readonly phase?: PhaseBound,
    private readonly options: { readonly localEmulator?: boolean } = {},
  ) {}

  /** When this log's reads end (its phase's cut-off); undefined: not bounded. */
  get cutOffMs(): number | undefined {
    return this.phase?.cutOffMs;
  }

  async read<T>(spec: StepSpec, title: string, target: string, call: () => Promise<T>): Promise<ReadResult<T>> {
    if (spec.mutating) throw new Error(`read ${spec.kind} is declared as mutating`);
    const started = Date.now();
    const base = { id: readId(spec, target), title, action: spec.iamActions[0]!, target, mutating: false } as const;
    try {
      const value = await (this.phase ? this.phase.run(title, call) : call());
      this.outcomes.push({ ...base, status: 'done', durationMs: Date.now() - started });
      this.responses.push({ id: base.id, action: base.action, target, response: value });
      return { ok: true, value };
    } catch (error) {
      const stepError = toStepError(error);
      this.outcomes.push(recordedOutcome({ ...base, status: 'failed', error: stepError, durationMs: Date.now() - started }, this.options.localEmulator));
      return { ok: false, error: stepError };
    }
  }

  /**
   * A failed read whose question a later read of this log answered after all
   * (the confirmation's configured detector refused as stale, then the one
   * ListDetectors names asked): kept in the report, with its error, as
   * skipped with the reason, so that it neither blocks the response nor
   * makes it retried. Only the caller that made the later read can say so.
   */
  supersede(id: string, reason: string): void {
    const index = this.outcomes.findIndex((o) => o.id === id && o.status === 'failed');
    if (index < 0) throw new Error(`no failed read ${id} to supersede`);
    this.outcomes[index] = { ...this.outcomes[index]!, status: 'skipped', reason };
  }
}
