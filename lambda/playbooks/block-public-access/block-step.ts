import { PutPublicAccessBlockCommand, type PutPublicAccessBlockCommandInput } from '@aws-sdk/client-s3';
import { planStep, type PlannedStep } from '../../plan/types';
import type { BucketTarget } from '../s3/target';
import { ALL_BLOCKED, isAllBlocked, type PublicAccessBlock } from './facts';
import { RECORD_BUCKET_ID } from './restore-record-step';
import { BLOCK_PUBLIC_ACCESS } from './specs';

export const BLOCK_PUBLIC_ACCESS_STEP_ID = 'block-public-access';

/** The exact request: all four settings on, on the finding's bucket, owned by the finding's account. */
export function blockPublicAccessInput(target: BucketTarget): PutPublicAccessBlockCommandInput {
  return { Bucket: target.bucket, ExpectedBucketOwner: target.accountId, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } };
}

/** `before`: the bucket's block as discovery read it (null: none; undefined: not read, offline). */
export function blockPublicAccessStep(target: BucketTarget, before: PublicAccessBlock | null | undefined, because: string): PlannedStep {
  const input = blockPublicAccessInput(target);
  return planStep(BLOCK_PUBLIC_ACCESS, {
    id: BLOCK_PUBLIC_ACCESS_STEP_ID,
    title: `Turn on Block Public Access for bucket ${target.bucket}`,
    action: 's3:PutBucketPublicAccessBlock',
    target: `s3://${target.bucket} (account ${target.accountId})`,
    parameters: { ...input },
    why:
      `${because}; with all four settings on, S3 ignores public ACLs and public policies of the bucket at once. ` +
      'Nothing is deleted (the policy and ACL stay as they are, for the investigation), and ir release --bucket puts the recorded settings back',
    stage: 1,
    requires: [RECORD_BUCKET_ID],
    run: async (ctx) => {
      if (before !== undefined && isAllBlocked(before)) {
        return { status: 'skipped', reason: `bucket ${target.bucket} already blocks all public access (GetPublicAccessBlock)` };
      }
      const s3 = await ctx.clients.load('s3');
      await s3.send(new PutPublicAccessBlockCommand(input));
      return { status: 'done', detail: `bucket ${target.bucket} now blocks public ACLs and policies (all four settings on)` };
    },
  });
}
