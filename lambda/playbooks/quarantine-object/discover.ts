import { GetBucketPolicyCommand, GetObjectTaggingCommand, type Tag } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import { NOT_READ, s3LookupOf } from '../s3/lookup';
import { objectTargetOf } from '../s3/target';
import type { ObjectTag, QuarantineObjectFacts } from './facts';
import { READ_BUCKET_POLICY, READ_OBJECT_TAGS } from './specs';
import { versionRequest } from './tag-request';

export function objectTagsOf(tags: readonly Tag[] | undefined): ObjectTag[] {
  return (tags ?? []).flatMap((tag) => (tag.Key !== undefined ? [{ Key: tag.Key, Value: tag.Value ?? '' }] : []));
}

/**
 * Reads the version the finding names (its tags: the read also proves the
 * version exists in a bucket of the finding's account, ExpectedBucketOwner)
 * and the bucket policy, at once.
 */
export async function discoverQuarantineObjectFacts(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<QuarantineObjectFacts> {
  const target = objectTargetOf(finding);
  if (target.kind === 'untargeted') return { target, tags: NOT_READ, bucketPolicy: NOT_READ };
  const s3 = await clients.load('s3');
  const version = target.versionId ?? 'current';
  const [tags, policy] = await Promise.all([
    reads.read(READ_OBJECT_TAGS, `Read the tags of s3://${target.bucket}/${target.key} (version ${version})`, `s3://${target.bucket}/${target.key}`, () =>
      s3.send(new GetObjectTaggingCommand(versionRequest(target))),
    ),
    reads.read(READ_BUCKET_POLICY, `Read the policy of bucket ${target.bucket}`, `s3://${target.bucket}`, () =>
      s3.send(new GetBucketPolicyCommand({ Bucket: target.bucket, ExpectedBucketOwner: target.accountId })),
    ),
  ]);
  return {
    target,
    tags: s3LookupOf(tags, (out) => objectTagsOf(out.TagSet)),
    bucketPolicy: s3LookupOf(policy, (out): string | null => out.Policy ?? null, { NoSuchBucketPolicy: null }),
  };
}
