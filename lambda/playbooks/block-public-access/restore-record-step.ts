import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../aws/clients';
import { ResponderError, toStepError } from '../../aws/errors';
import { bucketRestoreKey } from '../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../plan/types';
import type { BucketTarget } from '../s3/target';
import { publicAccessBlockOf } from './discover';
import type { PublicAccessBlock } from './facts';
import { RECORD_BUCKET_RESTORE_STATE } from './specs';

/*
 * The restore record of a bucket (lambda/ledger/restore-record.ts), written
 * before Block Public Access is turned on: the bucket's own public access
 * block read again when the step runs (none is recorded as none), not
 * discovery's, which may be hours old when the step runs after an approval
 * or from a stored plan; the policy status and ACL discovery read go with
 * it as evidence. The first record of a bucket
 * wins (a second finding finds the block already on and must not record that
 * as the original). The change requires this step: if it cannot be written,
 * nothing is changed.
 */

export const RECORD_BUCKET_ID = 'record-restore:bucket';

export interface BucketRecordArgs {
  readonly target: BucketTarget;
  readonly incidentId: string;
  readonly findingId: string;
  readonly region: string | null;
  /** The bucket's own block as GetPublicAccessBlock gave it (null: none); undefined when it was not read (offline). */
  readonly before: PublicAccessBlock | null | undefined;
  /** The policy status and ACL, as discovery read them (JSON): kept with the record, never applied. */
  readonly exposure: string;
}

const NO_LEDGER = 'not written: this response has no incident ledger (ir respond, or a stack without one)';

function sameBlock(a: PublicAccessBlock | null, b: PublicAccessBlock | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describeBlock(block: PublicAccessBlock | null): string {
  return block === null ? 'none' : JSON.stringify(block);
}

/** The bucket's own block now (null: none), read with ExpectedBucketOwner like discovery; any other failure changes nothing. */
async function currentBlock(clients: AwsClients, target: BucketTarget): Promise<PublicAccessBlock | null> {
  const s3 = await clients.load('s3');
  try {
    const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: target.bucket, ExpectedBucketOwner: target.accountId }));
    return publicAccessBlockOf(out.PublicAccessBlockConfiguration);
  } catch (error) {
    if (toStepError(error).code === 'NoSuchPublicAccessBlockConfiguration') return null;
    throw error;
  }
}

export function bucketRestoreRecordStep(args: BucketRecordArgs): PlannedStep {
  const { target, before } = args;
  const key = bucketRestoreKey(target.accountId, target.bucket);
  return planStep(RECORD_BUCKET_RESTORE_STATE, {
    id: RECORD_BUCKET_ID,
    title: `Record the public access block of bucket ${target.bucket} in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key,
    // What discovery read; the step records the block as it reads it again when it runs.
    parameters: { Key: key, record: { publicAccessBlock: before === undefined ? '<GetPublicAccessBlock of the bucket, or none>' : before, bucketExposure: args.exposure } },
    why: 'before the change: ir release --bucket puts back exactly these settings (or removes the block if the bucket had none)',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER };
      let now: PublicAccessBlock | null;
      try {
        now = await currentBlock(ctx.clients, target);
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the public access block of ${target.bucket} could not be read again, so it cannot be recorded: nothing is changed (${message})`, retryable);
      }
      try {
        await ctx.restoreLedger.record({
          key,
          kind: 'bucket',
          resourceId: target.bucket,
          accountId: target.accountId,
          region: args.region ?? 'global',
          incidentId: args.incidentId,
          findingId: args.findingId,
          facts: { publicAccessBlock: now, bucketExposure: args.exposure },
        });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      const changed = before !== undefined && !sameBlock(before, now) ? ` (read again: ${describeBlock(now)}; discovery read ${describeBlock(before)})` : '';
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: originals recorded where not recorded before${changed}` };
    },
  });
}
