import * as z from '../zod';
import { approvalSchema } from '../approval/schema';
import { DEFAULT_S3_QUARANTINE, s3QuarantineSchema } from './s3-quarantine';
import { PRINCIPAL_PATTERN, PRINCIPAL_PATTERN_MESSAGE } from '../iam/principal-patterns';
import { PLAYBOOK_NAMES } from '../routing/playbook-names';

/*
 * The one configuration schema. The CDK app validates it at synth (a bad key
 * stops the deployment with its name), passes the runtime part to each
 * Lambda, and `ir` reads the same file, so all three agree.
 */

const severity = z.number().check(z.gte(0), z.lte(10));

/** Exact GuardDuty finding type, e.g. `Backdoor:EC2/C&CActivity.B!DNS`. */
const findingType = z
  .string()
  .check(z.regex(/^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.!&_-]+$/, 'must be an exact GuardDuty finding type such as "Backdoor:EC2/C&CActivity.B"'));

export const MODES = ['dry-run', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

export const INSTANCE_CREDENTIAL_POLICIES = ['on-credential-theft', 'always', 'never'] as const;

/** Security Hub's workflow statuses (ASFF Workflow.Status). */
export const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/** What the Security Hub step does for a response that changed nothing (notify, or every change already in place). A dry-run or blocked plan blocks the step itself. */
export const WHEN_NOTHING_CHANGED = ['note', 'nothing'] as const;

/** GuardDuty detector ids: 1 to 300 letters and digits (ArchiveFindings' DetectorId). */
const detectorId = z.string().check(z.regex(/^[A-Za-z0-9]{1,300}$/, 'must be a GuardDuty detector id (letters and digits), such as "12abc34d567e8fa901bc2d34e56789f0"'));

/**
 * Closing the loop where the analysts work (lambda/close-loop/, docs/security-hub.md): after a response, the finding's
 * Security Hub counterpart gets a note and a workflow status; after a completed containment, the GuardDuty finding may be archived.
 */
const securityHubSchema = z
  .strictObject({
    /** Update the finding's Security Hub (ASFF) counterpart with BatchUpdateFindings. Needs Security Hub with the GuardDuty integration. */
    updateFindings: z._default(z.boolean(), true),
    /** Workflow.Status set when the response changed something (with the note). */
    workflowStatusWhenActed: z._default(z.enum(WORKFLOW_STATUSES), 'NOTIFIED'),
    /** A response that changed nothing (notify, or every change already in place): a note and no status change, or nothing at all. */
    whenNothingChanged: z._default(z.enum(WHEN_NOTHING_CHANGED), 'note'),
  })
  .check(
    // NEW would tell the analysts nobody looked; SUPPRESSED would hide the finding from them: an automated response does neither.
    z.refine((hub) => hub.workflowStatusWhenActed === 'NOTIFIED' || hub.workflowStatusWhenActed === 'RESOLVED', {
      message: 'must be NOTIFIED or RESOLVED: NEW says nobody looked at the finding, and SUPPRESSED hides it from the analysts',
      path: ['workflowStatusWhenActed'],
    }),
  );

const DEFAULT_SECURITY_HUB = { updateFindings: true, workflowStatusWhenActed: 'NOTIFIED', whenNothingChanged: 'note' } as const;

const regionName = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name such as "eu-west-1"'));

const guardDutySchema = z.strictObject({
  /** Archive the GuardDuty finding once its containment is complete (never after a partial one). In the security account, GuardDuty's administrator. */
  archiveAfterContainment: z._default(z.boolean(), false),
  /**
   * The security account's detector in the stack's region: the confirmation and the archive use it for findings of that region (no
   * ListDetectors round trip on a cold container). Elsewhere, absent, or found stale: looked up with ListDetectors (lambda/confirm/detector.ts).
   */
  detectorId: z.optional(detectorId),
  /**
   * The security account's detector in each region, for a configuration deployed to several (`regions`): each regional
   * stack (and `ir` for a finding of that region) asks its region's. A region not listed looks its detector up.
   */
  detectorIds: z.optional(z.record(regionName, detectorId)),
});

export const DEFAULT_MEMBER_ROLE_NAME = 'IncidentResponseMemberRole';

export const DEFAULT_MAX_CONTAINMENTS_PER_HOUR = 10;
/** Findings about a resource join its incident for this long after it opened (lambda/ledger/resource-incidents.ts). */
export const DEFAULT_JOIN_WINDOW_HOURS = 24;

const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));

/** IAM role names: 1 to 64 of letters, digits and +=,.@_- (no path). */
const roleName = z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1 to 64 of letters, digits and +=,.@_-)'));


