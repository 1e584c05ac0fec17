import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { PendingApprovals } from '../approval/pending';
import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { bucketResource } from '../ledger/incident-resource';
import { bucketRestoreKey, type RecordedPublicAccessBlock, type RestoreLedger, type RestoreRecord } from '../ledger/restore-record';
import type { NoteTopics } from '../notify/operator-note-publish';
import type { StepReport } from '../plan/document';
import { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep, type StepOutcome } from '../plan/types';
import { reopenedExposureWarnings } from './bucket-exposure';
import { bucketReleaseNote } from './note';
import { finishResourceRelease } from './finish';
import { runReleaseSteps } from './run-steps';
import type { ReleaseEvidenceTarget } from './evidence';
import { readHeldContainment } from './held-containment';
import { releaseFailed, type ReleaseLedgerEntry, type ReleaseNotification } from './report';
import { READ_BUCKET_BLOCK, READ_RESTORE_RECORD, RESTORE_BUCKET_BLOCK } from './specs';
import { readReleaser, refusedReleaseParts } from './refusal';

/*
 * `ir release --bucket`: undoes block-public-access from its restore record
 * in the ledger, and from nothing else. The bucket gets back exactly the
 * public access block it had before the response, or none when it had none
 * (DeletePublicAccessBlock), and only while the block is still the
 * responder's (all four settings on): a block someone changed since is left
 * as it is. Every call names ExpectedBucketOwner, the operator's account.
 * The release is recorded in the ledger and notified.
 */

export interface BucketReleaseOptions {
  readonly clients: AwsClients;
  readonly ledger: RestoreLedger;
  readonly dryRun: boolean;
  readonly notify?: NoteTopics;
  readonly evidence?: ReleaseEvidenceTarget;
  readonly region?: string;
  readonly now?: () => Date;
  readonly approvals?: PendingApprovals;
}

export interface BucketReleaseReport {
  readonly bucket: string;
  readonly dryRun: boolean;
  readonly refused: string | null;
  readonly key: string | null;
  /** The block recorded before the response (null: none). */
  readonly record: { readonly publicAccessBlock: RecordedPublicAccessBlock | null } | null;
  readonly warnings: readonly string[];
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly ledger: ReleaseLedgerEntry | null;
  readonly notification: ReleaseNotification | null;
  readonly chatNotification: ReleaseNotification | null;
  readonly evidence: StepReport | null;
}

const SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

function allBlocked(block: RecordedPublicAccessBlock | null): boolean {
  return block !== null && SETTINGS.every((name) => block[name]);
}

function describeBlock(block: RecordedPublicAccessBlock | null): string {
  return block === null ? 'none' : SETTINGS.map((name) => `${name}=${block[name]}`).join(', ');
}

/** Puts back the recorded block (some settings off). */
export function restoreBlockStep(bucket: string, accountId: string, block: RecordedPublicAccessBlock): PlannedStep {
  const parameters = { Bucket: bucket, ExpectedBucketOwner: accountId, PublicAccessBlockConfiguration: { ...block } };
  return planStep(RESTORE_BUCKET_BLOCK, {
    id: 'restore-public-access-block',
    title: `Put back the public access block of bucket ${bucket}`,
    action: 's3:PutBucketPublicAccessBlock',
    target: `s3://${bucket}`,
    parameters,
    why: `the ledger records ${describeBlock(block)} before the response turned every setting on`,
    stage: 1,
    run: async (ctx) => {
      const s3 = await ctx.clients.load('s3');
      await s3.send(new PutPublicAccessBlockCommand(parameters));
      return { status: 'done', detail: `bucket ${bucket}: ${describeBlock(block)}` };
    },
  });
}

/** Removes the block the response added to a bucket that had none. */
export function removeBlockStep(bucket: string, accountId: string): PlannedStep {
  const parameters = { Bucket: bucket, ExpectedBucketOwner: accountId };
  return planStep(RESTORE_BUCKET_BLOCK, {
    id: 'remove-public-access-block',
    title: `Remove the public access block of bucket ${bucket}`,
    action: 's3:PutBucketPublicAccessBlock',
    target: `s3://${bucket}`,
    parameters,
    why: 'the ledger records that the bucket had no public access block of its own before the response',
    stage: 1,
    run: async (ctx) => {
      const s3 = await ctx.clients.load('s3');
      await s3.send(new DeletePublicAccessBlockCommand(parameters));
      return { status: 'done', detail: `bucket ${bucket} has no public access block of its own again (the account's setting applies)` };
    },
  });
}

async function currentBlock(clients: AwsClients, reads: ReadLog, bucket: string, accountId: string): Promise<{ ok: true; block: RecordedPublicAccessBlock | null } | { ok: false; code: string }> {
  const result = await reads.read(READ_BUCKET_BLOCK, `Read the public access block of bucket ${bucket}`, `s3://${bucket}`, async () => {
    const s3 = await clients.load('s3');
    try {
      const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket, ExpectedBucketOwner: accountId }));
      const config = out.PublicAccessBlockConfiguration;
      return Object.fromEntries(SETTINGS.map((name) => [name, config?.[name] === true])) as unknown as RecordedPublicAccessBlock;
    } catch (error) {
      if (toStepError(error).code === 'NoSuchPublicAccessBlockConfiguration') return null;
      throw error;
    }
  });
  return result.ok ? { ok: true, block: result.value } : { ok: false, code: result.error.code };
}

