import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { principalGuardrailPolicy } from './iam/deny-statements';
import type { ResponderRoles } from '../lambda/iam/responder-role-names';
import type { ScopeReferences } from './iam/action-resources';
import { memberRoleReference, scopeReferences } from './iam/playbook-role';
import type { Construct } from 'constructs';
import { runtimeConfigOf, type IncidentResponseConfig } from '../lambda/config/schema';
import { ACTING_PLAYBOOKS, actsInFindingAccount, PLAYBOOK_NAMES, type PlaybookName } from '../lambda/routing/playbook-names';
import { effectiveRoutingTable } from '../lambda/routing/overrides';
import { playbookCodeSigningConfig } from './code-signing';
import { EvidenceBucket } from './evidence-bucket';
import { IncidentLedgerTable } from './incident-ledger-table';
import { Monitoring } from './monitoring/monitoring';
import { acknowledgeNagFindings } from './nag-suppressions';
import { approvalScheduleGroupName, approvalSchedulerRoleName, chatDecisionFunctionName, pascalCase, responderRoleName, sharedBrakeTableArn, sharedBrakeTableName } from './naming';
import { NotificationTopic } from './notification-topic';
import { ChatNotifications } from './chat-notifications';
import { OwedNoteDelivery } from './owed-note-delivery';
import { ApprovalChannels, approvalLinkFunctionArn, approvalLinkFunctionName, approvalLinkKey } from './approval/approval-channels';
import { ApprovalSchedules } from './approval-schedules';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { ChatApprovalActions } from './approval/chat-actions';
import { PlaybookFunction } from './playbook-function';
import { RoutingRules } from './routing-rules';
import {
  APPROVAL_DECISION_URL_OUTPUT,
  APPROVAL_LINK_URL_OUTPUT,
  BRAKE_TABLE_OUTPUT,
  CHAT_TOPIC_ARN_OUTPUT,
  EVIDENCE_BUCKET_OUTPUT,
  EVIDENCE_KEY_ARN_OUTPUT,
  failureQueueUrlOutput,
  functionArnOutput,
  functionNameOutput,
  LEDGER_TABLE_OUTPUT,
  RUNTIME_CONFIG_OUTPUT,
  TOPIC_ARN_OUTPUT,
} from './stack-outputs';

export interface IncidentResponseStackProps extends StackProps {
  /** Already validated (lib/config/load-config.ts). */
  readonly config: IncidentResponseConfig;
  /**
   * The first part of the playbook role names (`<prefix>-<playbook>-<region>`),
   * the same for every regional stack of one deployment so member accounts
   * can trust them by name. Defaults to the stack name.
   */
  readonly roleNamePrefix?: string;
}

/**
 * GuardDuty findings on the default bus → rules compiled from the routing
 * table → one Lambda per playbook → reports on an encrypted SNS topic.
 */
export class IncidentResponseStack extends Stack {
  readonly notifications: NotificationTopic;
  /** The chat topic and its AWS Chatbot channel configurations, when the configuration asks for chat. */
  readonly chat?: ChatNotifications;
  readonly ledger: IncidentLedgerTable;
  readonly evidence: EvidenceBucket;
  readonly playbooks: Readonly<Record<PlaybookName, PlaybookFunction>>;
  readonly routing: RoutingRules;
  /** The writer of the Security Hub notes the ledger owes (securityHub.updateFindings on); absent otherwise. */
  readonly owedNotes?: OwedNoteDelivery;
  readonly monitoring: Monitoring;
  /** The Deny statements every playbook role carries: no role changes a responder role or a protected principal. */
  readonly guardrailPolicy: iam.ManagedPolicy;
  /** What the playbook roles' actions are scoped to (lib/iam/action-resources.ts). */
  readonly scopeReferences: ScopeReferences;
  /** The decision channels of approvals, when the configuration turns approvals on (config `approval`). */
  readonly approval?: ApprovalChannels;
  /** The chat approve/deny buttons, when both approvals and chat are configured. */
  readonly chatApproval?: ChatApprovalActions;
  /** The wait for a decision: the schedule group, the scheduler role, the escalation topic (config `approval`). */
  readonly approvalSchedules?: ApprovalSchedules;
  /** The approval links' KMS HMAC key (config `approval`): the waiting playbooks sign with it, the link function checks. */
  readonly approvalLinkKey?: kms.Key;