/** Principals a trust policy can name: an IAM role or user, an account root, or a role session. */
const principalArn = z.string().check(
  z.regex(
    /^arn:aws[a-z-]*:(iam::\d{12}:(root|user\/[\w+=,.@\/-]+|role\/[\w+=,.@\/-]+)|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+)$/,
    'must be the ARN of an IAM role, user, account root or role session, such as "arn:aws:iam::111122223333:role/SecurityOperator"',
  ),
);

/** An IAM role or user ARN, `*` allowed as a wildcard in the account and the name (lambda/iam/principal-patterns.ts). */
const principalPattern = z.string().check(z.regex(PRINCIPAL_PATTERN, PRINCIPAL_PATTERN_MESSAGE));

/** An AWS Signer signing profile version, as Lambda code signing names it. */
const signingProfileVersionArn = z
  .string()
  .check(
    z.regex(
      /^arn:aws[a-z-]*:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}\/[A-Za-z0-9]{1,64}$/,
      'must be the ARN of an AWS Signer signing profile version, such as "arn:aws:signer:eu-west-1:111122223333:/signing-profiles/IncidentResponse/a1b2c3d4e5"',
    ),
  );

function noDuplicates(what: string) {
  return z.refine<string[]>((values) => new Set(values).size === values.length, { message: `must not list the same ${what} twice` });
}

/**
 * Which accounts the playbooks act in. Fail closed: a list that is present
 * but empty is an error, never "every account".
 */
const accountsSchema = z.strictObject({
  /** Only these accounts are acted on. Absent: every account GuardDuty reports for. */
  allow: z.optional(
    z
      .array(accountId)
      .check(
        z.minLength(1, 'an empty allow list would act in no account: list at least one account, or remove "allow" to act in every account'),
        noDuplicates('account'),
      ),
  ),
  /** Never acted on, even when allowed. */
  exclude: z._default(z.array(accountId).check(noDuplicates('account')), []),
}).check(
  z.refine((accounts) => !accounts.allow || accounts.allow.some((account) => !accounts.exclude.includes(account)), {
    message: 'every account of accounts.allow is also in accounts.exclude: the responder would act in no account',
    path: ['allow'],
  }),
);

