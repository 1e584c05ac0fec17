import type { AwsClients } from '../aws/clients';
import { stepDocument, stepReport, summarize } from '../plan/document';
import { executePlan } from '../plan/executor';
import { ReadLog } from '../plan/reads';
import { discoverRelease } from './discover';
import { planRelease } from './plan';
import type { ReleaseReport } from './report';

export interface ReleaseOptions {
  /** Clients for the instance's account and region. */
  readonly clients: AwsClients;
  readonly region: string;
  /** No mutating call is made when true: the same plan, every change blocked. */
  readonly dryRun: boolean;
  readonly now?: () => Date;
}

export const DRY_RUN_BLOCK = 'dry-run';

/** Read, plan, then run the plan (mutating steps blocked on a dry-run), as the playbooks do. */
export async function releaseInstance(instanceId: string, options: ReleaseOptions): Promise<ReleaseReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const reads = new ReadLog();
  const facts = await discoverRelease(instanceId, options.clients, reads);
  const plan = planRelease(facts);
  const blockedBy = options.dryRun ? [DRY_RUN_BLOCK] : [];
  const outcomes = await executePlan(plan.steps, { clients: options.clients, outputs: new Map(), outcomes: [], now }, { blockedBy });
  return {
    instanceId,
    region: options.region,
    dryRun: options.dryRun,
    refused: plan.refusal,
    blockedBy,
    record: plan.record,
    snapshotsKept: facts.evidenceSnapshots.known ? facts.evidenceSnapshots.value : null,
    warnings: plan.warnings,
    reads: reads.outcomes,
    steps: plan.steps.map((step, index) => stepReport(stepDocument(step), outcomes[index]!)),
    summary: summarize(outcomes),
    startedAt,
    finishedAt: now().toISOString(),
  };
}
