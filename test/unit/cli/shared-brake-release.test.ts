import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brakeCommands, formatBrakeAnnouncement } from '../../../lambda/notify/brake-announcement';
import { runIr } from '../../support/run-ir';

/*
 * A brake shared by every regional stack (blastRadius.homeRegion) latches
 * from any region; the LATCHED announcement goes to that region's topic and
 * names the home region, the brake table and the commands. Those commands,
 * as printed, reach the home region's brake table: with the deployment's
 * configuration from any --region, and without it (--region and --table
 * as the announcement names them). Mocked CloudFormation, DynamoDB, SNS, STS.
 */

const cfn = mockClient(CloudFormationClient);
const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const HOME_BUCKET = 'guardduty-ir-evidence-111111111111-eu-west-1';
const tmp = mkdtempSync(join(tmpdir(), 'ir-shared-brake-'));
const sharedConfig = join(tmp, 'shared.json');
writeFileSync(sharedConfig, JSON.stringify({ regions: ['eu-west-1', 'us-east-1'], blastRadius: { homeRegion: 'eu-west-1', maxContainmentsPerHour: 3 } }));
const plainConfig = join(tmp, 'plain.json');
writeFileSync(plainConfig, JSON.stringify({ regions: ['eu-west-1', 'us-east-1'], blastRadius: { maxContainmentsPerHour: 3 } }));

const BRAKE_TABLE = 'GuardDutyIncidentResponse-blast-radius-brake';
const HOME_TOPIC = 'arn:aws:sns:eu-west-1:111111111111:ir-topic-home';
const OPERATOR = 'arn:aws:sts::111111111111:assumed-role/SecurityTeam/alice';
const latchItem = {
  pk: { S: 'brake#latch' },
  engagementId: { S: 'eng-1' },
  engagedAt: { S: '2026-12-06T04:00:00.000Z' },
  incidentId: { S: 'ir-flood-9' },
  findingId: { S: 'f-flood-9' },
  playbook: { S: 'contain-instance' },
  limit: { N: '3' },
  reason: { S: '3 containments started within an hour (blastRadius.maxContainmentsPerHour) and contain-instance asked for one more (incident ir-flood-9)' },
};
const regionOf = (client: unknown) => (client as { config: { region: () => Promise<string> } }).config.region();

const announcement = formatBrakeAnnouncement(
  { engagementId: 'eng-1', engagedAt: '2026-12-06T04:00:00.000Z', incidentId: 'ir-flood-9', findingId: 'f-flood-9', playbook: 'contain-instance', limit: 3, reason: 'three containments' },
  { ledgerTable: BRAKE_TABLE, region: 'eu-west-1', shared: true, engagedIn: 'us-east-1' },
);

beforeEach(() => {
  for (const mock of [cfn, dynamodb, sns, sts, s3]) mock.reset();
  process.env.NO_COLOR = '1';
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'GuardDutyIncidentResponse-eu-west-1',
        CreationTime: new Date(0),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'IncidentLedgerTableName', OutputValue: 'ledger-eu-west-1' },
          { OutputKey: 'BlastRadiusBrakeTableName', OutputValue: BRAKE_TABLE },
          { OutputKey: 'NotificationTopicArn', OutputValue: HOME_TOPIC },
          { OutputKey: 'EvidenceBucketName', OutputValue: HOME_BUCKET },
        ],
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR, Account: '111111111111' });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v-1' });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  dynamodb.on(GetItemCommand, { Key: { pk: { S: 'brake#latch' } } }).resolves({ Item: latchItem });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [BRAKE_TABLE]: [] } });
  dynamodb.on(TransactWriteItemsCommand).resolves({});
});

afterAll(() => {
  for (const mock of [cfn, dynamodb, sns, sts, s3]) mock.restore();
});

describe('the LATCHED announcement of a shared brake', () => {
  it('names the home region, the brake table, the region that latched it, and the commands that reach it', () => {
    expect(announcement.subject).toBe('[GuardDuty IR BRAKE LATCHED] no containments in any region (home eu-west-1): contain-instance');
    expect(announcement.message).toContain(
      `This brake is SHARED by every regional stack (blastRadius.homeRegion): it is held in the home region eu-west-1, table ${BRAKE_TABLE}, and was latched by a response in us-east-1.`,
    );
    expect(brakeCommands({ ledgerTable: BRAKE_TABLE, region: 'eu-west-1', shared: true })).toEqual({
      status: `ir brake status --region eu-west-1 --table ${BRAKE_TABLE}`,
      release: `ir brake release --region eu-west-1 --table ${BRAKE_TABLE} --reason "<why>"`,
    });
    expect(announcement.message).toContain(`Check what was contained: ir brake status --region eu-west-1 --table ${BRAKE_TABLE}`);
    expect(announcement.message).toContain(`When it is understood, release it: ir brake release --region eu-west-1 --table ${BRAKE_TABLE} --reason "<why>"`);
  });
});

describe('ir brake release of a shared brake', () => {
  async function expectReleasedAtHome(run: Awaited<ReturnType<typeof runIr>>): Promise<void> {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [transaction] = dynamodb.commandCalls(TransactWriteItemsCommand);
    expect(transaction!.args[0].input.TransactItems!.map((item) => item.Delete?.TableName ?? item.Put?.TableName)).toEqual([BRAKE_TABLE, BRAKE_TABLE]);
    expect(await regionOf(transaction!.thisValue)).toBe('eu-west-1');
    const [published] = sns.commandCalls(PublishCommand);
    expect(published!.args[0].input.TopicArn).toBe(HOME_TOPIC);
    // Its record in the home region's evidence bucket, under the home region's brake folder.
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put!.args[0].input).toMatchObject({ Bucket: HOME_BUCKET, Key: expect.stringMatching(/^incidents\/brake\/eu-west-1\/eng-1\/[^/]+-release\.json$/) });
    expect(await regionOf(put!.thisValue)).toBe('eu-west-1');
  }

  it('with the deployment configuration, from another --region: the home region’s brake table, announced on the home topic', async () => {
    await expectReleasedAtHome(await runIr('brake', 'release', '--config', sharedConfig, '--region', 'us-east-1', '--reason', 'scanner flood, INC-1'));
  });

  it('as the announcement prints it, even with a configuration that does not know the brake is shared', async () => {
    await expectReleasedAtHome(await runIr('brake', 'release', '--config', plainConfig, '--region', 'eu-west-1', '--table', BRAKE_TABLE, '--reason', 'scanner flood, INC-1'));
  });

  it('ir brake status as printed reads the home region’s brake table', async () => {
    const run = await runIr('brake', 'status', '--config', plainConfig, '--region', 'eu-west-1', '--table', BRAKE_TABLE, '--json');
    expect(run.code).toBe(0);
    const read = dynamodb.commandCalls(GetItemCommand)[0]!;
    expect(read.args[0].input.TableName).toBe(BRAKE_TABLE);
    expect(await regionOf(read.thisValue)).toBe('eu-west-1');
    expect(JSON.parse(run.stdout)).toMatchObject([{ table: BRAKE_TABLE, region: 'eu-west-1', latched: { engagementId: 'eng-1' } }]);
  });
});
