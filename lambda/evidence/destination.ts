import type { S3Client } from '@aws-sdk/client-s3';

/** The security account's evidence bucket, as the stack hands it to the playbooks (IR_EVIDENCE_BUCKET, IR_EVIDENCE_KEY_ARN). */
export interface EvidenceBucket {
  readonly bucket: string;
  /** The bucket's KMS key. Named on every write, so an object can never land under another key. */
  readonly keyArn?: string;
  /** The bucket's region (the stack's). Defaults to the finding's. */
  readonly region?: string;
}

/**
 * Where evidence goes, with the client that writes it: always the security
 * (home) account's, never the finding account's. Asked for when the first
 * object is written, after containment: a Lambda bundle imports the S3
 * client then, so a cold start does not load it before isolation.
 */
export interface EvidenceDestination extends EvidenceBucket {
  readonly s3: () => Promise<S3Client>;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** The request of one evidence object, also shown as the step's parameters (the body as a description). */
export function putRequest(destination: EvidenceBucket, key: string, contentType: string) {
  return {
    Bucket: destination.bucket,
    Key: key,
    ContentType: contentType,
    ServerSideEncryption: 'aws:kms' as const,
    ...(destination.keyArn ? { SSEKMSKeyId: destination.keyArn } : {}),
    // Object Lock refuses an upload without an integrity checksum (Content-MD5 or a flexible checksum).
    ChecksumAlgorithm: 'SHA256' as const,
  };
}

/** Writes one object; the detail names where it is, with its version (every write to a versioned bucket is one). */
export async function putEvidence(destination: EvidenceDestination, key: string, contentType: string, body: string): Promise<string> {
  // Imported here, not at the top: in a Lambda bundle the S3 code is a chunk loaded on first use (lib/lambda-bundle/options.ts).
  const [s3, { PutObjectCommand }] = await Promise.all([destination.s3(), import('./s3-sdk')]);
  const result = await s3.send(new PutObjectCommand({ ...putRequest(destination, key, contentType), Body: body }));
  return `s3://${destination.bucket}/${key}${result.VersionId ? ` (version ${result.VersionId})` : ''}`;
}
