import { ResponderError, toStepError } from '../../aws/errors';
import { bucketRestoreKey } from '../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../plan/types';
import type { BucketTarget } from '../s3/target';
import type { PublicAccessBlock } from './facts';
import { RECORD_BUCKET_RESTORE_STATE } from './specs';

/*
 * The restore record of a bucket (lambda/ledger/restore-record.ts), written
 * before Block Public Access is turned on: the bucket's own public access
 * block as discovery read it a moment before (none is recorded as none),
 * with the policy status and ACL as evidence. The first record of a bucket
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

export function bucketRestoreRecordStep(args: BucketRecordArgs): PlannedStep {
  const { target, before } = args;
  const key = bucketRestoreKey(target.accountId, target.bucket);
  return planStep(RECORD_BUCKET_RESTORE_STATE, {
    id: RECORD_BUCKET_ID,
    title: `Record the public access block of bucket ${target.bucket} in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key,
    parameters: { Key: key, record: { publicAccessBlock: before === undefined ? '<GetPublicAccessBlock of the bucket, or none>' : before, bucketExposure: args.exposure } },
    why: 'before the change: ir release --bucket puts back exactly these settings (or removes the block if the bucket had none)',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER };
      if (before === undefined) throw new ResponderError('OriginalNotRead', `the public access block of ${target.bucket} was not read, so it cannot be recorded: nothing is changed`, false);
      try {
        await ctx.restoreLedger.record({
          key,
          kind: 'bucket',
          resourceId: target.bucket,
          accountId: target.accountId,
          region: args.region ?? 'global',
          incidentId: args.incidentId,
          findingId: args.findingId,
          facts: { publicAccessBlock: before, bucketExposure: args.exposure },
        });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: originals recorded where not recorded before` };
    },
  });
}