export const runtimeConfigSchema = z.strictObject({
  /** dry-run: plan and report only. enforce: act. A fresh install reports until the team opts in. */
  mode: z._default(z.enum(MODES), 'dry-run'),
  minSeverity: z._default(
    z.strictObject({
      'contain-instance': z._default(severity, 7),
      'revoke-credentials': z._default(severity, 4),
      'contain-function': z._default(severity, 7),
      'block-public-access': z._default(severity, 0),
      'quarantine-object': z._default(severity, 0),
      'contain-task': z._default(severity, 7),
      'contain-eks': z._default(severity, 5),
      'contain-database': z._default(severity, 4),
      'quarantine-image': z._default(severity, 4),
      'answer-sequence': z._default(severity, 7),
    }),
    {
      'contain-instance': 7,
      'revoke-credentials': 4,
      'contain-function': 7,
      'block-public-access': 0,
      'quarantine-object': 0,
      'contain-task': 7,
      'contain-eks': 5,
      'contain-database': 4,
      'quarantine-image': 4,
      'answer-sequence': 7,
    },
  ),
  /** A resource carrying this tag (any value) is never acted on. */
  exemptTagKey: z._default(z.string().check(z.minLength(1), z.maxLength(128)), 'ir:exempt'),
  routing: z._default(
    z.strictObject({
      add: z._default(z.record(findingType, z.enum(PLAYBOOK_NAMES)), {}),
      remove: z._default(z.array(findingType), []),
    }),
    { add: {}, remove: [] },
  ),
  /** When contain-instance also cuts the instance role's sessions and removes its profile. */
  revokeInstanceCredentials: z._default(z.enum(INSTANCE_CREDENTIAL_POLICIES), 'on-credential-theft'),
  /** The role the member stack creates in every member account; the playbooks assume it there. */
  memberRoleName: z._default(roleName, DEFAULT_MEMBER_ROLE_NAME),
  accounts: z._default(accountsSchema, { exclude: [] }),
  /**
   * Before acting, confirm the finding with GuardDuty (lambda/confirm/): the security account's detector must hold it, unchanged
   * and not archived. On unless switched off explicitly, which only emulator runs do (moto has no GuardDuty findings API).
   */
  confirmFindings: z._default(z.boolean(), true),
  securityHub: z._default(securityHubSchema, DEFAULT_SECURITY_HUB),
  guardDuty: z._default(guardDutySchema, { archiveAfterContainment: false }),
  /**
   * Only for runs against the local emulator (emulator/runtime-config.ts): the calls moto cannot answer (Security Hub's
   * BatchUpdateFindings, GuardDuty's ArchiveFindings) are reported skipped, "not available in the local emulator", instead of
   * failing. `ir` accepts it (pointed at the emulator); a deployed stack never carries it (lib/config/load-config.ts refuses it at synth).
   */
  localEmulator: z._default(z.boolean(), false),
  /** The blast-radius brake (lambda/ledger/brake.ts): at most this many containments per rolling hour, across the stack. */
  blastRadius: z._default(
    z.strictObject({
      // At most 100: the brake reads every slot in one BatchGetItem, which takes 100 keys.
      maxContainmentsPerHour: z._default(z.int().check(z.gte(1), z.lte(100)), DEFAULT_MAX_CONTAINMENTS_PER_HOUR),
      /**
       * One brake for every regional stack: the playbooks of each region reserve in the brake table of this
       * region's stack (one of `regions`). Absent: each regional stack has its own brake, in its ledger table.
       */
      homeRegion: z.optional(regionName),
    }),
    { maxContainmentsPerHour: DEFAULT_MAX_CONTAINMENTS_PER_HOUR },
  ),
  /**
   * One incident per resource (lambda/ledger/resource-incidents.ts): a finding about a resource whose incident opened
   * less than joinWindowHours ago, and was not released, joins it. 0: every finding opens an incident of its own.
   * At most a week: a contained resource that is still named in findings after that is worth a new look.
   */
  incidents: z._default(
    z.strictObject({
      joinWindowHours: z._default(z.int().check(z.gte(0), z.lte(168)), DEFAULT_JOIN_WINDOW_HOURS),
    }),
    { joinWindowHours: DEFAULT_JOIN_WINDOW_HOURS },
  ),
  /**
   * Credential findings: a principal's own tags never exempt it (a compromised
   * user can tag itself), so exemptions come from here. exemptPrincipals: not
   * acted on. protectedPrincipals (break-glass roles and users): never revoked,
   * by revoke-credentials or by contain-instance's instance-role revocation;
   * the plan gives the manual steps instead.
   */
  /**
   * Names of accounts for the notifications (lambda/notify/): the subject and the summary say "prod-payments"
   * rather than "111122223333". Only a label: nothing is decided by it.
   */
  accountNames: z._default(z.record(accountId, z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'must be 1 to 32 letters, digits, ".", "_" or "-", starting with a letter or digit'))), {}),
  credentials: z._default(
    z.strictObject({
      exemptPrincipals: z._default(z.array(principalPattern), []),
      protectedPrincipals: z._default(z.array(principalPattern), []),
    }),
    { exemptPrincipals: [], protectedPrincipals: [] },
  ),
  /**
   * Which changes wait for a person's approval, or are never made (lambda/approval/, docs/configuration.md#approval).
   * Absent: every change is made at once, as without the feature, and no step carries an approval decision.
   * Present: the stack also creates the decision channels (the approval link, the operator decision URL, the chat
   * buttons, the Security Hub actions: docs/approval-channels.md).
   */
  approval: z.optional(approvalSchema),
  /** How quarantine-object makes a malicious object version unreadable (docs/playbooks-s3.md). */
  s3Quarantine: z._default(s3QuarantineSchema, DEFAULT_S3_QUARANTINE),
});

/* AWS Chatbot ids, as the Chatbot console shows them (and CloudFormation's AWS::Chatbot resources take them). */
const slackWorkspaceId = z.string().check(z.regex(/^[0-9A-Z]{1,255}$/, 'must be a Slack workspace (team) id such as "T0123456789": open the workspace in the AWS Chatbot console to find it'));
const slackChannelId = z.string().check(z.regex(/^[A-Za-z0-9]+$/, 'must be a Slack channel id such as "C0123456789" (the channel\'s details show it), not its name'));
const uuid = (what: string) => z.string().check(z.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, `must be the Microsoft Teams ${what} id, a UUID`));
const teamsChannelId = z.string().check(
  z.regex(/^[A-Za-z0-9\-_=+/.,]*%3[aA][A-Za-z0-9\-_=+/.,]*%40[A-Za-z0-9\-_=+/.,]*$/, 'must be a Microsoft Teams channel id, URL-encoded as in the channel\'s link, such as "19%3Aabc123%40thread.tacv2"'),
);

/**
 * The chat copy of every notification (lambda/notify/chat.ts): the stack creates a chat topic and an AWS Chatbot
 * channel configuration for each channel named here. The Slack workspace or the Teams tenant must have been
 * authorised in the AWS Chatbot console once, by hand: CloudFormation cannot do that step.
 */
const chatSchema = z
  .strictObject({
    slack: z.optional(z.strictObject({ workspaceId: slackWorkspaceId, channelId: slackChannelId })),
    teams: z.optional(z.strictObject({ tenantId: uuid('tenant'), teamId: uuid('team'), channelId: teamsChannelId })),
  })
  .check(
    z.refine((chat) => chat.slack !== undefined || chat.teams !== undefined, {
      message: 'names no channel: add "slack" ({ workspaceId, channelId }) or "teams" ({ tenantId, teamId, channelId }), or remove "chat"',
    }),
  );

