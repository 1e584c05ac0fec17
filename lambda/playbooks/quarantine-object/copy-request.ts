import { createHash } from 'node:crypto';
import type { CopyObjectCommandInput, DeleteObjectCommandInput, HeadObjectCommandInput } from '@aws-sdk/client-s3';
import type { ObjectTarget } from '../s3/target';

/*
 * The requests of the copy mode: where the copy of a version goes, the
 * CopyObject that makes it, and how it is checked before the version is
 * removed. Pure: the steps (copy-step.ts, remove-step.ts) send them.
 */

/** Where the copy of one version goes in the quarantine bucket. */
export interface QuarantineCopyPlace {
  readonly bucket: string;
  readonly key: string;
}

/** The copy's user metadata (x-amz-meta-*): where it came from, so a copy is recognised (and a release finds its way back) without the ledger. */
export const SOURCE_VERSION_META = 'ir-source-version-id';
export const SOURCE_BUCKET_META = 'ir-source-bucket';
export const SOURCE_KEY_META = 'ir-source-key';
export const INCIDENT_META = 'ir-incident-id';
/** No version id (a bucket without versioning): the copy says so rather than leaving the field out. */
export const NO_VERSION = 'none';

const MAX_KEY_BYTES = 1024;

/**
 * `<bucket>/<version id>/<key>`: one place per version, readable by a person
 * browsing the quarantine bucket. A name too long for an S3 key (the source
 * key alone may use the 1024 bytes) is replaced by its SHA-256; the copy's
 * metadata names the source either way.
 */
export function quarantineCopyKey(target: ObjectTarget): string {
  const version = target.versionId ?? NO_VERSION;
  const readable = `${target.bucket}/${version}/${target.key}`;
  if (Buffer.byteLength(readable, 'utf8') <= MAX_KEY_BYTES) return readable;
  return `${target.bucket}/${createHash('sha256').update(`${version}/${target.key}`).digest('hex')}`;
}

/** CopySource is sent as is: the key (and version id) must be URL-encoded by the caller. */
export function copySourceOf(target: ObjectTarget): string {
  const path = `${target.bucket}/${target.key.split('/').map(encodeURIComponent).join('/')}`;
  return target.versionId ? `${path}?versionId=${encodeURIComponent(target.versionId)}` : path;
}

export function copyMetadataOf(target: ObjectTarget, incidentId: string): Record<string, string> {
  const key = encodeURIComponent(target.key);
  return {
    [SOURCE_BUCKET_META]: target.bucket,
    [SOURCE_VERSION_META]: target.versionId ?? NO_VERSION,
    [INCIDENT_META]: incidentId,
    // User metadata is limited to 2 KB in all: a key that long is named by the copy's own key instead.
    ...(key.length <= 1024 ? { [SOURCE_KEY_META]: key } : {}),
  };
}

export interface SourceVersion {
  readonly eTag: string | null;
  readonly contentLength: number | null;
  readonly contentType: string | null;
}

/**
 * The copy: the source version only if it still has the ETag read a moment
 * before (an object replaced under an unversioned key is not copied in its
 * place), S3 computing the copy's SHA-256, the source's tags left behind (they
 * are in the restore record; copying them would need tagging rights on the
 * quarantine bucket), both buckets' owner named.
 */
export function copyObjectInput(target: ObjectTarget, place: QuarantineCopyPlace, source: SourceVersion, incidentId: string): CopyObjectCommandInput {
  return {
    Bucket: place.bucket,
    Key: place.key,
    CopySource: copySourceOf(target),
    ...(source.eTag ? { CopySourceIfMatch: source.eTag } : {}),
    ExpectedBucketOwner: target.accountId,
    ExpectedSourceBucketOwner: target.accountId,
    ChecksumAlgorithm: 'SHA256',
    MetadataDirective: 'REPLACE',
    Metadata: copyMetadataOf(target, incidentId),
    ...(source.contentType ? { ContentType: source.contentType } : {}),
    TaggingDirective: 'REPLACE',
  };
}

export function headCopyInput(place: QuarantineCopyPlace, accountId: string, versionId?: string): HeadObjectCommandInput {
  return { Bucket: place.bucket, Key: place.key, ExpectedBucketOwner: accountId, ...(versionId ? { VersionId: versionId } : {}) };
}

/** The removal of exactly the version that was copied: never without a VersionId (that would delete whatever is under the key now). */
export function removeVersionInput(target: ObjectTarget & { readonly versionId: string }): DeleteObjectCommandInput {
  return { Bucket: target.bucket, Key: target.key, VersionId: target.versionId, ExpectedBucketOwner: target.accountId };
}

export type CopyCheck = { readonly verified: true; readonly by: string } | { readonly verified: false; readonly why: string };

export interface CopyEvidence {
  /** GuardDuty's SHA-256 of the scanned object (hex), when the finding gives one. */
  readonly findingSha256: string | null;
  readonly source: SourceVersion & { readonly encrypted: 'kms' | 'customer' | 'none' };
  /** CopyObjectResult's SHA-256 (base64) and ETag. */
  readonly copySha256: string | null;
  readonly copyETag: string | null;
  /** HeadObject of the copy's version. */
  readonly copyLength: number | null;
  readonly copyMetadata: Readonly<Record<string, string>>;
  readonly sourceVersionId: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Whether the copy holds the scanned bytes, before the version may be
 * removed: it must say it came from that version, have its length, and match
 * either the finding's SHA-256 (what GuardDuty scanned) or, without one, the
 * source's ETag when that ETag is the content's MD5 (a single-part upload,
 * not encrypted with KMS or a customer key). Anything else is not verified:
 * the version stays.
 */
export function checkCopy(e: CopyEvidence): CopyCheck {
  if (e.copyMetadata[SOURCE_VERSION_META] !== e.sourceVersionId) {
    return { verified: false, why: `the copy names source version ${e.copyMetadata[SOURCE_VERSION_META] ?? '(none)'}, not ${e.sourceVersionId}` };
  }
  if (e.source.contentLength === null || e.copyLength !== e.source.contentLength) {
    return { verified: false, why: `the copy has ${e.copyLength ?? 'unknown'} bytes, the version ${e.source.contentLength ?? 'unknown'}` };
  }
  if (e.findingSha256 !== null && SHA256_HEX.test(e.findingSha256)) {
    if (e.copySha256 === null) return { verified: false, why: 'S3 gave no SHA-256 of the copy to compare with the finding\'s' };
    const copyHex = Buffer.from(e.copySha256, 'base64').toString('hex');
    if (copyHex !== e.findingSha256.toLowerCase()) return { verified: false, why: `the copy's SHA-256 ${copyHex} is not the finding's ${e.findingSha256.toLowerCase()}` };
    return { verified: true, by: `SHA-256 ${copyHex} (the finding's), ${e.copyLength} bytes` };
  }
  const md5 = (etag: string | null) => (etag !== null && /^"?[0-9a-f]{32}"?$/i.test(etag) ? etag.replace(/"/g, '').toLowerCase() : null);
  const sourceMd5 = e.source.encrypted === 'none' ? md5(e.source.eTag) : null;
  if (sourceMd5 === null) {
    return { verified: false, why: 'the finding gives no SHA-256 and the version\'s ETag is not its MD5 (a multipart upload, or KMS encryption): nothing to compare the copy with' };
  }
  if (md5(e.copyETag) !== sourceMd5) return { verified: false, why: `the copy's ETag ${e.copyETag ?? '(none)'} is not the version's ${e.source.eTag}` };
  return { verified: true, by: `MD5 ${sourceMd5} (the version's ETag), ${e.copyLength} bytes` };
}