  constructor(scope: Construct, id: string, props: IncidentResponseStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    if (config.chat) this.chat = new ChatNotifications(this, 'Chat', { chat: config.chat, key: this.notifications.key });
    this.ledger = new IncidentLedgerTable(this, 'IncidentLedger');
    const prefix = props.roleNamePrefix ?? this.stackName;
    const brake = sharedBrake(this, config, prefix);
    this.evidence = new EvidenceBucket(this, 'Evidence', { ...config.evidence, accessLogRetentionDays: config.logRetentionDays });
    // Made before the playbooks: their roles name the group, the scheduler role, the topic and the link key (lambda/approval/specs.ts).
    if (config.approval) {
      this.approvalSchedules = new ApprovalSchedules(this, 'ApprovalWait', {
        groupName: approvalScheduleGroupName(this.stackName),
        schedulerRoleName: approvalSchedulerRoleName(prefix, this.region),
        topicKey: this.notifications.key,
        ...(config.approval.escalationEmails ? { escalationEmails: config.approval.escalationEmails } : {}),
      });
      this.approvalLinkKey = approvalLinkKey(this, 'ApprovalLinkKey');
    }
    this.scopeReferences = scopeReferences(this, {
      topicArn: this.notifications.topic.topicArn,
      topicKeyArn: this.notifications.key.keyArn,
      ...(this.chat ? { chatTopicArn: this.chat.topic.topicArn } : {}),
      ledgerTableArn: this.ledger.table.tableArn,
      ...(brake ? { brakeTableArn: brake.tableArn } : {}),
      memberRole: memberRoleReference(config),
      evidenceObjectsArn: this.evidence.evidenceObjectsArn(),
      evidenceKeyArn: this.evidence.key.keyArn,
      ...(this.approvalSchedules && this.approvalLinkKey
        ? { approval: { ...this.approvalSchedules.references(), linkKeyArn: this.approvalLinkKey.keyArn, linkFunctionArn: approvalLinkFunctionArn(this) } }
        : {}),
    });

    const codeSigningConfig = config.codeSigning ? playbookCodeSigningConfig(this, config.codeSigning.signingProfileVersionArns) : undefined;
    const roleNames = Object.fromEntries(
      PLAYBOOK_NAMES.map((name) => [name, responderRoleName(prefix, name, this.region)]),
    ) as Record<PlaybookName, string>;
    const regions = config.regions.length > 0 ? config.regions : [this.region];
    // A playbook role may pass the scheduler roles to Scheduler: none may change them (the guardrails' Deny), nor revoke them.
    // The playbooks rebuild every role name of every region from this (lambda/iam/responder-role-names.ts): the names themselves would not fit Lambda's 4 KB environment.
    const responderRoles: ResponderRoles = { prefix, regions, scheduler: config.approval !== undefined };
    this.guardrailPolicy = principalGuardrailPolicy(this, 'ResponderGuardrails', {
      refs: this.scopeReferences,
      // Every responder role is made here, in the stack's own (the security) account.
      responderRoles: { account: this.account, namePrefix: prefix, scheduler: responderRoles.scheduler },
      memberRoleName: config.memberRoleName,
      protectedPrincipals: config.credentials.protectedPrincipals,
    });
    const playbookOf = (playbook: PlaybookName) =>
      new PlaybookFunction(this, pascalCase(playbook), {
        playbook,
        config,
        roleName: roleNames[playbook],
        responderRoles,
        guardrailPolicy: this.guardrailPolicy,
        topic: this.notifications.topic,
        ...(this.chat ? { chatTopic: this.chat.topic } : {}),
        ledgerTableName: this.ledger.table.tableName,
        ...(brake ? { brakeTableName: brake.tableName } : {}),
        evidence: { bucketName: this.evidence.bucket.bucketName, keyArn: this.evidence.key.keyArn },
        scopeReferences: this.scopeReferences,
        ...(codeSigningConfig ? { codeSigningConfig } : {}),
        // Only the acting playbooks wait for a decision (notify's role has none of the wait's grants).
        ...(this.approvalSchedules && this.approvalLinkKey && actsInFindingAccount(playbook)
          ? {
              approvalEnvironment: {
                ...this.approvalSchedules.environment(),
                // The email's signed decision links (lambda/approval/wait-links.ts): the key signs, the link function's URL serves them.
                IR_APPROVAL_MAC_KEY: this.approvalLinkKey.keyArn,
                IR_APPROVAL_LINK_FUNCTION: approvalLinkFunctionName(this.stackName),
              },
            }
          : {}),
      });
    this.playbooks = {
      'contain-instance': playbookOf('contain-instance'),
      'revoke-credentials': playbookOf('revoke-credentials'),
      'block-public-access': playbookOf('block-public-access'),
      'quarantine-object': playbookOf('quarantine-object'),
      'contain-function': playbookOf('contain-function'),
      'answer-sequence': playbookOf('answer-sequence'),
      'contain-task': playbookOf('contain-task'),
      'contain-eks': playbookOf('contain-eks'),
      'contain-database': playbookOf('contain-database'),
      'quarantine-image': playbookOf('quarantine-image'),
      notify: playbookOf('notify'),
    };
    this.approvalSchedules?.allowInvoking(ACTING_PLAYBOOKS.map((name) => this.playbooks[name].function));

    this.routing = new RoutingRules(this, 'Routing', {
      overrides: config.routing,
      functions: {
        'contain-instance': this.playbooks['contain-instance'].function,
        'revoke-credentials': this.playbooks['revoke-credentials'].function,
        'block-public-access': this.playbooks['block-public-access'].function,
        'quarantine-object': this.playbooks['quarantine-object'].function,
        'contain-function': this.playbooks['contain-function'].function,
        'answer-sequence': this.playbooks['answer-sequence'].function,
        'contain-task': this.playbooks['contain-task'].function,
        'contain-eks': this.playbooks['contain-eks'].function,
        'contain-database': this.playbooks['contain-database'].function,
        'quarantine-image': this.playbooks['quarantine-image'].function,
        notify: this.playbooks.notify.function,
      },
    });

    // The note Security Hub could not take on a finding's first response, written when Security Hub imports the finding.
    if (config.securityHub.updateFindings) {
      this.owedNotes = new OwedNoteDelivery(this, 'OwedSecurityHubNotes', {
        config,
        ledgerTableName: this.ledger.table.tableName,
        scopeReferences: this.scopeReferences,
        topic: this.notifications.topic,
        ...(codeSigningConfig ? { codeSigningConfig } : {}),
      });
    }

    if (config.approval) {
      this.approval = new ApprovalChannels(this, 'Approval', {
        config,
        ledgerTableArn: this.ledger.table.tableArn,
        ledgerTableName: this.ledger.table.tableName,
        evidence: { bucketName: this.evidence.bucket.bucketName, objectsArn: this.evidence.evidenceObjectsArn(), keyArn: this.evidence.key.keyArn },
        playbooks: {
          'contain-instance': this.playbooks['contain-instance'].function,
          'revoke-credentials': this.playbooks['revoke-credentials'].function,
          'block-public-access': this.playbooks['block-public-access'].function,
          'quarantine-object': this.playbooks['quarantine-object'].function,
          'contain-function': this.playbooks['contain-function'].function,
          'answer-sequence': this.playbooks['answer-sequence'].function,
        'contain-task': this.playbooks['contain-task'].function,
        'contain-eks': this.playbooks['contain-eks'].function,
          'contain-database': this.playbooks['contain-database'].function,
          'quarantine-image': this.playbooks['quarantine-image'].function,
          notify: this.playbooks.notify.function,
        },
        ...(codeSigningConfig ? { codeSigningConfig } : {}),
        ...(this.approvalLinkKey ? { linkKey: this.approvalLinkKey } : {}),
      });
      if (this.chat && this.approval.chat) this.chatApproval = new ChatApprovalActions(this, 'ChatApproval', { chat: this.chat, chatFunction: this.approval.chat.function, chatFunctionName: chatDecisionFunctionName(this.stackName) });
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      playbooks: this.playbooks,
      rules: this.routing.rules,
      routingTable: effectiveRoutingTable(config.routing),
      topic: this.notifications.topic,
    });

