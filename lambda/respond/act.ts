import type { AwsClients } from '../aws/clients';
import { executePlan } from '../plan/executor';
import type { PlannedStep, StepOutcome } from '../plan/types';
import { executeOptionsOf, executionContext, type ActingContext } from './execute';
import type { PreparedPlan } from './options';

/**
 * The phase `act`: runs steps of the prepared plan under its guards (a
 * blocked change is reported skipped, never made). One context per
 * response: a later act (the rest of a staged plan, or the steps an
 * approval released) sees the outputs and outcomes of the earlier ones.
 */
export class Acting {
  private readonly ctx;

  constructor(
    clients: AwsClients,
    now: () => Date,
    restoreLedger: PreparedPlan['restoreLedger'],
    private readonly deadlineMs: number | undefined,
    earlier?: { readonly outcomes: readonly StepOutcome[]; readonly outputs: Readonly<Record<string, unknown>> },
    /** What the steps must know of the response around them (ResponseGate.othersMoving, once settled; a resumed decision). */
    around: ActingContext = {},
  ) {
    this.ctx = executionContext(clients, now, restoreLedger, around);
    for (const outcome of earlier?.outcomes ?? []) this.ctx.outcomes.push(outcome);
    for (const [id, output] of Object.entries(earlier?.outputs ?? {})) this.ctx.outputs.set(id, output);
  }

  act(steps: readonly PlannedStep[], under: { readonly document: Pick<PreparedPlan['document'], 'blockedBy'>; readonly localEmulator?: boolean }): Promise<StepOutcome[]> {
    return executePlan(steps, this.ctx, executeOptionsOf(under, this.deadlineMs));
  }

  /** The outputs of the steps run so far (a security group's id, ...), kept with a response that waits. */
  outputs(): Record<string, unknown> {
    return Object.fromEntries(this.ctx.outputs);
  }
}
