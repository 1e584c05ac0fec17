import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { SECURITY_HUB_ACTIONS, type SecurityHubAction } from '../../lambda/approval/security-hub-action';
import type { ChatChannelIds } from '../../lambda/approval/chat-channel';
import { runtimeConfigOf, type IncidentResponseConfig } from '../../lambda/config/schema';
import { ACTING_PLAYBOOKS, PLAYBOOK_NAMES, type PlaybookName } from '../../lambda/routing/playbook-names';
import { playbookCode } from '../lambda-bundle/code';
import { PLAYBOOK_ARCHITECTURE, PLAYBOOK_RUNTIME, type ApprovalFunctionName } from '../lambda-bundle/options';
import { LOG_WRITING_ACTIONS } from '../iam/support-actions';
import { APPROVAL_GRANTS, type ApprovalScope } from './grants';

/*
 * The decision side of approvals (config `approval`; docs/approval-channels.md):
 *  - the approval link function, behind a function URL with AuthType NONE
 *    (the signed, single-use token is the credential), and the KMS HMAC key
 *    its tokens are signed with;
 *  - the operator decision function, behind a function URL with AuthType
 *    AWS_IAM (`ir approve`, `ir deny`, `ir pending`; IAM decides who may).
 *    It records the ARN STS answers for the identity proof each decision
 *    carries (a direct invoke can forge the event's caller ARN, not that),
 *    and still no principal of the stack may invoke it directly (who may
 *    decide is IAM's choice);
 *  - with `chat`, the chat decision function the chat buttons invoke
 *    directly (chat-actions.ts): it records only "a member of" the channel;
 *  - the Security Hub custom actions "IR: plan" and "IR: respond", an
 *    EventBridge rule on them, and the function that sends the selected
 *    findings to their playbooks.
 * Each function's role is built from its declaration (grants.ts) and
 * writes only its own log group.
 */

export interface ApprovalChannelsProps {
  readonly config: IncidentResponseConfig;
  readonly ledgerTableArn: string;
  readonly ledgerTableName: string;
  readonly evidence: { readonly bucketName: string; readonly objectsArn: string; readonly keyArn: string };
  readonly playbooks: Readonly<Record<PlaybookName, lambda.IFunction>>;
  readonly codeSigningConfig?: lambda.ICodeSigningConfig;
  /**
   * The links' KMS HMAC key, when the stack made it first (approvalLinkKey): the playbook roles, built before this
   * construct, sign with it. Absent: made here.
   */
  readonly linkKey?: kms.Key;
}

/** The approval links' KMS HMAC key: signs (the waiting playbooks) and checks (the link function) the tokens; it never leaves KMS. */
export function approvalLinkKey(scope: Construct, id: string): kms.Key {
  return new kms.Key(scope, id, {
    description: `${Stack.of(scope).stackName}: signs the approval links (HMAC); the key never leaves KMS`,
    keySpec: kms.KeySpec.HMAC_256,
    keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
    // KMS does not rotate HMAC keys automatically; a replaced key only invalidates the links in flight.
    enableKeyRotation: false,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** The link function's ARN, from its fixed name: what the playbook roles may ask the URL of (lambda:GetFunctionUrlConfig). */
export function approvalLinkFunctionArn(stack: Stack): string {
  return `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:${approvalLinkFunctionName(stack.stackName)}`;
}

/**
 * The link function's name, fixed by the stack name (one stack per region), so
 * the playbooks can find its URL at run time (lambda:GetFunctionUrlConfig,
 * lambda/approval/link-url.ts) without a reference to it: the link function
 * refers to the playbook functions, and a reference back would be a cycle.
 */
export function approvalLinkFunctionName(stackName: string): string {
  return `${stackName}-approval-link`.slice(0, 64);
}

/**
 * How a chat decision names its channel: the channel configurations the stack made. With both Slack and Teams the
 * function cannot tell which one a button was pressed in, so it names both.
 */
export function chatChannelsLabel(chat: NonNullable<IncidentResponseConfig['chat']>): string {
  const channels = [
    ...(chat.slack ? [`Slack ${chat.slack.channelId} (workspace ${chat.slack.workspaceId})`] : []),
    ...(chat.teams ? [`Teams ${chat.teams.channelId} (team ${chat.teams.teamId})`] : []),
  ];
  return channels.join(' or ');
}

/** The ids of the channel configurations, recorded with each chat decision (lambda/approval/chat-channel.ts chatOrigin). */
export function chatChannelIdsOf(chat: NonNullable<IncidentResponseConfig['chat']>): ChatChannelIds {
  return {
    ...(chat.slack ? { slack: { workspaceId: chat.slack.workspaceId, channelId: chat.slack.channelId } } : {}),
    ...(chat.teams ? { teams: { tenantId: chat.teams.tenantId, teamId: chat.teams.teamId, channelId: chat.teams.channelId } } : {}),
  };
}

/**
 * Every partition key the request touches matches one of the patterns; and the request names one (Null false), so the
 * ForAllValues test can never pass on an empty set.
 */
export function leadingKeysCondition(patterns: readonly string[]) {
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] }, Null: { 'dynamodb:LeadingKeys': 'false' } };
}

export interface ApprovalFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

export class ApprovalChannels extends Construct {
  /** Signs and checks the approval links' tokens (GenerateMac / VerifyMac); the wait phase signs with it. */
  readonly linkKey: kms.Key;
  readonly link: ApprovalFunction;
  readonly linkUrl: lambda.FunctionUrl;
  readonly decide: ApprovalFunction;
  readonly decideUrl: lambda.FunctionUrl;
  /** With `chat` configured: the function the chat buttons invoke (the only approval function anyone invokes directly). */
  readonly chat?: ApprovalFunction;
  readonly securityHub: ApprovalFunction;
  readonly actionTargets: Readonly<Record<SecurityHubAction, securityhub.CfnActionTarget>>;
  readonly securityHubRule: events.Rule;

