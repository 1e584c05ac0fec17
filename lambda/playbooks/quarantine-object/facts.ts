import type { S3Lookup } from '../s3/lookup';
import type { ObjectTarget, Untargeted } from '../s3/target';

export interface ObjectTag {
  readonly Key: string;
  readonly Value: string;
}

export interface QuarantineObjectFacts {
  readonly target: ObjectTarget | Untargeted;
  readonly tags: S3Lookup<readonly ObjectTag[]>;
  /** The bucket policy document; null: the bucket has no policy (NoSuchBucketPolicy). */
  readonly bucketPolicy: S3Lookup<string | null>;
}

/** S3 allows at most 10 tags on an object. */
export const MAX_OBJECT_TAGS = 10;
