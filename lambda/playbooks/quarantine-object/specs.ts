import type { StepSpec } from '../../plan/types';
import { ONLY_OWN_ACCOUNT_BUCKETS, ownAccountGrants } from '../s3/own-account';

/*
 * Every call this playbook makes, reads included. Each S3 action is confined
 * to buckets of the role's own account (s3/own-account.ts). Tag mode: a
 * version is tagged, never copied, overwritten or deleted. Copy mode: the
 * version is copied to the quarantine bucket of the same account, and only
 * once the copy is verified is that one version removed: the evidence is
 * the copy.
 */

/** GetObjectTagging (with VersionId: s3:GetObjectVersionTagging): the version exists, and the tags it has (kept when the quarantine tag is added). */
export const READ_OBJECT_TAGS: StepSpec = {
  kind: 'read-object-tags',
  iamActions: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  mutating: false,
  iamGrants: ownAccountGrants(['s3:GetObjectTagging', 's3:GetObjectVersionTagging']),
};

/** GetBucketPolicy: whether the bucket policy holds the Deny statement that makes the tag effective. */
export const READ_BUCKET_POLICY: StepSpec = { kind: 'read-bucket-policy', iamActions: ['s3:GetBucketPolicy'], mutating: false, iamGrants: ownAccountGrants(['s3:GetBucketPolicy']) };

/** PutObjectTagging of the exact version: its own tags plus the quarantine tag. */
export const TAG_OBJECT_VERSION: StepSpec = {
  kind: 'tag-object-version',
  iamActions: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'],
  mutating: true,
  changeClass: 'quarantine-object',
  iamGrants: ownAccountGrants(['s3:PutObjectTagging', 's3:PutObjectVersionTagging']),
};

/**
 * Copy mode, the copy: the quarantine bucket's versioning and public access
 * block (it must be versioned and closed before anything goes in), HeadObject
 * of the source version (s3:GetObjectVersion; s3:GetObject for an unversioned
 * key) and of the copy, and CopyObject (read the source, s3:PutObject the
 * copy). s3:PutObject is granted only for a copy (the request names
 * x-amz-copy-source): the role cannot upload content of its own.
 */
export const COPY_OBJECT_VERSION: StepSpec = {
  kind: 'copy-object-version',
  iamActions: ['s3:GetBucketVersioning', 's3:GetBucketPublicAccessBlock', 's3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
  mutating: true,
  changeClass: 'quarantine-object',
  iamGrants: [
    ...ownAccountGrants(['s3:GetBucketVersioning', 's3:GetBucketPublicAccessBlock', 's3:GetObject', 's3:GetObjectVersion']),
    { action: 's3:PutObject', s3Objects: true, condition: { ...ONLY_OWN_ACCOUNT_BUCKETS, Null: { 's3:x-amz-copy-source': 'false' } } },
  ],
};

/**
 * Copy mode, the removal: HeadObject of the copy (still there, from that
 * version) and DeleteObject with the VersionId (s3:DeleteObjectVersion). No
 * s3:DeleteObject: a delete without a VersionId is never made.
 */
export const REMOVE_OBJECT_VERSION: StepSpec = {
  kind: 'remove-object-version',
  iamActions: ['s3:GetObjectVersion', 's3:DeleteObjectVersion'],
  mutating: true,
  changeClass: 'quarantine-object',
  iamGrants: ownAccountGrants(['s3:GetObjectVersion', 's3:DeleteObjectVersion']),
};

/** The restore record: the version's tags before the quarantine tag (read when the step runs), in the security account's ledger. */
export const RECORD_OBJECT_RESTORE_STATE: StepSpec = {
  kind: 'record-object-restore-state',
  iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  mutating: true,
  neverWaits: 'bookkeeping',
};
export const QUARANTINE_OBJECT_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_OBJECT_RESTORE_STATE];

export const QUARANTINE_OBJECT_STEP_SPECS: readonly StepSpec[] = [READ_OBJECT_TAGS, READ_BUCKET_POLICY, TAG_OBJECT_VERSION, COPY_OBJECT_VERSION, REMOVE_OBJECT_VERSION];
