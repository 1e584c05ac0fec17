import type { StepSpec } from '../../plan/types';
import { ownAccountGrants } from '../s3/own-account';

/*
 * Every call this playbook makes, reads included. The Lambda role and the
 * member role are derived from this list; each S3 action is confined to
 * buckets of the role's own account (s3/own-account.ts).
 */

/** GetPublicAccessBlock (NoSuchPublicAccessBlockConfiguration: the bucket has none): what release puts back. */
export const READ_PUBLIC_ACCESS_BLOCK: StepSpec = {
  kind: 'read-public-access-block',
  iamActions: ['s3:GetBucketPublicAccessBlock'],
  mutating: false,
  iamGrants: ownAccountGrants(['s3:GetBucketPublicAccessBlock']),
};

/** GetBucketPolicyStatus: whether the bucket policy makes the bucket public (evidence; NoSuchBucketPolicy: no policy). */
export const READ_BUCKET_POLICY_STATUS: StepSpec = {
  kind: 'read-bucket-policy-status',
  iamActions: ['s3:GetBucketPolicyStatus'],
  mutating: false,
  iamGrants: ownAccountGrants(['s3:GetBucketPolicyStatus']),
};

/** GetBucketAcl: the grants of the bucket's ACL (evidence: which of them were public). */
export const READ_BUCKET_ACL: StepSpec = { kind: 'read-bucket-acl', iamActions: ['s3:GetBucketAcl'], mutating: false, iamGrants: ownAccountGrants(['s3:GetBucketAcl']) };

/**
 * PutPublicAccessBlock with all four settings true, on this bucket only (not
 * the account's setting): public ACLs and policies stop granting access at
 * once, and nothing is deleted, so release can put the settings back.
 */
export const BLOCK_PUBLIC_ACCESS: StepSpec = {
  kind: 'block-public-access',
  iamActions: ['s3:PutBucketPublicAccessBlock'],
  mutating: true,
  changeClass: 'block-public-access',
  iamGrants: ownAccountGrants(['s3:PutBucketPublicAccessBlock']),
};

/**
 * The restore record in the security account's ledger, written before the
 * change: the bucket's public access block as read when the step runs (or
 * none), its policy status and ACL. `ir release --bucket` puts the block back
 * from it.
 */
export const RECORD_BUCKET_RESTORE_STATE: StepSpec = {
  kind: 'record-bucket-restore-state',
  iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  mutating: true,
  neverWaits: 'bookkeeping',
};
export const BLOCK_PUBLIC_ACCESS_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_BUCKET_RESTORE_STATE];

export const BLOCK_PUBLIC_ACCESS_STEP_SPECS: readonly StepSpec[] = [READ_PUBLIC_ACCESS_BLOCK, READ_BUCKET_POLICY_STATUS, READ_BUCKET_ACL, BLOCK_PUBLIC_ACCESS];
