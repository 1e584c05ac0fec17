import { toStepError } from '../aws/errors';
import type { GuardVerdict } from '../guards/types';
import { stepDocument } from '../plan/document';
import type { StepOutcome } from '../plan/types';
import type { FirstSteps } from '../playbooks/types';
import type { Begun } from './begin';
import { assemblePlan } from './assemble';
import { finishReport } from './execute';
import type { SettledGate } from './gate';
import type { RespondOptions } from './options';

/** The id of the failed planning in the report's reads: a failed read leaves the response incomplete, so it is not answered. */
export const PLANNING_READ_ID = 'read:plan:rest-of-plan';

/**
 * Planning failed after the first steps had started, and the invocation is
 * about to fail so that Lambda retries it. Gives the ledger's claim back,
 * not answered, through the gate's ordinary finish (a response that failed
 * for a transient reason): the report of the first steps and the failed
 * planning is recorded, the claim is released, and a brake slot no change
 * used is given back. Without this the retry would find the incident still
 * being answered and be retried until Lambda gives up.
 */
export async function giveBackAfterPlanningFailure(input: {
  readonly begun: Begun;
  readonly options: RespondOptions;
  readonly first: FirstSteps;
  readonly firstOutcomes: readonly StepOutcome[];
  readonly guards: GuardVerdict[];
  readonly settled: SettledGate | undefined;
  readonly cause: unknown;
  readonly startedAt: string;
  readonly now: () => Date;
}): Promise<void> {
  const { begun, options, first, firstOutcomes, guards, settled, cause, startedAt, now } = input;
  // No ledger, or an unconfirmed delivery that holds no claim: nothing to give back.
  if (!settled || settled.kind !== 'first') return;
  const planned = { steps: first.steps, warnings: [], verdicts: first.verdicts, resourceTags: first.resourceTags, resource: {} };
  const assembled = assemblePlan(begun, options, planned, guards, settled);
  const error = { ...toStepError(cause), retryable: true };
  const planning: StepOutcome = {
    id: PLANNING_READ_ID,
    title: 'Plan the rest of the response from every read',
    action: first.steps[0]?.action ?? 'ec2:DescribeInstances',
    target: begun.incidentId,
    mutating: false,
    status: 'failed',
    error,
    durationMs: 0,
  };
  const byId = new Map(firstOutcomes.map((o) => [o.id, o]));
  const ran = first.steps.filter((step) => byId.has(step.id));
  const prepared = {
    ...assembled,
    document: { ...assembled.document, reads: [...assembled.document.reads, planning], steps: ran.map(stepDocument) },
    steps: ran,
  };
  // finishReport never throws for the ledger (a failed write is in the report it returns): the planning error is rethrown either way.
  await finishReport(prepared, ran.map((step) => byId.get(step.id)!), startedAt, now);
}
