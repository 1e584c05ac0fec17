import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { ChatbotNotification } from '../../../lambda/notify/chat';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The short notes of a later delivery (REPEAT) and an owed notification
 * (MAY REPEAT) with a chat topic: the email to the email topic and the
 * Chatbot JSON of the same note to the chat topic, each once; an owed chat
 * copy kept in the ledger beside the email, and only while it is owed.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const CHAT = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir-chat';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});
const refused = () => Object.assign(new Error('not authorized'), { name: 'AuthorizationError', $metadata: { httpStatusCode: 403 } });

function ledgerOptions(): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

/** A later delivery, counted 4 times, of a finding the ledger shows answered (and reported at count 1). */
function laterDelivery() {
  const finding = { ...containFinding(), service: { archived: false, resourceRole: 'TARGET', count: 4 } };
  guardDuty.holds(containFinding());
  return respond(finding, { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, chatTopicArn: CHAT, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
}

function givenAnswered(options: { countGrew: boolean; extra?: Record<string, unknown> }): void {
  const record = { respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, notifiedCount: { N: '1' }, ...options.extra };
  dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
    if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
    if (input.ConditionExpression === 'attribute_not_exists(notifiedCount) OR notifiedCount < :count' && !options.countGrew) throw conditionFailed();
    return {};
  });
}

const published = () => harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const to = (topic: string) => published().filter((p) => p.TopicArn === topic);
/** The pending notification the last ledger write set, as DynamoDB got it. */
const lastPending = (): AttributeValue | undefined =>
  dynamodb
    .commandCalls(UpdateItemCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.UpdateExpression === 'SET pendingNotification = :pending')
    .at(-1)?.ExpressionAttributeValues?.[':pending'];

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
});

describe('a REPEAT note with a chat topic', () => {
  it('goes by email and as the Chatbot JSON of the same note to the chat topic, each once', async () => {
    givenAnswered({ countGrew: true });
    const report = await laterDelivery();
    expect(published()).toHaveLength(2);
    const [email] = to(TOPIC);
    const [chat] = to(CHAT);
    const subject = '[GuardDuty IR REPEAT] seen 4 times: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us-east-1';
    expect(email).toEqual({ TopicArn: TOPIC, Subject: subject, Message: expect.any(String) });
    expect(chat).toEqual({ TopicArn: CHAT, Subject: subject, Message: expect.any(String) });
    const note = JSON.parse(chat!.Message!) as ChatbotNotification;
    expect(note).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: ':repeat: REPEAT: HIGH 8.0 seen 4 times i-0a1b2c3d4e5f60718 (web-01)' },
      metadata: { threadId: report.incidentId, summary: subject, eventType: 'GuardDutyIncidentResponseNote' },
    });
    // The same one-line summary first in both.
    const summary = email!.Message!.split('\n')[0]!;
    expect(summary).toBe(
      'Summary: i-0a1b2c3d4e5f60718 (web-01) in 222222222222/us-east-1: CryptoCurrency:EC2/BitcoinTool.B occurred again, seen 4 times now (1 when last reported); nothing new was done',
    );
    expect(note.content.description.split('\n')[0]).toBe(`*Summary:* ${summary.slice('Summary: '.length)}`);
    expect(report.steps.map((s) => [s.id, s.status, s.detail])).toEqual([
      ['notify', 'done', 'count 1 -> 4: message m-1'],
      ['notify-chat', 'done', 'count 1 -> 4 (chat copy): chat message m-1'],
    ]);
  });

  it('nothing new to say: neither copy goes out', async () => {
    givenAnswered({ countGrew: false });
    const report = await laterDelivery();
    expect(published()).toEqual([]);
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([
      ['notify', 'skipped', 'already reported at count 1: nothing new to say'],
      ['notify-chat', 'skipped', 'already reported at count 1: nothing new to say'],
    ]);
  });

  it('neither copy went out: the note is owed, its chat copy with it, each with its MAY REPEAT rendering', async () => {
    givenAnswered({ countGrew: true });
    harness.mocks.sns.on(PublishCommand).rejects(refused());
    await laterDelivery();
    const pending = lastPending()!.M!;
    expect(pending.subject).toEqual({ S: '[GuardDuty IR REPEAT] seen 4 times: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us-east-1' });
    // The mark costs the account's name some characters, never the severity.
    expect(pending.mayRepeatSubject).toEqual({ S: '[MAY REPEAT] [GuardDuty IR REPEAT] seen 4 times: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222...' });
    expect(pending.delivery).toEqual({ S: 'rejected' });
    const chat = pending.chat!.M!;
    expect(chat.delivery).toEqual({ S: 'rejected' });
    expect((JSON.parse(chat.message!.S!) as ChatbotNotification).content.title).toBe(':repeat: REPEAT: HIGH 8.0 seen 4 times i-0a1b2c3d4e5f60718 (web-01)');
    expect((JSON.parse(chat.mayRepeatMessage!.S!) as ChatbotNotification).content.title).toBe(':repeat: MAY REPEAT :repeat: REPEAT: HIGH 8.0 seen 4 times i-0a1b2c3d4e5f60718 (web-01)');
  });

  it('the chat copy went out and the email did not: only the email is owed', async () => {
    givenAnswered({ countGrew: true });
    harness.mocks.sns.on(PublishCommand, { TopicArn: TOPIC }).rejects(refused());
    await laterDelivery();
    const pending = lastPending()!.M!;
    expect(pending.subject?.S).toMatch(/^\[GuardDuty IR REPEAT\] seen 4 times: HIGH 8\.0/);
    expect(pending.chat).toBeUndefined();
  });
});

