import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { ledgerOptionsFor } from '../../../lambda/runtime/ledger-options';

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
  expect(Subject).toBe('[GuardDuty IR BRAKE LATCHED] no containments in any region until released (home eu-west-1)');
  expect(Message).toContain(`held in the home region eu-west-1, table ${BRAKE_TABLE}, and was latched by a response in us-east-1`);
  expect(Message).toContain(`ir brake release --region eu-west-1 --table ${BRAKE_TABLE} --reason "<why>"`);
});
