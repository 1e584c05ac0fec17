import type { Finding } from '../../finding/schema';
import * as z from '../../zod';

/*
 * The bucket (and object) an S3 finding names, checked before any call uses
 * it. The finding is GuardDuty's (confirmed before a change), but its text
 * still ends up in request paths and ledger keys: a name that is not a
 * bucket name, a key that is not a key, is refused here, never sent.
 */

/** S3 bucket naming rules (general purpose buckets): 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const bucketName = z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'));
/** An object key is up to 1024 bytes of UTF-8; control characters are refused (they have no place in a ledger key or a report). */
const objectKey = z.string().check(
  z.minLength(1),
  z.refine((key) => Buffer.byteLength(key, 'utf8') <= 1024, { message: 'is longer than 1024 bytes' }),
  z.regex(/^[^\u0000-\u001f\u007f]+$/, 'holds control characters'),
);
/** Version ids are opaque; S3's own are up to 1024 URL-safe characters, and "null" names the version of an object written before versioning. */
const versionId = z.string().check(z.regex(/^[A-Za-z0-9._+=/-]{1,1024}$/, 'must be an S3 version id'));

export interface BucketTarget {
  readonly kind: 'bucket';
  readonly accountId: string;
  readonly bucket: string;
  /** The bucket's tags as GuardDuty saw them (for the exempt-tag guard). */
  readonly tags: Readonly<Record<string, string>>;
}

export interface ObjectTarget {
  readonly kind: 'object';
  readonly accountId: string;
  readonly bucket: string;
  readonly key: string;
  /** Absent: the finding names no version (a bucket without versioning): the object now under the key is acted on. */
  readonly versionId: string | null;
  readonly eTag: string | null;
  /** The threat's hash as GuardDuty reports it. */
  readonly hash: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** Why no target could be taken from the finding: the plan says it and changes nothing. */
export interface Untargeted {
  readonly kind: 'untargeted';
  readonly why: string;
}

type Buckets = NonNullable<NonNullable<NonNullable<Finding['resource']>['s3BucketDetails']>>;

function tagsOf(tags: Buckets[number]['tags']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key) out[tag.key] = tag.value ?? '';
  return out;
}

function issue(what: string, result: { error?: { issues: readonly { message: string }[] } }): string {
  return `${what} ${result.error?.issues[0]?.message ?? 'is not valid'}`;
}

/** The one bucket of the finding, in the finding's account. */
function oneBucket(finding: Finding): { accountId: string; detail: Buckets[number]; bucket: string } | Untargeted {
  const accountId = finding.accountId;
  if (!accountId) return { kind: 'untargeted', why: 'the finding names no account: the bucket owner cannot be verified, so nothing is changed' };
  const buckets = finding.resource?.s3BucketDetails ?? [];
  if (buckets.length !== 1) {
    return { kind: 'untargeted', why: `the finding names ${buckets.length} buckets (s3BucketDetails); the playbook acts on exactly one, so nothing is changed` };
  }
  const detail = buckets[0]!;
  const name = bucketName.safeParse(detail.name);
  if (!name.success) return { kind: 'untargeted', why: issue(`the bucket name ${JSON.stringify(detail.name ?? null)}`, name) };
  return { accountId, detail, bucket: name.data };
}

export function bucketTargetOf(finding: Finding): BucketTarget | Untargeted {
  const one = oneBucket(finding);
  if ('kind' in one) return one;
  return { kind: 'bucket', accountId: one.accountId, bucket: one.bucket, tags: tagsOf(one.detail.tags) };
}

export function objectTargetOf(finding: Finding): ObjectTarget | Untargeted {
  const one = oneBucket(finding);
  if ('kind' in one) return one;
  const objects = one.detail.s3ObjectDetails ?? [];
  if (objects.length !== 1) {
    return { kind: 'untargeted', why: `the finding names ${objects.length} objects (s3ObjectDetails); the playbook acts on exactly one, so nothing is changed` };
  }
  const object = objects[0]!;
  const key = objectKey.safeParse(object.key);
  if (!key.success) return { kind: 'untargeted', why: issue('the object key', key) };
  let version: string | null = null;
  if (object.versionId !== undefined && object.versionId !== null && object.versionId !== '') {
    const parsed = versionId.safeParse(object.versionId);
    if (!parsed.success) return { kind: 'untargeted', why: issue(`the version id ${JSON.stringify(object.versionId)}`, parsed) };
    version = parsed.data;
  }
  return {
    kind: 'object',
    accountId: one.accountId,
    bucket: one.bucket,
    key: key.data,
    versionId: version,
    eTag: object.eTag ?? null,
    hash: object.hash ?? null,
    tags: tagsOf(one.detail.tags),
  };
}