describe('an owed notification sent again', () => {
  const owedChat = (delivery: 'unknown' | 'rejected') => ({
    M: {
      subject: { S: 'chat subject' },
      message: { S: '{"version":"1.0","owed":true}' },
      mayRepeatSubject: { S: '[MAY REPEAT] chat subject' },
      mayRepeatMessage: { S: '{"version":"1.0","owed":true,"mark":"MAY REPEAT"}' },
      delivery: { S: delivery },
    },
  });

  it('whose delivery is unknown: both copies go out marked MAY REPEAT, with the subjects rendered for it; then it is cleared', async () => {
    const pending = {
      M: {
        subject: { S: 'the original subject' },
        message: { S: 'the original report' },
        mayRepeatSubject: { S: '[MAY REPEAT] the original subject, rendered with the mark' },
        delivery: { S: 'unknown' },
        chat: owedChat('unknown'),
      },
    };
    givenAnswered({ countGrew: false, extra: { pendingNotification: pending } });
    const report = await laterDelivery();
    expect(to(TOPIC)).toEqual([
      { TopicArn: TOPIC, Subject: '[MAY REPEAT] the original subject, rendered with the mark', Message: expect.stringMatching(/^MAY REPEAT: an earlier attempt[^\n]*\n\nthe original report$/) },
    ]);
    expect(to(CHAT)).toEqual([{ TopicArn: CHAT, Subject: '[MAY REPEAT] chat subject', Message: '{"version":"1.0","owed":true,"mark":"MAY REPEAT"}' }]);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ['notify', 'done'],
      ['notify-chat', 'done'],
    ]);
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).at(-1)).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${report.incidentId}` } },
      UpdateExpression: 'REMOVE pendingNotification',
    });
  });

  it('refused before: both copies go out as they were', async () => {
    const pending = { M: { subject: { S: 'the original subject' }, message: { S: 'the original report' }, chat: owedChat('rejected') } };
    givenAnswered({ countGrew: false, extra: { pendingNotification: pending } });
    await laterDelivery();
    expect(published()).toEqual([
      { TopicArn: TOPIC, Subject: 'the original subject', Message: 'the original report' },
      { TopicArn: CHAT, Subject: 'chat subject', Message: '{"version":"1.0","owed":true}' },
    ]);
  });

  it('kept before chat copies were (an older item): the email goes out, the chat step says why it sends nothing', async () => {
    const pending = { M: { subject: { S: 'the original subject' }, message: { S: 'the original report' }, delivery: { S: 'unknown' } } };
    givenAnswered({ countGrew: false, extra: { pendingNotification: pending } });
    const report = await laterDelivery();
    expect(published()).toEqual([{ TopicArn: TOPIC, Subject: '[MAY REPEAT] the original subject', Message: expect.stringContaining('\n\nthe original report') }]);
    expect(report.steps.find((s) => s.id === 'notify-chat')).toMatchObject({
      status: 'skipped',
      reason: 'the chat copy of the notification an earlier delivery could not send is not owed: it went out then, or it was kept before chat copies were',
    });
  });

  it('failing again: the email stays owed, and the chat copy only if it failed again too', async () => {
    const pending = { M: { subject: { S: 'the original subject' }, message: { S: 'the original report' }, chat: owedChat('rejected') } };
    givenAnswered({ countGrew: false, extra: { pendingNotification: pending } });
    harness.mocks.sns.on(PublishCommand, { TopicArn: TOPIC }).rejects(refused());
    await laterDelivery();
    expect(lastPending()).toEqual({ M: { subject: { S: 'the original subject' }, message: { S: 'the original report' }, delivery: { S: 'rejected' } } });
  });
});

describe('the first delivery, its notification refused', () => {
  it('keeps the chat copy with the email when the chat step failed too', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    harness.mocks.sns.on(PublishCommand).rejects(refused());
    guardDuty.holds(containFinding());
    await respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, chatTopicArn: CHAT, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
    const outcome = dynamodb
      .commandCalls(UpdateItemCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.ConditionExpression === 'claimToken = :token')!;
    const pending = outcome.ExpressionAttributeValues![':pending']!.M!;
    expect(pending.subject!.S).toMatch(/^\[GuardDuty IR DONE\] contain-instance: HIGH 8\.0 /);
    expect(pending.mayRepeatSubject!.S).toMatch(/^\[MAY REPEAT\] \[GuardDuty IR DONE\] contain-instance: HIGH 8\.0 /);
    const chat = JSON.parse(pending.chat!.M!.message!.S!) as ChatbotNotification;
    expect(chat).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    const marked = JSON.parse(pending.chat!.M!.mayRepeatMessage!.S!) as ChatbotNotification;
    expect(marked.content.title).toBe(`:repeat: MAY REPEAT ${chat.content.title}`);
    expect(marked.content.description.split('\n')[0]).toMatch(/^\*MAY REPEAT: /);
    expect(marked.metadata.summary).toBe(pending.mayRepeatSubject!.S);
  });
});