/** S3 Object Lock accepts at most 100 years of retention. */
const OBJECT_LOCK_MAX_DAYS = 36_500;

/** The evidence bucket: how long each object is locked, and when it moves to Glacier. */
const evidenceSchema = z.strictObject({
  /** Every evidence object is locked (Object Lock, governance mode) this many days after it is written. */
  retentionDays: z._default(z.int().check(z.gte(1), z.lte(OBJECT_LOCK_MAX_DAYS)), 365),
  /** Days after which evidence moves to S3 Glacier Flexible Retrieval. */
  glacierAfterDays: z._default(z.int().check(z.gte(1), z.lte(OBJECT_LOCK_MAX_DAYS)), 30),
});

export const configSchema = z.extend(runtimeConfigSchema, {
  notificationEmails: z._default(z.array(z.email()), []),
  /** Upper bound of concurrent executions per playbook. */
  reservedConcurrency: z._default(z.int().check(z.gte(1), z.lte(100)), 5),
  /** Lambda async retries (EventBridge → Lambda). */
  retryAttempts: z._default(z.int().check(z.gte(0), z.lte(2)), 2),
  logRetentionDays: z._default(
    z.union([z.literal(30), z.literal(90), z.literal(180), z.literal(365), z.literal(731), z.literal(1827), z.literal(3653)]),
    365,
  ),
  /** Where the security stack is deployed, one stack per region. Empty: one stack, in the region `cdk deploy` targets. */
  regions: z._default(z.array(regionName).check(noDuplicates('region')), []),
  /** The security account (GuardDuty delegated administrator). The member stack needs it; the security stack does not. */
  securityAccountId: z.optional(accountId),
  /** IAM principals (of the security account, usually) allowed to assume the member role, for `ir`. */
  operatorPrincipals: z._default(z.array(principalArn).check(noDuplicates('principal')), []),
  /** When set, the member role only trusts principals of this AWS Organization (aws:PrincipalOrgID). */
  organizationId: z.optional(z.string().check(z.regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id such as "o-a1b2c3d4e5"'))),
  evidence: z._default(evidenceSchema, { retentionDays: 365, glacierAfterDays: 30 }),
  /**
   * Lambda code signing: every playbook function only runs code signed by one
   * of these AWS Signer profile versions (unsigned or wrongly signed code is
   * refused at deployment). Absent: no code signing.
   */
  /** Chat delivery through AWS Chatbot (Slack, Microsoft Teams). Absent: email only. */
  chat: z.optional(chatSchema),
  codeSigning: z.optional(
    z.strictObject({
      signingProfileVersionArns: z.array(signingProfileVersionArn).check(z.minLength(1, 'list at least one signing profile version'), noDuplicates('signing profile version')),
    }),
  ),
}).check(
  // One detector id is one region's: every other regional stack would first ask GuardDuty for a detector it does not have.
  z.refine((config) => config.guardDuty.detectorId === undefined || config.regions.length <= 1, {
    message: "is the detector of one region, and this configuration is deployed to several: list each region's in guardDuty.detectorIds instead",
    path: ['guardDuty', 'detectorId'],
  }),
  // A detector id of a region the configuration is not deployed to is a typo (that region's findings would look theirs up).
  z.refine((config) => config.regions.length === 0 || Object.keys(config.guardDuty.detectorIds ?? {}).every((region) => config.regions.includes(region)), {
    message: 'lists a region that is not one of "regions"',
    path: ['guardDuty', 'detectorIds'],
  }),
  // A shared brake lives in one of the deployment's own regional stacks.
  z.refine((config) => config.blastRadius.homeRegion === undefined || config.regions.includes(config.blastRadius.homeRegion), {
    message: 'must be one of "regions": the shared brake lives in that regional stack',
    path: ['blastRadius', 'homeRegion'],
  }),
  // A containment that could not be finished (an ENI left more open, a step out of time) fails the
  // invocation so that Lambda runs it again: in enforce mode there must be a retry to run.
  z.refine((config) => config.mode !== 'enforce' || config.retryAttempts >= 1, {
    message: 'must be at least 1 in enforce mode: a response that could not finish (an ENI left more open than before) is completed by the retry',
    path: ['retryAttempts'],
  }),
);

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;
export type IncidentResponseConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function formatIssues(error: z.core.$ZodError, source: string): string {
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
    incidents: config.incidents,
    credentials: config.credentials,
    accountNames: config.accountNames,
    confirmFindings: config.confirmFindings,
    securityHub: config.securityHub,
    guardDuty: config.guardDuty,
    localEmulator: config.localEmulator,
    s3Quarantine: config.s3Quarantine,
    ...(config.approval ? { approval: config.approval } : {}),
  };
}

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = runtimeConfigSchema.parse({});
