import type { AwsClients } from '../aws/clients';
import { stepDocument, stepReport, summarize, type StepReport } from '../plan/document';
import { executePlan } from '../plan/executor';
import type { PlannedStep } from '../plan/types';

/*
 * Every release (an instance's, or one made from its restore record alone)
 * runs its planned steps as a playbook runs its own: every step is reported
 * done, skipped (why) or failed (the AWS code); a dry-run blocks them all,
 * so it reports what would be done and changes nothing.
 */

/** What blocks every mutating step of a dry-run, as the report's blockedBy and each skipped step say. */
export const DRY_RUN_BLOCK = 'dry-run';

export async function runReleaseSteps(
  steps: readonly PlannedStep[],
  run: { readonly clients: AwsClients; readonly now: () => Date; readonly dryRun: boolean },
): Promise<{ readonly steps: StepReport[]; readonly summary: ReturnType<typeof summarize> }> {
  const outcomes = await executePlan(steps, { clients: run.clients, outputs: new Map(), outcomes: [], now: run.now }, { blockedBy: run.dryRun ? [DRY_RUN_BLOCK] : [] });
  return { steps: steps.map((step, index) => stepReport(stepDocument(step), outcomes[index]!)), summary: summarize(outcomes) };
}
