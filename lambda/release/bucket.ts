import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { bucketResource } from '../ledger/incident-resource';
import { bucketRestoreKey, type RecordedPublicAccessBlock } from '../ledger/restore-record';
import type { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep } from '../plan/types';
import { reopenedExposureWarnings } from './bucket-exposure';
import { bucketReleaseNote } from './note';
import { releaseFailed, type RecordReleaseOutcome } from './report';
import { keyAsKey, releaseFromRestoreRecord, type RecordReleaseContext, type RecordReleaseOptions, type RecordReleasePlan } from './restore-record-release';
import { READ_BUCKET_BLOCK, RESTORE_BUCKET_BLOCK } from './specs';

/*
 * `ir release --bucket`: undoes block-public-access from its restore record
 * in the ledger, and from nothing else. The bucket gets back exactly the
 * public access block it had before the response, or none when it had none
 * (DeletePublicAccessBlock), and only while the block is still the
 * responder's (all four settings on): a block someone changed since is left
 * as it is. Every call names ExpectedBucketOwner, the operator's account.
 * The release is recorded in the ledger and notified.
 */

export type BucketReleaseOptions = RecordReleaseOptions;

export interface BucketReleaseReport extends RecordReleaseOutcome {
  readonly bucket: string;
  readonly key: string | null;
  /** The block recorded before the response (null: none). */
  readonly record: { readonly publicAccessBlock: RecordedPublicAccessBlock | null } | null;
}

type BucketRecord = NonNullable<BucketReleaseReport['record']>;

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

/** The block put back or removed as the record says, while it is still the responder's; refused when it cannot be read. */
async function planBucketReleaseNow(bucket: string, clients: AwsClients, { accountId, restore, record, reads }: RecordReleaseContext<BucketRecord>): Promise<RecordReleasePlan> {
  const current = await currentBlock(clients, reads, bucket, accountId);
  if (!current.ok) return { refused: `the public access block of bucket ${bucket} could not be read (${current.code}): nothing was changed` };
  const { steps, warnings } = planBucketRelease(bucket, accountId, record.publicAccessBlock, current.block);
  // The block is lifted only when a step runs: then name what made the bucket public, as recorded, first.
  if (steps.length > 0) warnings.unshift(...reopenedExposureWarnings(bucket, record.publicAccessBlock, restore.bucketExposure, restore.recordedAt));
  warnings.push(`the bucket's policy and ACL were never changed by the response: whatever made it public is still there and applies again once the block is off.`);
  return { steps, warnings };
}

export async function releaseBucket(bucket: string, options: BucketReleaseOptions): Promise<BucketReleaseReport> {
  return releaseFromRestoreRecord(
    {
      names: { bucket },
      keyField: keyAsKey,
      accountOf: 'bucket',
      restoreKey: (accountId) => bucketRestoreKey(accountId, bucket),
      subject: `bucket ${bucket}`,
      recordOf: (restore, key) =>
        restore.publicAccessBlock === undefined
          ? { refused: `the restore record ${key} holds no public access block: there is nothing to put back, nothing was changed` }
          : { record: { publicAccessBlock: restore.publicAccessBlock } },
      plan: (context) => planBucketReleaseNow(bucket, options.clients, context),
      resource: { kind: 'bucket', resourceId: bucket },
      incidentResource: (accountId) => bucketResource(accountId, bucket),
      evidenceNames: { bucket },
      note: bucketReleaseNote,
    },
    options,
  );
}

/** Refused, a failed read or step, a release not recorded or not notified: the same rule as the other releases. */
export function bucketReleaseFailed(report: BucketReleaseReport): boolean {
  return releaseFailed(report);
}
