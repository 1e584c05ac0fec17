import type { GetObjectTaggingCommandInput, PutObjectTaggingCommandInput } from '@aws-sdk/client-s3';
import type { ObjectTarget } from '../s3/target';
import type { ObjectTag } from './facts';
import { QUARANTINE_TAG_VALUE } from '../../config/s3-quarantine';

/** The version the finding names, in the finding's account: every call names both. */
export function versionRequest(target: ObjectTarget): GetObjectTaggingCommandInput {
  return { Bucket: target.bucket, Key: target.key, ExpectedBucketOwner: target.accountId, ...(target.versionId ? { VersionId: target.versionId } : {}) };
}

/** The version's own tags, with the quarantine tag set (replacing a tag of the same key): PutObjectTagging replaces the whole set. */
export function quarantineTagSet(existing: readonly ObjectTag[], tagKey: string): ObjectTag[] {
  return [...existing.filter((tag) => tag.Key !== tagKey), { Key: tagKey, Value: QUARANTINE_TAG_VALUE }];
}

export function tagObjectInput(target: ObjectTarget, existing: readonly ObjectTag[], tagKey: string): PutObjectTaggingCommandInput {
  return { ...versionRequest(target), Tagging: { TagSet: quarantineTagSet(existing, tagKey) } };
}
