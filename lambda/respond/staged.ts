import type { AwsClients } from '../aws/clients';
import { blockingGuardIds } from '../guards';
import type { Report } from '../plan/document';
import { stepDocument } from '../plan/document';
import { executePlan } from '../plan/executor';
import type { FirstSteps, PlaybookPlan } from '../playbooks/types';
import type { PlannedStep, StepOutcome } from '../plan/types';
import { exposedBy } from '../plan/exposed';
import { assemblePlan, planFromFacts } from './assemble';
import { guardsOf, settleGate, type Begun } from './begin';
import { executeOptionsOf, executePrepared, executionContext, finishReport } from './execute';
import { discoveryContextOf, type PreparedPlan, type RespondOptions } from './options';
import { giveBackAfterPlanningFailure } from './planning-failure';

/*
 * For a playbook with staged discovery (contain-instance): its first steps
 * (isolation) run as soon as the reads they need are in, under the guards
 * decided from those same reads and once the ledger has granted the claim
 * and the brake a slot, while the other reads go on. The rest of the plan
 * comes from every read, begins with exactly the steps already running
 * (checked: else nothing more runs), and runs after them with the same
 * guards. Dry-run is this same path with every mutating step blocked.
 */
export async function respondStaged(begun: Begun, options: RespondOptions, readClients: AwsClients, executionClients: AwsClients): Promise<Report> {
  const now = options.now ?? (() => new Date());
  const staged = begun.playbook.discoverStaged!(begun.planning.finding, readClients, begun.reads, discoveryContextOf(options));
  const first = await staged.first;
  // Nothing to change early (the instance is gone, or has no network interface): the whole plan decides, as for any playbook.
  if (!first.steps.some((s) => s.mutating)) {
    return executePrepared(await planFromFacts(begun, options, await staged.all), executionClients, now, options.deadlineMs);
  }
  const { settled, guards } = await settleGate(begun, guardsOf(begun, options, first.resourceTags, first.verdicts), first.steps);
  // A later delivery of an answered incident: none of the steps runs, only its short notification.
  if (settled?.kind === 'repeat') {
    const planned = begun.playbook.plan({ ...begun.planning, facts: await staged.all });
    return executePrepared(assemblePlan(begun, options, planned, guards, settled), executionClients, now, options.deadlineMs);
  }
  const startedAt = now().toISOString();
  const ctx = executionContext(executionClients, now, options.restoreLedger);
  const firstRun = executePlan(first.steps, ctx, executeOptionsOf({ document: { blockedBy: blockingGuardIds(guards) }, localEmulator: options.config.localEmulator }, options.deadlineMs));
  let plan: PreparedPlan;
  try {
    const planned = begun.playbook.plan({ ...begun.planning, facts: await staged.all });
    assertSamePlan(planned, first);
    plan = assemblePlan(begun, options, planned, guards, settled);
  } catch (error) {
    // Isolation is already changing the account: wait for it and say what it did (an ENI may be left on the allow-all group), never drop it.
    const firstOutcomes = await firstRun;
    // The invocation fails and Lambda retries it: the claim goes back unanswered first, or the retry would find the incident being answered.
    // A failure to give it back must not replace the error that names what isolation did (the lease still expires).
    await giveBackAfterPlanningFailure({ begun, options, first, firstOutcomes, guards, settled, cause: error, startedAt, now }).catch(() => undefined);
    throw new StagedPlanningError(error, first.steps, firstOutcomes);
  }
  const firstOutcomes = await firstRun;
  const rest = await executePlan(plan.steps.slice(first.steps.length), ctx, executeOptionsOf(plan, options.deadlineMs));
  return finishReport(plan, [...firstOutcomes, ...rest], startedAt, now);
}

/** The whole plan must begin with the steps that already ran, with the same verdicts and tags: else the report would show another plan. */
function assertSamePlan(planned: PlaybookPlan, first: FirstSteps): void {
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
