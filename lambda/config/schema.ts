import * as z from 'zod';
import { PLAYBOOK_NAMES } from '../routing/playbook-names';

/*
 * The one configuration schema. The CDK app validates it at synth (a bad key
 * stops the deployment with its name), passes the runtime part to each
 * Lambda, and `ir` reads the same file, so all three agree.
 */

const severity = z.number().min(0).max(10);

/** Exact GuardDuty finding type, e.g. `Backdoor:EC2/C&CActivity.B!DNS`. */
const findingType = z
  .string()
  .regex(/^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.!&_-]+$/, 'must be an exact GuardDuty finding type such as "Backdoor:EC2/C&CActivity.B"');

export const MODES = ['dry-run', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

export const INSTANCE_CREDENTIAL_POLICIES = ['on-credential-theft', 'always', 'never'] as const;

export const DEFAULT_MEMBER_ROLE_NAME = 'IncidentResponseMemberRole';

export const DEFAULT_MAX_CONTAINMENTS_PER_HOUR = 10;

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

/** IAM role names: 1 to 64 of letters, digits and +=,.@_- (no path). */
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1 to 64 of letters, digits and +=,.@_-)');

const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name such as "eu-west-1"');

/** Principals a trust policy can name: an IAM role or user, an account root, or a role session. */
const principalArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:(iam::\d{12}:(root|user\/[\w+=,.@\/-]+|role\/[\w+=,.@\/-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/,
    'must be the ARN of an IAM role, user, account root or role session, such as "arn:aws:iam::111122223333:role/SecurityOperator"',
  );

function noDuplicates(what: string) {
  return [(values: readonly string[]) => new Set(values).size === values.length, { message: `must not list the same ${what} twice` }] as const;
}

/**
 * Which accounts the playbooks act in. Fail closed: a list that is present
 * but empty is an error, never "every account".
 */
const accountsSchema = z.strictObject({
  /** Only these accounts are acted on. Absent: every account GuardDuty reports for. */
  allow: z
    .array(accountId)
    .min(1, 'an empty allow list would act in no account: list at least one account, or remove "allow" to act in every account')
    .refine(...noDuplicates('account'))
    .optional(),
  /** Never acted on, even when allowed. */
  exclude: z
    .array(accountId)
    .refine(...noDuplicates('account'))
    .default([]),
})
  .refine((accounts) => !accounts.allow || accounts.allow.some((account) => !accounts.exclude.includes(account)), {
    message: 'every account of accounts.allow is also in accounts.exclude: the responder would act in no account',
    path: ['allow'],
  });

export const runtimeConfigSchema = z.strictObject({
  /** dry-run: plan and report only. enforce: act. A fresh install reports until the team opts in. */
  mode: z.enum(MODES).default('dry-run'),
  minSeverity: z
    .strictObject({
      'contain-instance': severity.default(7),
      'revoke-credentials': severity.default(4),
    })
    .default({ 'contain-instance': 7, 'revoke-credentials': 4 }),
  /** A resource carrying this tag (any value) is never acted on. */
  exemptTagKey: z.string().min(1).max(128).default('ir:exempt'),
  routing: z
    .strictObject({
      add: z.record(findingType, z.enum(PLAYBOOK_NAMES)).default({}),
      remove: z.array(findingType).default([]),
    })
    .default({ add: {}, remove: [] }),
  /** When contain-instance also cuts the instance role's sessions and removes its profile. */
  revokeInstanceCredentials: z.enum(INSTANCE_CREDENTIAL_POLICIES).default('on-credential-theft'),
  /** The role the member stack creates in every member account; the playbooks assume it there. */
  memberRoleName: roleName.default(DEFAULT_MEMBER_ROLE_NAME),
  accounts: accountsSchema.default({ exclude: [] }),
  /** The blast-radius brake (lambda/ledger/brake.ts): at most this many containments per rolling hour, across the stack. */
  blastRadius: z
    .strictObject({
      // At most 100: the brake reads every slot in one BatchGetItem, which takes 100 keys.
      maxContainmentsPerHour: z.number().int().min(1).max(100).default(DEFAULT_MAX_CONTAINMENTS_PER_HOUR),
    })
    .default({ maxContainmentsPerHour: DEFAULT_MAX_CONTAINMENTS_PER_HOUR }),
});

/** S3 Object Lock accepts at most 100 years of retention. */
const OBJECT_LOCK_MAX_DAYS = 36_500;

/** The evidence bucket: how long each object is locked, and when it moves to Glacier. */
const evidenceSchema = z.strictObject({
  /** Every evidence object is locked (Object Lock, governance mode) this many days after it is written. */
  retentionDays: z.number().int().min(1).max(OBJECT_LOCK_MAX_DAYS).default(365),
  /** Days after which evidence moves to S3 Glacier Flexible Retrieval. */
  glacierAfterDays: z.number().int().min(1).max(OBJECT_LOCK_MAX_DAYS).default(30),
});

export const configSchema = runtimeConfigSchema.extend({
  notificationEmails: z.array(z.email()).default([]),
  /** Upper bound of concurrent executions per playbook. */
  reservedConcurrency: z.number().int().min(1).max(100).default(5),
  /** Lambda async retries (EventBridge → Lambda). */
  retryAttempts: z.number().int().min(0).max(2).default(2),
  logRetentionDays: z
    .union([z.literal(30), z.literal(90), z.literal(180), z.literal(365), z.literal(731), z.literal(1827), z.literal(3653)])
    .default(365),
  /** Where the security stack is deployed, one stack per region. Empty: one stack, in the region `cdk deploy` targets. */
  regions: z
    .array(regionName)
    .refine(...noDuplicates('region'))
    .default([]),
  /** The security account (GuardDuty delegated administrator). The member stack needs it; the security stack does not. */
  securityAccountId: accountId.optional(),
  /** IAM principals (of the security account, usually) allowed to assume the member role, for `ir`. */
  operatorPrincipals: z
    .array(principalArn)
    .refine(...noDuplicates('principal'))
    .default([]),
  /** When set, the member role only trusts principals of this AWS Organization (aws:PrincipalOrgID). */
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id such as "o-a1b2c3d4e5"')
    .optional(),
  evidence: evidenceSchema.default({ retentionDays: 365, glacierAfterDays: 30 }),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;
export type IncidentResponseConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function formatIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => (path ? `${path}.${key}` : key));
      return `unknown key ${keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `"${path || '(root)'}": ${issue.message}`;
  });
  return `invalid configuration in ${source}: ${lines.join('; ')}`;
}

export function parseConfig(input: unknown, source: string): IncidentResponseConfig {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(formatIssues(result.error, source));
  return result.data;
}

export function parseRuntimeConfig(input: unknown, source: string): RuntimeConfig {
  const result = runtimeConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(formatIssues(result.error, source));
  return result.data;
}

export function runtimeConfigOf(config: IncidentResponseConfig): RuntimeConfig {
  return {
    mode: config.mode,
    minSeverity: config.minSeverity,
    exemptTagKey: config.exemptTagKey,
    routing: config.routing,
    revokeInstanceCredentials: config.revokeInstanceCredentials,
    memberRoleName: config.memberRoleName,
    accounts: config.accounts,
    blastRadius: config.blastRadius,
  };
}

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = runtimeConfigSchema.parse({});
