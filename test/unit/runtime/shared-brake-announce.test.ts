import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import type { ChatbotNotification } from '../../../lambda/notify/chat';
import { ledgerOptionsFor } from '../../../lambda/runtime/ledger-options';
import { containFinding } from '../../support/aws-mocks/contain-finding';

/*
 * A shared brake (blastRadius.homeRegion eu-west-1) latched by a response in
 * us-east-1: the LATCHED announcement is published once, on us-east-1's own
 * topic (through that region's SNS client), and names the home region, the
 * shared table and the commands that reach it there.
 */

const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const access = new AccountAccess({
  home: async () => ({ accountId: '111111111111', partition: 'aws' }),
  memberRoleName: 'IncidentResponseMemberRole',
  clientClasses: EVERY_CLIENT,
  base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
});
const regionOf = (client: unknown) => (client as { config: { region: () => Promise<string> } }).config.region();
const BRAKE_TABLE = 'GuardDutyIncidentResponse-blast-radius-brake';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-topic-us-east-1';

beforeEach(() => {
  dynamodb.reset();
  sns.reset();
});

afterAll(() => {
  dynamodb.restore();
  sns.restore();
});

it('is published on the engaging region’s topic and names the home region, the table and the release command', async () => {
  dynamodb.on(PutItemCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-latched' });
  const options = ledgerOptionsFor({
    tableName: 'ledger-us-east-1',
    region: 'us-east-1',
    access,
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', blastRadius: { maxContainmentsPerHour: 2, homeRegion: 'eu-west-1' } },
    dryRunRequested: false,
    context: { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f', getRemainingTimeInMillis: () => 50_000 },
    playbook: 'contain-instance',
    brakeTableName: BRAKE_TABLE,
    topicArn: TOPIC,
  })!;
  const engagement = await options.brake.engage({ status: 'full', limit: 2, freesAt: undefined, latch: undefined }, { incidentId: 'ir-9', findingId: 'f-9', playbook: 'contain-instance' });
  expect(engagement).toMatchObject({ status: 'latched', engagedNow: true, announcement: { status: 'sent' } });
  // The latch itself is written to the shared table, in the home region.
  const put = dynamodb.commandCalls(PutItemCommand)[0]!;
  expect(put.args[0].input.TableName).toBe(BRAKE_TABLE);
  expect(await regionOf(put.thisValue)).toBe('eu-west-1');
  const published = sns.commandCalls(PublishCommand);
  expect(published).toHaveLength(1);
  expect(await regionOf(published[0]!.thisValue)).toBe('us-east-1');
  const { TopicArn, Subject, Message } = published[0]!.args[0].input;
  expect(TopicArn).toBe(TOPIC);
  expect(Subject).toBe('[GuardDuty IR BRAKE LATCHED] no containments in any region (home eu-west-1): contain-instance');
  expect(Message).toContain(`held in the home region eu-west-1, table ${BRAKE_TABLE}, and was latched by a response in us-east-1`);
  expect(Message).toContain(`ir brake release --region eu-west-1 --table ${BRAKE_TABLE} --reason "<why>"`);
});

it('with the finding that engaged it and a chat topic: names its severity, resource and account, and goes to both topics, once each', async () => {
  dynamodb.on(PutItemCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-latched' });
  const CHAT = 'arn:aws:sns:us-east-1:111111111111:ir-chat-us-east-1';
  const finding = containFinding();
  const options = ledgerOptionsFor({
    tableName: 'ledger-us-east-1',
    region: 'us-east-1',
    access,
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', blastRadius: { maxContainmentsPerHour: 2, homeRegion: 'eu-west-1' }, accountNames: { [finding.accountId!]: 'prod-web' } },
    dryRunRequested: false,
    context: { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f', getRemainingTimeInMillis: () => 50_000 },
    playbook: 'contain-instance',
    brakeTableName: BRAKE_TABLE,
    topicArn: TOPIC,
    chatTopicArn: CHAT,
    finding,
  })!;
  const engagement = await options.brake.engage({ status: 'full', limit: 2, freesAt: undefined, latch: undefined }, { incidentId: 'ir-9', findingId: finding.id, playbook: 'contain-instance' });
  expect(engagement).toMatchObject({ announcement: { status: 'sent', detail: 'message m-latched; chat message m-latched' } });
  const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  const subject = '[GuardDuty IR BRAKE LATCHED] no containments in any region (home eu-west-1): HIGH 8.0 i-0a1b2c3d...';
  expect(published).toEqual([
    { TopicArn: TOPIC, Subject: subject, Message: expect.any(String) },
    { TopicArn: CHAT, Subject: subject, Message: expect.any(String) },
  ]);
  expect(published[0]!.Message!.split('\n')[0]).toMatch(/^Summary: Blast-radius brake latched at [0-9T:.-]+Z: no containments in any region \(home eu-west-1\) until an operator releases it \(/);
  expect(published[0]!.Message).toContain(`  Check what was contained: ir brake status --region eu-west-1 --table ${BRAKE_TABLE}`);
  expect(published[0]!.Message).toContain('  Account: prod-web (222222222222), region us-east-1');
  const chat = JSON.parse(published[1]!.Message!) as ChatbotNotification;
  expect(chat).toMatchObject({
    version: '1.0',
    source: 'custom',
    content: { textType: 'client-markdown', title: ':octagonal_sign: BRAKE LATCHED: HIGH 8.0 no containments in any region (home eu-west-1) i-0a1b2c3d4e5f60718 (web-01)' },
    metadata: { summary: subject },
  });
  // The exact commands, in code spans the finding cannot end.
  expect(chat.content.description).toContain(`Check what was contained: \`ir brake status --region eu-west-1 --table ${BRAKE_TABLE}\``);
  expect(chat.content.description).toContain(`When it is understood, release it: \`ir brake release --region eu-west-1 --table ${BRAKE_TABLE} --reason "&lt;why&gt;"\``);
});

it('a chat copy that could not go out is said in the announcement detail; the email went out', async () => {
  dynamodb.on(PutItemCommand).resolves({});
  const CHAT = 'arn:aws:sns:us-east-1:111111111111:ir-chat-us-east-1';
  sns.on(PublishCommand, { TopicArn: TOPIC }).resolves({ MessageId: 'm-latched' });
  sns.on(PublishCommand, { TopicArn: CHAT }).rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationError', $metadata: { httpStatusCode: 403 } }));
  const options = ledgerOptionsFor({
    tableName: 'ledger-us-east-1',
    region: 'us-east-1',
    access,
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', blastRadius: { maxContainmentsPerHour: 2, homeRegion: 'eu-west-1' } },
    dryRunRequested: false,
    context: { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f', getRemainingTimeInMillis: () => 50_000 },
    playbook: 'contain-instance',
    brakeTableName: BRAKE_TABLE,
    topicArn: TOPIC,
    chatTopicArn: CHAT,
  })!;
  const engagement = await options.brake.engage({ status: 'full', limit: 2, freesAt: undefined, latch: undefined }, { incidentId: 'ir-9', findingId: 'f-9', playbook: 'contain-instance' });
  expect(engagement).toMatchObject({ announcement: { status: 'sent', detail: 'message m-latched; chat copy NOT sent (AuthorizationError: not authorized)' } });
  expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([TOPIC, CHAT]);
});
