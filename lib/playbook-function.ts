import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { runtimeConfigOf, type IncidentResponseConfig } from '../lambda/config/schema';
import type { ResponderRoles } from '../lambda/iam/responder-role-names';
import type { PlaybookName } from '../lambda/routing/playbook-names';
import { playbookCode } from './lambda-bundle/code';
import { PLAYBOOK_ARCHITECTURE, PLAYBOOK_RUNTIME } from './lambda-bundle/options';
import type { ScopeReferences } from './iam/action-resources';
import { createPlaybookRole } from './iam/playbook-role';
import { failureQueueAlarm } from './monitoring/topic-alarm';
import { failureAlarmName } from './naming';

export { PROJECT_ROOT } from './lambda-bundle/options';

/**
 * Acting playbooks make a dozen AWS calls in stages; notify makes one. Of
 * each, END_OF_RESPONSE_RESERVE_MS (24 s) is kept after the execution's
 * deadline for the end of the response; contain-instance needs 36 s before
 * its deadline to send an ENI through the untrack group (UNTRACK_TIME_NEEDED_MS),
 * and gets 90 s so that a slow start still leaves that (a test holds it).
 */
export const TIMEOUT: Readonly<Record<PlaybookName, Duration>> = {
  'contain-instance': Duration.seconds(90),
  'revoke-credentials': Duration.seconds(60),
  'block-public-access': Duration.seconds(60),
  'quarantine-object': Duration.seconds(60),
  'contain-function': Duration.seconds(60),
  // Its resources are answered side by side: the slowest playbook it runs (contain-instance) sets its time.
  'answer-sequence': Duration.seconds(90),
  // On the EC2 launch type it runs contain-instance's whole plan, untrack move included.
  'contain-task': Duration.seconds(90),
  // Contains the node with contain-instance's plan.
  'contain-eks': Duration.seconds(90),
  // Reads, a snapshot started (not waited for), a group made and a Modify: as revoke-credentials.
  'contain-database': Duration.seconds(60),
  // Two reads, a tag, a record and one Modify.
  'quarantine-image': Duration.seconds(60),
  notify: Duration.seconds(30),
};

/** Past this age a finding is stale: GuardDuty re-sends an active one on its own schedule anyway. */
export const MAX_EVENT_AGE = Duration.hours(6);

export interface PlaybookFunctionProps {
  readonly playbook: PlaybookName;
  readonly config: IncidentResponseConfig;
  readonly roleName: string;
  /** What every role name of the responder is made of (IR_RESPONDER_ROLES): the playbooks refuse to revoke these roles. */
  readonly responderRoles: ResponderRoles;
  readonly topic: sns.ITopic;
  /** The chat topic (config `chat`): the same notification as AWS Chatbot JSON. */
  readonly chatTopic?: sns.ITopic;
  /** The incident ledger's table name (IR_LEDGER_TABLE). */
  readonly ledgerTableName: string;
  /** The shared brake's table, in blastRadius.homeRegion (IR_BRAKE_TABLE); absent: the brake is in the ledger table. */
  readonly brakeTableName?: string;
  /** Where the playbook keeps each incident's evidence, and the bucket's key. */
  readonly evidence: { readonly bucketName: string; readonly keyArn: string };
  /** What the role's actions are scoped to: the topic, its key, the member role. */
  readonly scopeReferences: ScopeReferences;
  /** The stack's principal guardrails (lib/iam/deny-statements.ts), attached to the role. */
  readonly guardrailPolicy: iam.IManagedPolicy;
  /** The stack's code-signing configuration (config.codeSigning), if any: the function runs only code it accepts. */
  readonly codeSigningConfig?: lambda.ICodeSigningConfig;
  /** How a response waits for a decision (lib/approval-schedules.ts and the approval link), for the acting playbooks of a stack with `approval`. */
  readonly approvalEnvironment?: Readonly<Record<string, string>>;
}

/**
 * One playbook Lambda with everything that belongs to it alone: its role,
 * its log group, its on-failure queue and the alarm on that queue.
 */
export class PlaybookFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly failureQueue: sqs.Queue;
  readonly failureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PlaybookFunctionProps) {
    super(scope, id);
    const { playbook, config } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: config.logRetentionDays as logs.RetentionDays });
    this.role = createPlaybookRole(this, 'Role', {
      playbook,
      roleName: props.roleName,
      logGroup: this.logGroup,
      refs: props.scopeReferences,
      exemptTagKey: config.exemptTagKey,
      guardrailPolicy: props.guardrailPolicy,
      s3Quarantine: config.s3Quarantine,
    });
    // Findings that still fail after the retries land here; kept for the maximum 14 days to replay with `ir`.
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.function = new lambda.Function(this, 'Function', {
      code: playbookCode(playbook),
      handler: 'index.handler',
      runtime: PLAYBOOK_RUNTIME,
      architecture: PLAYBOOK_ARCHITECTURE,
      description: `GuardDuty incident response: ${playbook} playbook`,
      role: this.role,
      ...(props.codeSigningConfig ? { codeSigningConfig: props.codeSigningConfig } : {}),
      logGroup: this.logGroup,
      memorySize: 512,
      timeout: TIMEOUT[playbook],
      reservedConcurrentExecutions: config.reservedConcurrency,
      retryAttempts: config.retryAttempts,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.failureQueue),
      environment: {
        IR_PLAYBOOK: playbook,
        IR_RUNTIME_CONFIG: JSON.stringify(runtimeConfigOf(config)),
        IR_TOPIC_ARN: props.topic.topicArn,
        ...(props.chatTopic ? { IR_CHAT_TOPIC_ARN: props.chatTopic.topicArn } : {}),
        // Not the names: 11 playbooks x 18 regions of them pass Lambda's 4 KB environment (lambda/iam/responder-role-names.ts).
        IR_RESPONDER_ROLES: Stack.of(this).toJsonString(props.responderRoles),
        IR_LEDGER_TABLE: props.ledgerTableName,
        ...(props.brakeTableName ? { IR_BRAKE_TABLE: props.brakeTableName } : {}),
        IR_EVIDENCE_BUCKET: props.evidence.bucketName,
        IR_EVIDENCE_KEY_ARN: props.evidence.keyArn,
        ...props.approvalEnvironment,
        POWERTOOLS_SERVICE_NAME: `guardduty-incident-response-${playbook}`,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    // Cleared (the queue drained or replayed) is reported too, as every responder alarm does (lib/monitoring/topic-alarm.ts).
    this.failureAlarm = failureQueueAlarm(this, {
      alarmName: failureAlarmName(Stack.of(this).stackName, playbook),
      alarmDescription: `A finding reached the ${playbook} playbook and failed after every retry: it is in the on-failure queue`,
      queue: this.failureQueue,
      topic: props.topic,
    });
  }
}