/** The steps that put the record back, given the block now; warnings say why a step is left out. */
export function planBucketRelease(bucket: string, accountId: string, recorded: RecordedPublicAccessBlock | null, now: RecordedPublicAccessBlock | null): { steps: PlannedStep[]; warnings: string[] } {
  if (!allBlocked(now)) {
    return { steps: [], warnings: [`bucket ${bucket} no longer has the responder's block (now: ${describeBlock(now)}): it was changed since the response, and is left as it is.`] };
  }
  if (recorded === null) return { steps: [removeBlockStep(bucket, accountId)], warnings: [] };
  if (allBlocked(recorded)) return { steps: [], warnings: [`bucket ${bucket} blocked all public access before the response already: it stays so.`] };
  return { steps: [restoreBlockStep(bucket, accountId, recorded)], warnings: [] };
}

export async function releaseBucket(bucket: string, options: BucketReleaseOptions): Promise<BucketReleaseReport> {
  const now = options.now ?? (() => new Date());
  const reads = new ReadLog();
  const base = { bucket, dryRun: options.dryRun, ledger: null, notification: null, chatNotification: null, steps: [], summary: { done: 0, skipped: 0, failed: 0 } };
  const evidenceTarget = options.evidence ?? {};
  const refuse = async (refused: string, key: string | null = null, record: BucketReleaseReport['record'] = null): Promise<BucketReleaseReport> => ({
    ...base,
    key,
    record,
    ...(await refusedReleaseParts(refused, reads, evidenceTarget)),
  });
  const caller = await readReleaser(reads, options.clients);
  if (!caller.ok || !caller.value.Account) return refuse('the account of the bucket could not be learned (sts:GetCallerIdentity): nothing was changed');
  const accountId = caller.value.Account;
  const key = bucketRestoreKey(accountId, bucket);
  const read = await reads.read(READ_RESTORE_RECORD, `Read the restore record of bucket ${bucket} from the ledger ${options.ledger.tableName}`, key, () => options.ledger.read(key));
  if (!read.ok) return refuse(`the restore record ${key} could not be read from the ledger ${options.ledger.tableName} (${read.error.code}): nothing was changed`, key);
  const restore: RestoreRecord | undefined = read.value;
  if (!restore) return refuse(`the ledger ${options.ledger.tableName} holds no restore record of bucket ${bucket} (${key}): nothing was changed`, key);
  if (restore.publicAccessBlock === undefined) return refuse(`the restore record ${key} holds no public access block: there is nothing to put back, nothing was changed`, key);
  const record = { publicAccessBlock: restore.publicAccessBlock };
  if (restore.closedAt) return refuse(`the restore record ${key} was released at ${restore.closedAt}: nothing to release, nothing was changed`, key, record);
  const held = await readHeldContainment(options.approvals, restore, reads);
  if (held) return refuse(held, key, record);

  const current = await currentBlock(options.clients, reads, bucket, accountId);
  if (!current.ok) return refuse(`the public access block of bucket ${bucket} could not be read (${current.code}): nothing was changed`, key, record);
  const { steps, warnings } = planBucketRelease(bucket, accountId, restore.publicAccessBlock, current.block);
  // The block is lifted only when a step runs: then name what made the bucket public, as recorded, first.
  if (steps.length > 0) warnings.unshift(...reopenedExposureWarnings(bucket, restore.publicAccessBlock, restore.bucketExposure, restore.recordedAt));
  warnings.push(`the bucket's policy and ACL were never changed by the response: whatever made it public is still there and applies again once the block is off.`);
  const ran = await runReleaseSteps(steps, { clients: options.clients, now, dryRun: options.dryRun });
  const report: BucketReleaseReport = {
    ...base,
    refused: null,
    key,
    record,
    warnings,
    reads: reads.outcomes,
    ...ran,
    evidence: null,
  };
  return finishResourceRelease(report, {
    ledger: options.ledger,
    key,
    restore,
    operator: caller.value.Arn ?? 'unknown',
    accountId,
    region: restore.region ?? options.region ?? null,
    resource: { kind: 'bucket', resourceId: bucket },
    incidentResource: bucketResource(accountId, bucket),
    evidenceKind: 'bucket-release',
    evidenceNames: { bucket },
    dryRun: options.dryRun,
    evidence: evidenceTarget,
    notify: options.notify,
    note: bucketReleaseNote,
    now,
  });
}

/** Refused, a failed read or step, a release not recorded or not notified: the same rule as the other releases. */
export function bucketReleaseFailed(report: BucketReleaseReport): boolean {
  return releaseFailed(report);
}
