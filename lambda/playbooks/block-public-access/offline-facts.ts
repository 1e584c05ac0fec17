import type { Finding } from '../../finding/schema';
import { NOT_READ } from '../s3/lookup';
import { bucketTargetOf } from '../s3/target';
import type { BucketExposureFacts } from './facts';

/** The facts of `ir plan --offline`: the bucket as the finding names it, nothing read. */
export function offlineBucketExposureFacts(finding: Finding): BucketExposureFacts {
  return { target: bucketTargetOf(finding), publicAccessBlock: NOT_READ, policyIsPublic: NOT_READ, acl: NOT_READ };
}
