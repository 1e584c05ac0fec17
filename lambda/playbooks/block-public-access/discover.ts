import { GetBucketAclCommand, GetBucketPolicyStatusCommand, GetPublicAccessBlockCommand, type Grant } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import { NOT_READ, s3LookupOf } from '../s3/lookup';
import { bucketTargetOf } from '../s3/target';
import type { AclGrant, BucketExposureFacts, PublicAccessBlock } from './facts';
import { READ_BUCKET_ACL, READ_BUCKET_POLICY_STATUS, READ_PUBLIC_ACCESS_BLOCK } from './specs';

/** The configuration as S3 gives it, each absent setting false (as S3 treats it). */
export function publicAccessBlockOf(config: Partial<Record<keyof PublicAccessBlock, boolean | undefined>> | undefined): PublicAccessBlock {
  return {
    BlockPublicAcls: config?.BlockPublicAcls === true,
    IgnorePublicAcls: config?.IgnorePublicAcls === true,
    BlockPublicPolicy: config?.BlockPublicPolicy === true,
    RestrictPublicBuckets: config?.RestrictPublicBuckets === true,
  };
}

function grantOf(grant: Grant): AclGrant {
  const grantee = grant.Grantee;
  const who = grantee?.URI ?? grantee?.ID ?? grantee?.EmailAddress ?? grantee?.Type ?? 'unknown';
  return { grantee: who, permission: grant.Permission ?? 'unknown' };
}

/**
 * Reads the bucket the finding names, three reads at once, each with
 * ExpectedBucketOwner = the finding's account: a bucket of another account
 * (renamed, deleted and re-created by someone else) answers AccessDenied, and
 * the plan changes nothing.
 */
export async function discoverBucketExposureFacts(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<BucketExposureFacts> {
  const target = bucketTargetOf(finding);
  if (target.kind === 'untargeted') return { target, publicAccessBlock: NOT_READ, policyIsPublic: NOT_READ, acl: NOT_READ };
  const s3 = await clients.load('s3');
  const request = { Bucket: target.bucket, ExpectedBucketOwner: target.accountId };
  const where = `s3://${target.bucket}`;
  const [block, status, acl] = await Promise.all([
    reads.read(READ_PUBLIC_ACCESS_BLOCK, `Read the public access block of bucket ${target.bucket}`, where, () => s3.send(new GetPublicAccessBlockCommand(request))),
    reads.read(READ_BUCKET_POLICY_STATUS, `Read the policy status of bucket ${target.bucket}`, where, () => s3.send(new GetBucketPolicyStatusCommand(request))),
    reads.read(READ_BUCKET_ACL, `Read the ACL of bucket ${target.bucket}`, where, () => s3.send(new GetBucketAclCommand(request))),
  ]);
  return {
    target,
    publicAccessBlock: s3LookupOf(block, (out) => publicAccessBlockOf(out.PublicAccessBlockConfiguration), { NoSuchPublicAccessBlockConfiguration: null }),
    policyIsPublic: s3LookupOf(status, (out) => out.PolicyStatus?.IsPublic === true, { NoSuchBucketPolicy: null }),
    acl: s3LookupOf(acl, (out) => ({ ownerId: out.Owner?.ID ?? null, grants: (out.Grants ?? []).map(grantOf) })),
  };
}
