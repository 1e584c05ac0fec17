import type { Finding } from '../../finding/schema';
import { NOT_READ } from '../s3/lookup';
import { objectTargetOf } from '../s3/target';
import type { QuarantineObjectFacts } from './facts';

/** The facts of `ir plan --offline`: the object version as the finding names it, nothing read. */
export function offlineQuarantineObjectFacts(finding: Finding): QuarantineObjectFacts {
  return { target: objectTargetOf(finding), tags: NOT_READ, bucketPolicy: NOT_READ };
}
