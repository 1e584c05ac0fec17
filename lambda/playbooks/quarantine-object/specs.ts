import type { StepSpec } from '../../plan/types';
import { ownAccountGrants } from '../s3/own-account';

/*
 * Every call this playbook makes, reads included. Each S3 action is confined
 * to buckets of the role's own account (s3/own-account.ts). A version is
 * tagged, never copied, overwritten or deleted: the object stays as evidence.
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

/** The restore record: the version's tags before the quarantine tag (read when the step runs), in the security account's ledger. */
export const RECORD_OBJECT_RESTORE_STATE: StepSpec = {
  kind: 'record-object-restore-state',
  iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  mutating: true,
  neverWaits: 'bookkeeping',
};
export const QUARANTINE_OBJECT_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_OBJECT_RESTORE_STATE];

export const QUARANTINE_OBJECT_STEP_SPECS: readonly StepSpec[] = [READ_OBJECT_TAGS, READ_BUCKET_POLICY, TAG_OBJECT_VERSION];
