import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { loadFixture } from '../fixtures';

/** The S3 fixtures, parsed; `edit` changes the raw finding (camelCase) before parsing. */
export const BUCKET_FIXTURE = 'block-public-access/bucket-public-access-granted.event.json';
export const OBJECT_FIXTURE = 'quarantine-object/malicious-file.event.json';

type Json = Record<string, unknown>;

export function s3Finding(fixture: string, edit: (detail: Json) => void = () => {}): Finding {
  const event = structuredClone(loadFixture(fixture)) as Json;
  edit(event.detail as Json);
  return parseFindings(event)[0]!;
}

/** An S3 service error as the SDK raises it (name = the S3 error code). */
export function s3Error(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: code.startsWith('NoSuch') ? 404 : 403 } });
}