  constructor(scope: Construct, id: string, props: ApprovalChannelsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.linkKey = props.linkKey ?? approvalLinkKey(this, 'LinkKey');

    this.actionTargets = {
      plan: this.actionTarget('plan'),
      respond: this.actionTarget('respond'),
    };

    const playbookFunctions = JSON.stringify(Object.fromEntries(PLAYBOOK_NAMES.map((name) => [name, props.playbooks[name].functionName])));
    const shared = {
      IR_LEDGER_TABLE: props.ledgerTableName,
      IR_PLAYBOOK_FUNCTIONS: playbookFunctions,
      IR_EVIDENCE_BUCKET: props.evidence.bucketName,
      IR_EVIDENCE_KEY_ARN: props.evidence.keyArn,
    };
    const resources: Readonly<Record<ApprovalScope, readonly string[]>> = {
      ledger: [props.ledgerTableArn],
      'link-key': [this.linkKey.keyArn],
      'evidence-objects': [props.evidence.objectsArn],
      'evidence-key': [props.evidence.keyArn],
      'waiting-playbooks': ACTING_PLAYBOOKS.map((name) => props.playbooks[name].functionArn),
      'every-playbook': PLAYBOOK_NAMES.map((name) => props.playbooks[name].functionArn),
      'guardduty-detector': [`arn:${stack.partition}:guardduty:${stack.region}:${stack.account}:detector/*`],
      any: ['*'],
    };

    this.link = this.approvalFunction('approval-link', 'Link', props, resources, { ...shared, IR_APPROVAL_MAC_KEY: this.linkKey.keyArn }, approvalLinkFunctionName(stack.stackName));
    this.linkUrl = this.link.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.decide = this.approvalFunction('approval-decide', 'Decide', props, resources, shared);
    this.decideUrl = this.decide.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    if (props.config.chat) {
      this.chat = this.approvalFunction('approval-chat', 'Chat', props, resources, {
        ...shared,
        IR_CHAT_CHANNELS: chatChannelsLabel(props.config.chat),
        IR_CHAT_CHANNEL_IDS: JSON.stringify(chatChannelIdsOf(props.config.chat)),
      });
    }
    this.securityHub = this.approvalFunction('security-hub-action', 'SecurityHubAction', props, resources, {
      IR_PLAYBOOK_FUNCTIONS: playbookFunctions,
      IR_RUNTIME_CONFIG: JSON.stringify(runtimeConfigOf(props.config)),
      IR_PLAN_ACTION_ARN: this.actionTargets.plan.attrActionTargetArn,
      IR_RESPOND_ACTION_ARN: this.actionTargets.respond.attrActionTargetArn,
    });

    this.securityHubRule = new events.Rule(this, 'SecurityHubActionRule', {
      description: 'Security Hub custom actions IR: plan and IR: respond: the selected GuardDuty findings go to their playbook',
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: ['Security Hub Findings - Custom Action'],
        resources: [this.actionTargets.plan.attrActionTargetArn, this.actionTargets.respond.attrActionTargetArn],
      },
      targets: [new targets.LambdaFunction(this.securityHub.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
  }

  private actionTarget(action: SecurityHubAction): securityhub.CfnActionTarget {
    const { id, name } = SECURITY_HUB_ACTIONS[action];
    return new securityhub.CfnActionTarget(this, `${id}Action`, {
      id,
      name,
      description:
        action === 'plan'
          ? 'Plan the incident response of the selected GuardDuty findings (dry-run: nothing changes)'
          : 'Respond to the selected GuardDuty findings (every guard and the approval policy apply)',
    });
  }

  private approvalFunction(
    name: ApprovalFunctionName,
    id: string,
    props: ApprovalChannelsProps,
    resources: Readonly<Record<ApprovalScope, readonly string[]>>,
    environment: Record<string, string>,
    functionName?: string,
  ): ApprovalFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: props.config.logRetentionDays as logs.RetentionDays });
    const role = new iam.Role(this, `${id}Role`, {
      description: `GuardDuty incident response: ${name} function`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        Declared: new iam.PolicyDocument({
          statements: APPROVAL_GRANTS[name].map(
            (grant) => new iam.PolicyStatement({ actions: [...grant.actions], resources: [...resources[grant.scope]], ...(grant.leadingKeys ? { conditions: leadingKeysCondition(grant.leadingKeys) } : {}) }),
          ),
        }),
        WriteOwnLogs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: [...LOG_WRITING_ACTIONS], resources: [logGroup.logGroupArn] })] }),
      },
    });
    const fn = new lambda.Function(this, `${id}Function`, {
      code: playbookCode(name),
      handler: 'index.handler',
      runtime: PLAYBOOK_RUNTIME,
      architecture: PLAYBOOK_ARCHITECTURE,
      description: `GuardDuty incident response: ${name}`,
      ...(functionName ? { functionName } : {}),
      role,
      ...(props.codeSigningConfig ? { codeSigningConfig: props.codeSigningConfig } : {}),
      logGroup,
      memorySize: 256,
      timeout: Duration.seconds(30),
      // A flood of link clicks or forged requests cannot take the account's concurrency.
      reservedConcurrentExecutions: 2,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
    });
    return { function: fn, role, logGroup };
  }
}
