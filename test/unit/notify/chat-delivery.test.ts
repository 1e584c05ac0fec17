import { PublishCommand } from '@aws-sdk/client-sns';
import type { ChatbotNotification } from '../../../lambda/notify/chat';
import { NOTIFICATION_STEP_IDS } from '../../../lambda/notify/document';
import { CHAT_NOTIFICATION_STEP_ID, NOTIFICATION_STEP_ID } from '../../../lambda/notify/publish-step';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * A response with a chat topic: the email goes to the email topic, the same
 * notification as AWS Chatbot JSON to the chat topic, each published once.
 * The email is the one that must get through: a chat Publish that fails is
 * in the report and does not fail the invocation.
 */

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const CHAT = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir-chat';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const guardDuty = useGuardDuty();

const published = () => harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

function run(options: { chatTopicArn?: string; config?: ReturnType<typeof enforceConfig> } = {}) {
  guardDuty.holds(containFinding());
  return respond(containFinding(), { config: options.config ?? enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ...(options.chatTopicArn ? { chatTopicArn: options.chatTopicArn } : {}) });
}

beforeEach(() => {
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('a response with a chat topic', () => {
  it('publishes the email to the email topic and the Chatbot JSON of the same document to the chat topic', async () => {
    const config = { ...enforceConfig(), accountNames: { [containFinding().accountId!]: 'prod-web' } };
    const report = await run({ chatTopicArn: CHAT, config });
    const [email, chat] = [published().find((p) => p.TopicArn === TOPIC)!, published().find((p) => p.TopicArn === CHAT)!];
    expect(published()).toHaveLength(2);
    const notification = JSON.parse(chat.Message!) as ChatbotNotification;
    expect(notification).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' }, metadata: { threadId: report.incidentId } });
    // The same outcome, severity, resource and account name in both.
    expect(email.Subject).toMatch(/^\[GuardDuty IR DONE\] contain-instance: HIGH 8\.0 i-[0-9a-f]+ .*prod-web\//);
    expect(chat.Subject).toBe(email.Subject);
    expect(notification.metadata.summary).toBe(email.Subject);
    const summary = email.Message!.split('\n').find((l) => l.startsWith('Summary: '))!;
    expect(notification.content.description.split('\n')[0]).toBe(`*Summary:* ${summary.slice('Summary: '.length)}`);
    expect(notification.content.keywords).toEqual(['DONE', 'HIGH', 'contain-instance', 'prod-web', 'us-east-1']);
    expect(report.steps.find((s) => s.id === CHAT_NOTIFICATION_STEP_ID)).toMatchObject({ status: 'done', mutating: false, target: CHAT, detail: 'chat message m-1' });
  });

  it('a chat Publish that fails is in the report, and does not fail the invocation: the email got through', async () => {
    harness.mocks.sns.on(PublishCommand, { TopicArn: CHAT }).rejects(Object.assign(new Error('throttled'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const report = await run({ chatTopicArn: CHAT });
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'done' });
    expect(report.steps.find((s) => s.id === CHAT_NOTIFICATION_STEP_ID)).toMatchObject({ status: 'failed', error: { code: 'Throttling' } });
    expect(shouldFailInvocation(report).retry).toBe(false);
  });

  it('leaves both notification steps out of what the notification reports', () => {
    expect(NOTIFICATION_STEP_IDS).toEqual(new Set([NOTIFICATION_STEP_ID, CHAT_NOTIFICATION_STEP_ID]));
  });

  it('plans no chat step and publishes once when the stack has no chat topic', async () => {
    const report = await run();
    expect(report.steps.map((s) => s.id)).not.toContain(CHAT_NOTIFICATION_STEP_ID);
    expect(published().map((p) => p.TopicArn)).toEqual([TOPIC]);
  });
});
