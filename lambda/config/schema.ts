import { z } from 'zod';
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
  };
}

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = runtimeConfigSchema.parse({});
