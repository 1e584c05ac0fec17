import { Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { IncidentResponseConfig } from '../lambda/config/schema';

export interface ChatNotificationsProps {
  readonly chat: NonNullable<IncidentResponseConfig['chat']>;
  /** The notification topic's key: the chat topic carries the same reports, so it is encrypted the same way. */
  readonly key: kms.IKey;
}

/**
 * The chat copy of every notification: a topic the playbooks publish AWS
 * Chatbot custom notifications to (lambda/notify/chat.ts), and one Chatbot
 * channel configuration per configured channel (Slack, Microsoft Teams)
 * subscribed to it.
 *
 * The channel's role has no permission at all and the guardrail is
 * ReadOnlyAccess: the channel only shows notifications, and nobody in the
 * channel can change anything in the account through it. With approvals
 * configured, lib/approval/chat-actions.ts adds the approve and deny buttons
 * and allows the role (and the guardrail) exactly one thing more: invoking
 * the decision function. (The Slack
 * workspace or Teams tenant must have been authorised in the Chatbot console
 * once: CloudFormation cannot do that step.)
 */
export class ChatNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly role: iam.Role;
  readonly slack?: chatbot.SlackChannelConfiguration;
  readonly teams?: chatbot.CfnMicrosoftTeamsChannelConfiguration;

  constructor(scope: Construct, id: string, props: ChatNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'GuardDuty incident response (chat)',
      masterKey: props.key,
      enforceSSL: true,
    });
    this.role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: `AWS Chatbot channel of ${stack.stackName}: shows notifications only, allowed nothing`,
    });
    const guardrail = iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    // Chatbot configuration names are unique per account, across regions: the stack name (one per region) keeps them apart.
    const name = (channel: string) => `${stack.stackName}-${channel}`.slice(0, 128);

    const { slack, teams } = props.chat;
    if (slack) {
      this.slack = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: name('slack'),
        slackWorkspaceId: slack.workspaceId,
        slackChannelId: slack.channelId,
        role: this.role,
        guardrailPolicies: [guardrail],
        notificationTopics: [this.topic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
        userRoleRequired: false,
      });
    }
    if (teams) {
      this.teams = new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
        configurationName: name('teams'),
        iamRoleArn: this.role.roleArn,
        teamsTenantId: teams.tenantId,
        teamId: teams.teamId,
        teamsChannelId: teams.channelId,
        snsTopicArns: [this.topic.topicArn],
        guardrailPolicies: [guardrail.managedPolicyArn],
        loggingLevel: 'ERROR',
        userRoleRequired: false,
      });
    }
  }
}
