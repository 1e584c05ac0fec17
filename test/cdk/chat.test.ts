import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lambda/config/schema';
import { CONFIG_CONTEXT_KEY, loadConfig } from '../../lib/config/load-config';
import { CHAT_TOPIC_ARN_OUTPUT } from '../../lib/stack-outputs';
import { errorOf } from '../support/errors';
import { nagFindings } from './support/nag';
import { statementsOfRole } from './support/template-queries';
import { cdkJsonContext, synthesize, type Synthesized } from './support/synth';

/*
 * The chat copy of the notifications (lib/chat-notifications.ts): a topic
 * encrypted with the notification key, an AWS Chatbot channel configuration
 * per configured channel with a role allowed nothing and a read-only
 * guardrail, and publish rights derived like the email topic's.
 */

const SLACK = { workspaceId: 'T0123ABCDEF', channelId: 'C0456GHIJKL' };
const TEAMS = { tenantId: '11111111-2222-3333-4444-555555555555', teamId: '66666666-7777-8888-9999-000000000000', channelId: '19%3Aabc123%40thread.tacv2' };
const withChat = (chat: unknown) => ({ [CONFIG_CONTEXT_KEY]: { ...(cdkJsonContext()[CONFIG_CONTEXT_KEY] as object), chat } });

let synth: Synthesized;
let plain: Synthesized;

beforeAll(() => {
  synth = synthesize({ context: withChat({ slack: SLACK, teams: TEAMS }), nag: true });
  plain = synthesize();
});

function topicArnRefOf(s: Synthesized, displayName: string): string {
  const topics = s.template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: displayName } });
  const ids = Object.keys(topics);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('chat delivery (config chat)', () => {
  it('creates a chat topic encrypted with the notification key, refusing plain HTTP', () => {
    const chatTopic = topicArnRefOf(synth, 'GuardDuty incident response (chat)');
    const emailTopic = topicArnRefOf(synth, 'GuardDuty incident response');
    const topics = synth.template.findResources('AWS::SNS::Topic');
    expect(topics[chatTopic]!.Properties.KmsMasterKeyId).toEqual(topics[emailTopic]!.Properties.KmsMasterKeyId);
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: chatTopic }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('subscribes a Slack and a Teams channel configuration with the ids of the configuration', () => {
    const chatTopic = topicArnRefOf(synth, 'GuardDuty incident response (chat)');
    synth.template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: SLACK.workspaceId,
      SlackChannelId: SLACK.channelId,
      SnsTopicArns: [{ Ref: chatTopic }],
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      UserRoleRequired: false,
    });
    synth.template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      TeamsTenantId: TEAMS.tenantId,
      TeamId: TEAMS.teamId,
      TeamsChannelId: TEAMS.channelId,
      SnsTopicArns: [{ Ref: chatTopic }],
      UserRoleRequired: false,
    });
  });

  it("gives the channels' role no permission at all: Chatbot may assume it, nothing more", () => {
    const roles = synth.template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })] } } });
    const [id, role] = Object.entries(roles)[0]!;
    expect(Object.keys(roles)).toHaveLength(1);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const attached = Object.values(synth.template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(id));
    expect(attached).toEqual([]);
  });

  it('lets every playbook publish to both topics and nowhere else, and gives each the chat topic', () => {
    const chatTopic = topicArnRefOf(synth, 'GuardDuty incident response (chat)');
    const emailTopic = topicArnRefOf(synth, 'GuardDuty incident response');
    for (const playbook of Object.values(synth.stack.playbooks)) {
      const roleId = synth.stack.getLogicalId(playbook.role.node.defaultChild as never);
      // Inline and customer managed (answer-sequence's step policies) alike.
      const all = statementsOfRole(synth.template, roleId);
      const statements = JSON.stringify(all);
      const publish = all.filter((s) => [s.Action].flat().includes('sns:Publish'));
      expect(statements).toContain(chatTopic);
      expect(publish).toHaveLength(1);
      expect(publish[0]!.Resource).toEqual([{ Ref: emailTopic }, { Ref: chatTopic }]);
      const fn = synth.template.findResources('AWS::Lambda::Function')[synth.stack.getLogicalId(playbook.function.node.defaultChild as never)]!;
      expect(fn.Properties.Environment.Variables.IR_CHAT_TOPIC_ARN).toEqual({ Ref: chatTopic });
    }
    synth.template.hasOutput(CHAT_TOPIC_ARN_OUTPUT, { Value: { Ref: chatTopic } });
  });

  it('keeps cdk-nag clean', () => {
    expect(nagFindings(synth.app)).toEqual([]);
  });

  it('creates none of it when the configuration names no chat', () => {
    plain.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    plain.template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
    plain.template.resourceCountIs('AWS::SNS::Topic', 1);
    for (const fn of Object.values(plain.template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment?.Variables?.IR_CHAT_TOPIC_ARN).toBeUndefined();
    }
  });
});

describe('chat configuration is checked at synth', () => {
  const configOf = (chat: unknown) => loadConfig(new App({ context: withChat(chat) }).node, '.');
  it.each([
    [{}, /"chat": names no channel: add "slack"/],
    [{ slack: { workspaceId: 'T0123', channelId: '#incidents' } }, /"chat.slack.channelId": must be a Slack channel id/],
    [{ slack: { workspaceId: 'my workspace', channelId: 'C1' } }, /"chat.slack.workspaceId": must be a Slack workspace/],
    [{ teams: { ...TEAMS, tenantId: 'contoso' } }, /"chat.teams.tenantId": must be the Microsoft Teams tenant id, a UUID/],
    [{ teams: { teamId: TEAMS.teamId, channelId: TEAMS.channelId } }, /"chat.teams.tenantId"/],
    [{ teams: { ...TEAMS, channelId: '19:abc123@thread.tacv2' } }, /"chat.teams.channelId": must be a Microsoft Teams channel id, URL-encoded/],
    [{ slack: { ...SLACK, webhook: 'https://x' } }, /unknown key "chat.slack.webhook"/],
  ])('refuses %j with a message naming the key', (chat, message) => {
    const error = errorOf(() => configOf(chat));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