    new CfnOutput(this, TOPIC_ARN_OUTPUT, { value: this.notifications.topic.topicArn, description: 'SNS topic of every incident report' });
    if (this.chat) new CfnOutput(this, CHAT_TOPIC_ARN_OUTPUT, { value: this.chat.topic.topicArn, description: 'SNS topic of the chat copy of every incident report (AWS Chatbot)' });
    new CfnOutput(this, LEDGER_TABLE_OUTPUT, { value: this.ledger.table.tableName, description: 'DynamoDB table of every incident (the incident ledger)' });
    if (brake?.table) new CfnOutput(this, BRAKE_TABLE_OUTPUT, { value: brake.table.table.tableName, description: 'DynamoDB table of the blast-radius brake every regional stack shares' });
    new CfnOutput(this, EVIDENCE_BUCKET_OUTPUT, { value: this.evidence.bucket.bucketName, description: 'S3 bucket holding the evidence of every incident (incidents/<account>/<region>/...)' });
    new CfnOutput(this, EVIDENCE_KEY_ARN_OUTPUT, { value: this.evidence.key.keyArn, description: 'KMS key of the evidence bucket' });
    // The same JSON every playbook function gets as IR_RUNTIME_CONFIG: `ir` plans with what is deployed.
    new CfnOutput(this, RUNTIME_CONFIG_OUTPUT, { value: JSON.stringify(runtimeConfigOf(config)), description: 'runtime configuration of the playbooks, as deployed (read by ir plan and ir respond)' });
    if (this.approval) {
      new CfnOutput(this, APPROVAL_DECISION_URL_OUTPUT, { value: this.approval.decideUrl.url, description: 'operator decision URL (AWS_IAM): ir approve, ir deny, ir pending' });
      new CfnOutput(this, APPROVAL_LINK_URL_OUTPUT, { value: this.approval.linkUrl.url, description: 'approval link URL (the emailed links point here)' });
    }
    for (const name of PLAYBOOK_NAMES) {
      const playbook = this.playbooks[name];
      new CfnOutput(this, functionNameOutput(name), { value: playbook.function.functionName, description: `${name} playbook function` });
      new CfnOutput(this, functionArnOutput(name), { value: playbook.function.functionArn });
      new CfnOutput(this, failureQueueUrlOutput(name), {
        value: playbook.failureQueue.queueUrl,
        description: `${name}: findings that failed every retry`,
      });
    }

    acknowledgeNagFindings(this);
  }
}

/**
 * The brake every regional stack shares (blastRadius.homeRegion): its table
 * is created by the home region's stack, under a name derived from the
 * deployment, so every stack names the same table and ARN. Absent: each
 * stack's brake lives in its own ledger table.
 */
function sharedBrake(stack: Stack, config: IncidentResponseConfig, prefix: string): { tableName: string; tableArn: string; table?: IncidentLedgerTable } | undefined {
  const home = config.blastRadius.homeRegion;
  if (!home) return undefined;
  const tableName = sharedBrakeTableName(prefix);
  const tableArn = sharedBrakeTableArn(stack, home, prefix);
  return stack.region === home ? { tableName, tableArn, table: new IncidentLedgerTable(stack, 'SharedBrake', tableName) } : { tableName, tableArn };
}
