import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { releaseEvidenceKey } from '../evidence/release-layout';
import { instanceResource } from '../ledger/incident-resource';
import { instanceRestoreKey, type RestoreLedger } from '../ledger/restore-record';
import { ReadLog } from '../plan/reads';
import type { NoteTopics } from '../notify/operator-note-publish';
import { discoverRelease } from './discover';
import { DRY_RUN_EVIDENCE, keepReleaseEvidence, type ReleaseEvidenceTarget } from './evidence';
import { recordAndNotify } from './finish';
import type { RestorePart } from './parts';
import { EVERY_PART, planRelease, type LedgerRead } from './plan';
import type { ReleaseReport } from './report';
import { READ_RESTORE_RECORD } from './specs';
import type { PendingApprovals } from '../approval/pending';
import { readHeldContainment } from './held-containment';
import { readReleaser } from './refusal';
import { DRY_RUN_BLOCK, runReleaseSteps } from './run-steps';

export interface ReleaseOptions {
  /** Clients for the instance's account and region. */
  readonly clients: AwsClients;
  readonly region: string;
  /** No mutating call is made when true: the same plan, every change blocked; nothing is recorded or sent. */
  readonly dryRun: boolean;
  readonly now?: () => Date;
  /** The ledger's restore records (security account): read first, the release recorded in it. Absent: the tags alone. */
  readonly ledger?: RestoreLedger;
  /** The stack's topic (and chat topic): the release is notified there. */
  readonly notify?: NoteTopics;
  /** The stack's evidence bucket, where the release's record is kept; absent: none is (the step says why). */
  readonly evidence?: ReleaseEvidenceTarget;
  /** What to restore (--only); every part by default. */
  readonly only?: ReadonlySet<RestorePart>;
  /** With a ledger that holds no record: restore from the tags anyway. */
  readonly fromTags?: boolean;
  /** The incident ledger's pending approvals (the same table): a containment held for a decision is not undone. Absent: not read. */
  readonly approvals?: PendingApprovals;
}

/** Who runs the release, and the instance's account (the restore record's key): the operator's credentials are that account's. */
async function readOperator(clients: AwsClients, reads: ReadLog): Promise<{ accountId: string; arn: string } | null> {
  const result = await readReleaser(reads, clients);
  return result.ok && result.value.Account && result.value.Arn ? { accountId: result.value.Account, arn: result.value.Arn } : null;
}

async function readLedger(ledger: RestoreLedger | undefined, key: string | null, reads: ReadLog): Promise<LedgerRead> {
  if (!ledger) return { status: 'none' };
  const table = ledger.tableName;
  if (!key) return { status: 'unreadable', table, key: '(unknown)', error: { code: 'NoOperatorIdentity', message: 'the account of the instance could not be learned (sts:GetCallerIdentity)', retryable: true } };
  const result = await reads.read(READ_RESTORE_RECORD, `Read the restore record of the instance from the ledger ${table}`, key, () => ledger.read(key));
  return result.ok ? { status: 'read', table, key, record: result.value } : { status: 'unreadable', table, key, error: result.error };
}

/** An open record's incident may have waited for a decision: a containment never made is refused (held-containment.ts). */
async function withHeldContainment(read: LedgerRead, approvals: PendingApprovals | undefined, reads: ReadLog): Promise<LedgerRead> {
  if (read.status !== 'read') return read;
  const held = await readHeldContainment(approvals, read.record, reads);
  return held ? { ...read, held } : read;
}

/** Read (the ledger first), plan, run the plan (mutating steps blocked on a dry-run), then record the release in the ledger and notify. */
export async function releaseInstance(instanceId: string, options: ReleaseOptions): Promise<ReleaseReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const reads = new ReadLog();
  const [facts, operator] = await Promise.all([
    discoverRelease(instanceId, options.clients, reads),
    options.ledger || options.evidence?.destination ? readOperator(options.clients, reads) : Promise.resolve(null),
  ]);
  const key = operator ? instanceRestoreKey(operator.accountId, options.region, instanceId) : null;
  const ledger = await withHeldContainment(await readLedger(options.ledger, key, reads), options.approvals, reads);
  const only = options.only ?? EVERY_PART;
  const plan = planRelease(facts, { ledger, only, fromTags: options.fromTags === true });
  const blockedBy = options.dryRun ? [DRY_RUN_BLOCK] : [];
  const ran = await runReleaseSteps(plan.steps, { clients: options.clients, now, dryRun: options.dryRun });
  const report: ReleaseReport = {
    instanceId,
    region: options.region,
    dryRun: options.dryRun,
    refused: plan.refusal,
    blockedBy,
    record: plan.record,
    recordSource: plan.refusal ? null : plan.record?.ledger ? 'ledger' : 'tags',
    snapshotsKept: facts.evidenceSnapshots.known ? facts.evidenceSnapshots.value : null,
    warnings: plan.warnings,
    reads: reads.outcomes,
    ...ran,
    ledger: null,
    notification: null,
    chatNotification: null,
    evidence: null,
    startedAt,
    finishedAt: now().toISOString(),
  };
  const evidenceTarget = options.evidence ?? {};
  if (options.dryRun || plan.refusal) {
    // Nothing was done, so nothing is kept: the step says so (a dry-run shows the bucket it would write to).
    const skip = options.dryRun ? DRY_RUN_EVIDENCE : 'the release was refused: nothing was changed, nothing to keep';
    const incidentId = ledger.status === 'read' ? (ledger.record?.incidentId ?? null) : null;
    const wouldWrite = releaseEvidenceKey({ accountId: operator?.accountId ?? null, region: options.region, incidentId, resourceId: instanceId, at: now() });
    return { ...report, evidence: await keepReleaseEvidence({ ...evidenceTarget, skip }, wouldWrite, () => null) };
  }
  try {
    const finished = await recordAndNotify(report, {
      ledger:
        options.ledger && key && operator && ledger.status === 'read'
          ? { restore: options.ledger, key, revision: ledger.record?.revision ?? 0, resource: instanceResource(operator.accountId, options.region, instanceId) }
          : null,
      operator: operator?.arn ?? 'unknown',
      accountId: operator?.accountId ?? null,
      incidentId: ledger.status === 'read' ? (ledger.record?.incidentId ?? null) : null,
      restoreRecord: ledger.status === 'read' ? (ledger.record ?? null) : null,
      completes: plan.completes,
      evidence: evidenceTarget,
      notify: options.notify ?? null,
      now,
    });
    return { ...report, ...finished, finishedAt: now().toISOString() };
  } catch (error) {
    // Never hide what was restored: the report comes back with the error.
    return { ...report, ledger: { table: options.ledger?.tableName ?? '', key: key ?? '', status: 'failed', error: toStepError(error) } };
  }
}
