import type { BucketTarget, Untargeted } from '../s3/target';
import type { S3Lookup } from '../s3/lookup';

/** S3's four Block Public Access settings, as GetPublicAccessBlock gives them (absent: false). */
export interface PublicAccessBlock {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

export const ALL_BLOCKED: PublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export function isAllBlocked(block: PublicAccessBlock | null): boolean {
  return block !== null && block.BlockPublicAcls && block.IgnorePublicAcls && block.BlockPublicPolicy && block.RestrictPublicBuckets;
}

/** One grant of the bucket ACL, as evidence. */
export interface AclGrant {
  readonly grantee: string;
  readonly permission: string;
}

export interface BucketAcl {
  readonly ownerId: string | null;
  readonly grants: readonly AclGrant[];
}

export interface BucketExposureFacts {
  readonly target: BucketTarget | Untargeted;
  /** null: the bucket has no public access block of its own (NoSuchPublicAccessBlockConfiguration). */
  readonly publicAccessBlock: S3Lookup<PublicAccessBlock | null>;
  /** IsPublic of the bucket policy; null: the bucket has no policy (NoSuchBucketPolicy). */
  readonly policyIsPublic: S3Lookup<boolean | null>;
  readonly acl: S3Lookup<BucketAcl>;
}

/** The grantee groups that make an ACL grant public. */
export const PUBLIC_GRANTEES = ['http://acs.amazonaws.com/groups/global/AllUsers', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'];
