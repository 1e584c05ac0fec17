import type { GuardVerdict } from '../../guards/types';
import { block, pass } from '../../guards/types';
import { BUCKET_UNVERIFIED } from '../../guards/unreadable';
import type { PlanningInput, PlaybookPlan } from '../types';
import { foundValue, type S3Lookup } from '../s3/lookup';
import { blockPublicAccessStep } from './block-step';
import { isAllBlocked, PUBLIC_GRANTEES, type BucketExposureFacts } from './facts';
import { bucketRestoreRecordStep } from './restore-record-step';

/*
 * A bucket made public (or whose own Block Public Access was turned off):
 * record what it was, then turn all four settings on for that bucket. The
 * bucket must be the finding's and be read as belonging to the finding's
 * account (ExpectedBucketOwner); a read that fails for any other reason
 * than "there is none" blocks the change: fail closed.
 */

/** Blocks when a read of the bucket failed (a retry may read it): the retry policy knows it (lambda/guards/unreadable.ts). */
export const BUCKET_VERIFIED = BUCKET_UNVERIFIED;

function describeLookup<T>(what: string, lookup: S3Lookup<T>, show: (value: T) => string): string {
  switch (lookup.state) {
    case 'found':
      return `${what}: ${show(lookup.value)}`;
    case 'missing':
      return `${what}: the bucket is gone (${lookup.error.code})`;
    case 'failed':
      return `${what}: not read (${lookup.error.code})`;
    case 'not-read':
      return `${what}: not read (offline)`;
  }
}

/** The first read that failed or found the bucket missing: the bucket is not verified as the finding's account's, so nothing is changed. */
function verification(facts: BucketExposureFacts, bucket: string, accountId: string): GuardVerdict {
  for (const [name, lookup] of [
    ['GetPublicAccessBlock', facts.publicAccessBlock],
    ['GetBucketPolicyStatus', facts.policyIsPublic],
    ['GetBucketAcl', facts.acl],
  ] as const) {
    if (lookup.state === 'missing') return block(BUCKET_VERIFIED, `bucket ${bucket} does not exist (${name}: ${lookup.error.code}): nothing to block`);
    if (lookup.state === 'failed') {
      return block(
        BUCKET_VERIFIED,
        `bucket ${bucket} could not be verified as account ${accountId}'s (${name} with ExpectedBucketOwner: ${lookup.error.code}): a bucket of another account, or one that could not be read, is never changed`,
      );
    }
  }
  const offline = facts.publicAccessBlock.state === 'not-read';
  return pass(BUCKET_VERIFIED, offline ? `bucket ${bucket} is verified when the plan runs (planned offline)` : `bucket ${bucket} exists and belongs to account ${accountId}`);
}

export function planBlockPublicAccess(input: PlanningInput<BucketExposureFacts>): PlaybookPlan {
  const { facts, finding } = input;
  const { target } = facts;
  if (target.kind === 'untargeted') {
    return { steps: [], warnings: [`${target.why}. Turn on Block Public Access for the bucket by hand once it is known.`], verdicts: [], resourceTags: {}, resource: { bucket: null } };
  }
  const gone = [facts.publicAccessBlock, facts.policyIsPublic, facts.acl].find((lookup) => lookup.state === 'missing');
  if (gone?.state === 'missing') {
    // Nothing to block, nothing to record: like a terminated instance, the plan has no change left to make.
    return {
      steps: [],
      warnings: [`bucket ${target.bucket} does not exist (${gone.error.code}): there is nothing to block. Find out in CloudTrail who deleted it, and whether its name was taken again.`],
      verdicts: [],
      resourceTags: target.tags,
      resource: { bucket: target.bucket, accountId: target.accountId, state: 'missing' },
    };
  }
  const block_ = foundValue(facts.publicAccessBlock);
  const acl = foundValue(facts.acl);
  const publicGrants = acl?.grants.filter((grant) => PUBLIC_GRANTEES.includes(grant.grantee)) ?? [];
  const exposure = JSON.stringify({ policyIsPublic: foundValue(facts.policyIsPublic) ?? null, aclOwnerId: acl?.ownerId ?? null, aclGrants: acl?.grants ?? null });
  const record = bucketRestoreRecordStep({ target, incidentId: input.incidentId, findingId: finding.id, region: finding.region ?? null, before: block_, exposure });
  const change = blockPublicAccessStep(target, block_, `the finding (${finding.type}) shows bucket ${target.bucket} open to the public`);
  const warnings: string[] = [];
  if (facts.publicAccessBlock.state === 'not-read') warnings.push(`planned from the finding alone: bucket ${target.bucket}, its public access block, policy status and ACL were not read.`);
  if (block_ !== undefined && isAllBlocked(block_)) warnings.push(`bucket ${target.bucket} already blocks all public access: the change is skipped when it runs.`);
  if (publicGrants.length > 0) {
    warnings.push(
      `the ACL of ${target.bucket} grants ${publicGrants.map((g) => `${g.permission} to ${g.grantee}`).join(', ')}: ignored once the block is on, but still there. Remove the grants by hand once investigated.`,
    );
  }
  if (foundValue(facts.policyIsPublic) === true) warnings.push(`the bucket policy of ${target.bucket} is public: ignored once the block is on, but still there. Review it.`);
  warnings.push(`objects of ${target.bucket} may have been read while it was public: check its server access logs or CloudTrail data events.`);
  return {
    steps: [record, change],
    warnings,
    verdicts: [verification(facts, target.bucket, target.accountId)],
    resourceTags: target.tags,
    resource: {
      bucket: target.bucket,
      accountId: target.accountId,
      publicAccessBlock: describeLookup('public access block', facts.publicAccessBlock, (v) => (v === null ? 'none' : JSON.stringify(v))),
      policyStatus: describeLookup('policy', facts.policyIsPublic, (v) => (v === null ? 'no policy' : v ? 'public' : 'not public')),
      acl: describeLookup('ACL', facts.acl, (v) => `${v.grants.length} grant(s), ${publicGrants.length} public`),
    },
  };
}
