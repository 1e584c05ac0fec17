import * as z from '../zod';
import { parseRuntimeConfig, type RuntimeConfig } from '../config/schema';
import type { EvidenceBucket } from '../evidence/destination';
import { responderRoleNamesOf, responderRolesSchema } from '../iam/responder-role-names';
import { PLAYBOOK_NAMES, type PlaybookName } from '../routing/playbook-names';

/* What the CDK stack hands each Lambda, validated once per cold start. */

const environmentSchema = z.object({
  IR_PLAYBOOK: z.enum(PLAYBOOK_NAMES),
  IR_RUNTIME_CONFIG: z._default(z.string(), '{}'),
  IR_TOPIC_ARN: z.optional(z.string()),
  IR_CHAT_TOPIC_ARN: z.optional(z.string()),
  IR_RESPONDER_ROLES: z.optional(z.string()),
  IR_PROTECTED_ROLE_NAMES: z._default(z.string(), ''),
  IR_LEDGER_TABLE: z.optional(z.string()),
  IR_BRAKE_TABLE: z.optional(z.string()),
  IR_EVIDENCE_BUCKET: z.optional(z.string()),
  IR_EVIDENCE_KEY_ARN: z.optional(z.string()),
  IR_APPROVAL_SCHEDULE_GROUP: z.optional(z.string()),
  IR_APPROVAL_SCHEDULER_ROLE_ARN: z.optional(z.string()),
  IR_ESCALATION_TOPIC_ARN: z.optional(z.string()),
  IR_APPROVAL_MAC_KEY: z.optional(z.string()),
  IR_APPROVAL_LINK_FUNCTION: z.optional(z.string()),
  AWS_REGION: z.optional(z.string()),
});

export interface LambdaEnvironment {
  readonly playbook: PlaybookName;
  readonly config: RuntimeConfig;
  readonly topicArn: string | undefined;
  /** The chat topic AWS Chatbot subscribes to (config `chat`); absent: email only. */
  readonly chatTopicArn?: string;
  /** The responder's own roles (IR_RESPONDER_ROLES expanded, then IR_PROTECTED_ROLE_NAMES): never revoked. */
  readonly protectedRoleNames: readonly string[];
  readonly defaultRegion: string | undefined;
  /** The incident ledger's table (in the function's own account and region); absent: no ledger, no brake. */
  readonly ledgerTableName?: string;
  /** The shared brake's table, in blastRadius.homeRegion; absent: the brake is in the ledger table. */
  readonly brakeTableName?: string;
  /** The security account's evidence bucket, in the function's own region. */
  readonly evidence?: EvidenceBucket;
  /** The wait for a decision (lambda/respond/wait.ts): the stack's schedule group, the role Scheduler invokes with, the escalation topic. */
  readonly approval?: {
    readonly scheduleGroup?: string;
    readonly schedulerRoleArn?: string;
    readonly escalationTopicArn?: string;
    /** The approval links' KMS HMAC key and the link function's name: the email's signed decision links (lambda/approval/wait-links.ts). */
    readonly macKeyArn?: string;
    readonly linkFunctionName?: string;
  };
}

/**
 * IR_RESPONDER_ROLES (what the stack's role names are made of) expanded with the stack's own naming functions, then
 * IR_PROTECTED_ROLE_NAMES (more names, comma-separated). A malformed description fails the cold start: a responder
 * that did not know its own roles could revoke them.
 */
function protectedRoleNamesOf(responderRoles: string | undefined, extraNames: string): string[] {
  const extra = extraNames.split(',').map((s) => s.trim()).filter(Boolean);
  if (responderRoles === undefined || responderRoles === '') return [...new Set(extra)];
  let json: unknown;
  try {
    json = JSON.parse(responderRoles);
  } catch {
    throw new Error('invalid Lambda environment: IR_RESPONDER_ROLES is not JSON');
  }
  const parsed = responderRolesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid Lambda environment: IR_RESPONDER_ROLES.${issue.path.join('.')}: ${issue.message}`);
  }
  return [...new Set([...responderRoleNamesOf(parsed.data), ...extra])];
}

export function readLambdaEnvironment(env: NodeJS.ProcessEnv = process.env): LambdaEnvironment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid Lambda environment: ${issue.path.join('.')}: ${issue.message}`);
  }
  let configJson: unknown;
  try {
    configJson = JSON.parse(parsed.data.IR_RUNTIME_CONFIG);
  } catch {
    throw new Error('invalid Lambda environment: IR_RUNTIME_CONFIG is not JSON');
  }
  return {
    playbook: parsed.data.IR_PLAYBOOK,
    config: parseRuntimeConfig(configJson, 'IR_RUNTIME_CONFIG'),
    topicArn: parsed.data.IR_TOPIC_ARN || undefined,
    ...(parsed.data.IR_CHAT_TOPIC_ARN ? { chatTopicArn: parsed.data.IR_CHAT_TOPIC_ARN } : {}),
    protectedRoleNames: protectedRoleNamesOf(parsed.data.IR_RESPONDER_ROLES, parsed.data.IR_PROTECTED_ROLE_NAMES),
    defaultRegion: parsed.data.AWS_REGION,
    ...(parsed.data.IR_LEDGER_TABLE ? { ledgerTableName: parsed.data.IR_LEDGER_TABLE } : {}),
    ...(parsed.data.IR_BRAKE_TABLE ? { brakeTableName: parsed.data.IR_BRAKE_TABLE } : {}),
    ...(parsed.data.IR_APPROVAL_SCHEDULE_GROUP || parsed.data.IR_APPROVAL_SCHEDULER_ROLE_ARN || parsed.data.IR_ESCALATION_TOPIC_ARN || parsed.data.IR_APPROVAL_MAC_KEY
      ? {
          approval: {
            ...(parsed.data.IR_APPROVAL_SCHEDULE_GROUP ? { scheduleGroup: parsed.data.IR_APPROVAL_SCHEDULE_GROUP } : {}),
            ...(parsed.data.IR_APPROVAL_SCHEDULER_ROLE_ARN ? { schedulerRoleArn: parsed.data.IR_APPROVAL_SCHEDULER_ROLE_ARN } : {}),
            ...(parsed.data.IR_ESCALATION_TOPIC_ARN ? { escalationTopicArn: parsed.data.IR_ESCALATION_TOPIC_ARN } : {}),
            ...(parsed.data.IR_APPROVAL_MAC_KEY ? { macKeyArn: parsed.data.IR_APPROVAL_MAC_KEY } : {}),
            ...(parsed.data.IR_APPROVAL_LINK_FUNCTION ? { linkFunctionName: parsed.data.IR_APPROVAL_LINK_FUNCTION } : {}),
          },
        }
      : {}),
    ...(parsed.data.IR_EVIDENCE_BUCKET
      ? {
          evidence: {
            bucket: parsed.data.IR_EVIDENCE_BUCKET,
            ...(parsed.data.IR_EVIDENCE_KEY_ARN ? { keyArn: parsed.data.IR_EVIDENCE_KEY_ARN } : {}),
            ...(parsed.data.AWS_REGION ? { region: parsed.data.AWS_REGION } : {}),
          },
        }
      : {}),
  };
}
