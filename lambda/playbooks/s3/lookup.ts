import type { StepError } from '../../aws/errors';
import type { ReadResult } from '../../plan/reads';

/** How one S3 read ended: the plan tells "the bucket is gone" from "we could not look" from "we did not look" (offline). */
export type S3Lookup<T> =
  | { readonly state: 'found'; readonly value: T }
  /** NoSuchBucket, NoSuchKey, NoSuchVersion: the resource the finding names is not there (any more). */
  | { readonly state: 'missing'; readonly error: StepError }
  /** AccessDenied (the bucket belongs to another account: ExpectedBucketOwner), throttling, ... */
  | { readonly state: 'failed'; readonly error: StepError }
  | { readonly state: 'not-read' };

export const NOT_READ = { state: 'not-read' } as const;

const MISSING = new Set(['NoSuchBucket', 'NoSuchKey', 'NoSuchVersion']);

/**
 * A read's lookup; `absent` names the error codes that mean "there is none"
 * for this read (NoSuchPublicAccessBlockConfiguration, NoSuchBucketPolicy),
 * which are an answer, not a failure.
 */
export function s3LookupOf<T, V>(result: ReadResult<T>, toValue: (value: T) => V, absent: Readonly<Record<string, V>> = {}): S3Lookup<V> {
  if (result.ok) return { state: 'found', value: toValue(result.value) };
  const { code } = result.error;
  if (Object.hasOwn(absent, code)) return { state: 'found', value: absent[code]! };
  return MISSING.has(code) ? { state: 'missing', error: result.error } : { state: 'failed', error: result.error };
}

export function foundValue<T>(lookup: S3Lookup<T>): T | undefined {
  return lookup.state === 'found' ? lookup.value : undefined;
}
