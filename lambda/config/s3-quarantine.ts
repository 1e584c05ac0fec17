import * as z from '../zod';

/*
 * The `s3Quarantine` key of the configuration (docs/playbooks-s3.md): how
 * quarantine-object makes a malicious object version unreadable. Only the
 * tag mode exists: the version is tagged, and a Deny statement of the bucket
 * policy (given in the docs) refuses s3:GetObject* on a version carrying the
 * tag to everyone but the security team. Nothing is copied or deleted.
 */

export const QUARANTINE_TAG_VALUE = 'quarantined';
export const DEFAULT_QUARANTINE_TAG_KEY = 'ir:quarantine';

/** S3 object tag keys: 1 to 128 Unicode characters, not starting with aws: (reserved). */
const tagKey = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.refine((key) => !key.toLowerCase().startsWith('aws:'), { message: 'must not start with "aws:" (reserved by AWS)' }),
  z.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'must be an S3 tag key (letters, digits, spaces and _ . : / = + - @)'),
);

const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, 'must be the ARN of an IAM role, such as "arn:aws:iam::111122223333:role/SecurityTeam"'));

export const s3QuarantineSchema = z.strictObject({
  /** tag: tag the version; the bucket policy's Deny statement makes it unreadable. The only mode today. */
  mode: z._default(z.enum(['tag']), 'tag'),
  /** The tag key the bucket policy's statement names (s3:ExistingObjectTag/<key>); the value is always "quarantined". */
  tagKey: z._default(tagKey, DEFAULT_QUARANTINE_TAG_KEY),
  /** The role the statement exempts (aws:PrincipalArn): named in the plan and the notification. */
  securityTeamRoleArn: z.optional(roleArn),
});

export type S3QuarantineConfig = z.infer<typeof s3QuarantineSchema>;

export const DEFAULT_S3_QUARANTINE: S3QuarantineConfig = { mode: 'tag', tagKey: DEFAULT_QUARANTINE_TAG_KEY };
