import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { securityHubImportedPattern } from '../lambda/close-loop/imported-event';
import { OWED_NOTE_WRITER_STEP_SPECS } from '../lambda/close-loop/specs';
import type { IncidentResponseConfig } from '../lambda/config/schema';
import type { ScopeReferences } from './iam/action-resources';
import { scopedStatements } from './iam/scoped-statements';
import { LOG_WRITING_ACTIONS } from './iam/support-actions';
import { playbookCode } from './lambda-bundle/code';
import { OWED_NOTE_BUNDLE, PLAYBOOK_ARCHITECTURE, PLAYBOOK_RUNTIME } from './lambda-bundle/options';
import { failureAlarmName, monitoringAlarmName } from './naming';
import { failedInvocationsOf } from './monitoring/rule-alarms';
import { alarmToTopic, failureQueueAlarm } from './monitoring/topic-alarm';
import { MAX_EVENT_AGE } from './playbook-function';

/** A few ledger calls and one BatchUpdateFindings: far less than the note's lease (OWED_NOTE_LEASE_MS, 60 s). */
export const OWED_NOTE_TIMEOUT = Duration.seconds(30);

/**
 * Every GuardDuty finding update of the organisation wakes the writer (most find nothing owed): two at a time bound
 * what it takes from the account's concurrency; Lambda queues the rest of a burst (up to MAX_EVENT_AGE).
 */
export const OWED_NOTE_CONCURRENCY = 2;

export interface OwedNoteDeliveryProps {
  readonly config: IncidentResponseConfig;
  readonly ledgerTableName: string;
  /** The stack's scope references: the ledger table and the hub its actions are scoped to. */
  readonly scopeReferences: ScopeReferences;
  /** Where its failure alarm goes: the notification topic. */
  readonly topic: sns.ITopic;
  readonly codeSigningConfig?: lambda.ICodeSigningConfig;
}

/**
 * The writer of the Security Hub notes the ledger owes (lambda/close-loop/deliver-owed-notes.ts):
 * the rule on Security Hub's Imported events of GuardDuty findings in this
 * region, the function it invokes, its role (the step declarations'
 * actions, OWED_NOTE_WRITER_STEP_SPECS: reading and claiming the ledger's
 * note, BatchUpdateFindings on the hub), its logs, its on-failure queue and
 * the alarm on it, as every playbook function has (lib/playbook-function.ts).
 */
export class OwedNoteDelivery extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly rule: events.Rule;
  readonly logGroup: logs.LogGroup;
  readonly failureQueue: sqs.Queue;
  readonly failureAlarm: cloudwatch.Alarm;
  /** EventBridge could not invoke the function (FailedInvocations of the rule), as every routing rule has (lib/monitoring/rule-alarms.ts). */
  readonly ruleAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OwedNoteDeliveryProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: config.logRetentionDays as logs.RetentionDays });
    this.role = new iam.Role(this, 'Role', {
      description: 'GuardDuty incident response: writes the Security Hub notes the incident ledger owes',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        OwedNoteSteps: new iam.PolicyDocument({ statements: scopedStatements(OWED_NOTE_WRITER_STEP_SPECS, props.scopeReferences) }),
        WriteOwnLogs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: [...LOG_WRITING_ACTIONS], resources: [this.logGroup.logGroupArn] })],
        }),
      },
    });
    // Events whose note could not be written after Lambda's retries: the note stays owed in the ledger; kept 14 days.
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.function = new lambda.Function(this, 'Function', {
      code: playbookCode(OWED_NOTE_BUNDLE),
      handler: 'index.handler',
      runtime: PLAYBOOK_RUNTIME,
      architecture: PLAYBOOK_ARCHITECTURE,
      description: 'GuardDuty incident response: writes the Security Hub note owed for a finding once Security Hub imports it',
      role: this.role,
      ...(props.codeSigningConfig ? { codeSigningConfig: props.codeSigningConfig } : {}),
      logGroup: this.logGroup,
      memorySize: 256,
      timeout: OWED_NOTE_TIMEOUT,
      reservedConcurrentExecutions: OWED_NOTE_CONCURRENCY,
      retryAttempts: config.retryAttempts,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.failureQueue),
      environment: {
        IR_LEDGER_TABLE: props.ledgerTableName,
        POWERTOOLS_SERVICE_NAME: `guardduty-incident-response-${OWED_NOTE_BUNDLE}`,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    const { source, 'detail-type': detailType, detail } = securityHubImportedPattern(stack.partition, stack.region);
    this.rule = new events.Rule(this, 'ImportedRule', {
      description: 'Security Hub imported a GuardDuty finding: write the note the incident ledger owes for it, if any',
      eventPattern: { source, detailType, detail },
      targets: [new targets.LambdaFunction(this.function)],
    });

    this.failureAlarm = failureQueueAlarm(this, {
      alarmName: failureAlarmName(stack.stackName, OWED_NOTE_BUNDLE),
      alarmDescription: 'A Security Hub note owed in the incident ledger could not be written after every retry: the event is in the on-failure queue',
      queue: this.failureQueue,
      topic: props.topic,
    });
    this.ruleAlarm = alarmToTopic(this, 'RuleFailedInvocationsAlarm', {
      alarmName: monitoringAlarmName(stack.stackName, `rule-${OWED_NOTE_BUNDLE}`, 'failed-invocations'),
      alarmDescription:
        'EventBridge could not deliver a Security Hub Imported event to the owed-note writer: a note owed in the incident ledger may stay unwritten. ' +
        'Check the function exists and its resource policy lets events.amazonaws.com invoke it.',
      metric: failedInvocationsOf(this.rule),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      topic: props.topic,
    });
  }
}
