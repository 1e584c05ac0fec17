import * as z from '../zod';

/*
 * The `s3Quarantine` key of the configuration (docs/playbooks-s3.md): how
 * quarantine-object makes a malicious object version unreadable.
 *  - tag (default): the version is tagged, and a Deny statement of the bucket
 *    policy (given in the docs) refuses s3:GetObject* on a version carrying
 *    the tag to everyone but the security team. Nothing is copied or deleted.
 *  - copy: the version is copied to a quarantine bucket of the same account
 *    (named by `quarantineBucket`, {accountId} and {region} replaced), the
 *    copy verified, and only then that version removed from its bucket.
 * Validated here at synth (cdk.json) and again at every cold start
 * (IR_RUNTIME_CONFIG): a copy mode without a bucket never reaches a plan.
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

/** What a quarantine bucket name may be made of: a bucket name, with {accountId} and {region} standing for the finding's. */
const PLACEHOLDERS = /\{accountId\}|\{region\}/g;
/** The longest values the placeholders take: the name must be a bucket name for every account and region. */
const LONGEST = { '{accountId}': '123456789012', '{region}': 'ap-southeast-5x' } as const;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const quarantineBucket = z.string().check(
  z.refine((name) => !/[{}]/.test(name.replace(PLACEHOLDERS, '')), { message: 'may hold only the placeholders {accountId} and {region}' }),
  z.refine((name) => BUCKET_NAME.test(name.replace(PLACEHOLDERS, (p) => LONGEST[p as keyof typeof LONGEST])), {
    message: 'must be an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens) once {accountId} and {region} are replaced',
  }),
);

/** The quarantine bucket of one account and region. */
export function quarantineBucketName(template: string, accountId: string, region: string): string {
  return template.replace(PLACEHOLDERS, (p) => (p === '{accountId}' ? accountId : region));
}

export const s3QuarantineSchema = z.strictObject({
  /** tag: tag the version, the bucket policy's Deny statement makes it unreadable; copy: copy it to the quarantine bucket, then remove that version. */
  mode: z._default(z.enum(['tag', 'copy']), 'tag'),
  /** copy mode: the quarantine bucket, in the finding's account ({accountId}, {region} replaced). */
  quarantineBucket: z.optional(quarantineBucket),
  /** The tag key the bucket policy's statement names (s3:ExistingObjectTag/<key>); the value is always "quarantined". */
  tagKey: z._default(tagKey, DEFAULT_QUARANTINE_TAG_KEY),
  /** The role the statement exempts (aws:PrincipalArn): named in the plan and the notification. */
  securityTeamRoleArn: z.optional(roleArn),
}).check(
  z.refine((c) => c.mode !== 'copy' || c.quarantineBucket !== undefined, { message: 'is required in copy mode', path: ['quarantineBucket'] }),
  z.refine((c) => c.mode === 'copy' || c.quarantineBucket === undefined, { message: 'is only used in copy mode (set mode to "copy")', path: ['quarantineBucket'] }),
);

export type S3QuarantineConfig = z.infer<typeof s3QuarantineSchema>;

export const DEFAULT_S3_QUARANTINE: S3QuarantineConfig = { mode: 'tag', tagKey: DEFAULT_QUARANTINE_TAG_KEY };
