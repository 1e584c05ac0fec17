import type { GetObjectTaggingCommandInput, PutObjectTaggingCommandInput } from '@aws-sdk/client-s3';
import type { ObjectTarget } from '../s3/target';
import { MAX_OBJECT_TAGS, type ObjectTag } from './facts';
import { QUARANTINE_TAG_VALUE } from '../../config/s3-quarantine';

/** The version the finding names, in the finding's account: every call names both. */
export function versionRequest(target: ObjectTarget): GetObjectTaggingCommandInput {
  return { Bucket: target.bucket, Key: target.key, ExpectedBucketOwner: target.accountId, ...(target.versionId ? { VersionId: target.versionId } : {}) };
}

export interface QuarantineTagSet {
  readonly tagSet: ObjectTag[];
  /** The version's own tag left out to make room for the quarantine tag (S3 allows 10), recorded in the restore record; null when all fit. */
  readonly dropped: ObjectTag | null;
}

/**
 * The version's own tags, with the quarantine tag set (replacing a tag of the
 * same key): PutObjectTagging replaces the whole set. When the version has the
 * 10 tags S3 allows, the last of its own tags is left out: the uploader chose
 * those tags (x-amz-tagging), so keeping them all would let any uploader make
 * every malicious upload impossible to quarantine; the restore record holds
 * the full set (it is written before this change) and a release puts it back.
 */
export function quarantineTagSet(existing: readonly ObjectTag[], tagKey: string): QuarantineTagSet {
  const own = existing.filter((tag) => tag.Key !== tagKey);
  const dropped = own.length >= MAX_OBJECT_TAGS ? own[own.length - 1]! : null;
  const kept = dropped === null ? own : own.slice(0, MAX_OBJECT_TAGS - 1);
  return { tagSet: [...kept, { Key: tagKey, Value: QUARANTINE_TAG_VALUE }], dropped };
}

export function tagObjectInput(target: ObjectTarget, existing: readonly ObjectTag[], tagKey: string): PutObjectTaggingCommandInput {
  return { ...versionRequest(target), Tagging: { TagSet: quarantineTagSet(existing, tagKey).tagSet } };
}
