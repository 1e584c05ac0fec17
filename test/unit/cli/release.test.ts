import {
  callsOf,
  INCIDENT_TAGS,
  INSTANCE_ID,
  PRIMARY_ENI,
  PRIMARY_GROUPS,
  READ_ONLY_COMMANDS,
  SECONDARY_ENI,
  SNAPSHOTS,
  useReleaseWorld,
} from '../../support/aws-mocks/release-world';
import { runIr } from '../../support/run-ir';
import { CHAT_OUTPUT, DEPLOYED, deployedOutputs, useDeployedStack } from '../../support/aws-mocks/deployed-stack';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

const h = useReleaseWorld();
// No stack deployed unless a test says so: a release then needs --from-tags --no-notify to go without a trail.
const stack = useDeployedStack();
beforeEach(() => stack.deployed(undefined));
afterAll(() => stack.mock.restore());
const mutatingCalls = () => h.world.log.filter((c) => !READ_ONLY_COMMANDS.includes(c.command));

beforeEach(() => {
  process.env.NO_COLOR = '1';
});

describe('ir release', () => {
  it('restores the instance and prints the report as JSON, exit 0', async () => {
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--no-notify', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [report] = JSON.parse(run.stdout);
    expect(report).toMatchObject({ instanceId: INSTANCE_ID, region: 'us-east-1', dryRun: false, refused: null, snapshotsKept: SNAPSHOTS, summary: { done: 4, failed: 0 } });
    expect(callsOf(h.world, 'ModifyNetworkInterfaceAttribute')[0]).toEqual({ NetworkInterfaceId: PRIMARY_ENI, Groups: PRIMARY_GROUPS });
    expect(callsOf(h.world, 'DeleteTags')).toEqual([{ Resources: [INSTANCE_ID], Tags: Object.keys(INCIDENT_TAGS).sort().map((Key) => ({ Key })) }]);
  });

  it('with --dry-run sends no mutating call and exits 0', async () => {
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--no-notify', '--dry-run', '--json');
    expect(run.code).toBe(0);
    expect(mutatingCalls()).toEqual([]);
    expect(JSON.parse(run.stdout)).toMatchObject([{ dryRun: true, blockedBy: ['dry-run'], summary: { done: 0, skipped: 4, failed: 0 } }]);
  });

  it('refuses an instance without a record: exit 1, one line on stderr, the report on stdout, nothing changed', async () => {
    h.world.tags = { Name: 'web-01' };
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--no-notify', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ir: release refused: instance i-0123456789abcdef0 carries no record of a containment/)]);
    expect(JSON.parse(run.stdout)).toMatchObject([{ refused: expect.stringContaining('nothing was changed'), steps: [] }]);
    expect(mutatingCalls()).toEqual([]);
  });

  it('exits 1 when a step failed', async () => {
    h.world.failures.set('ModifyNetworkInterfaceAttribute', Object.assign(new Error('no such group'), { name: 'InvalidGroup.NotFound' }));
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--no-notify', '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)[0].steps[0]).toMatchObject({ status: 'failed', error: { code: 'InvalidGroup.NotFound' } });
  });

  it('prints a readable report without --json', async () => {
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--no-notify', '--dry-run');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([`release ${INSTANCE_ID}  region us-east-1`, '  mode    DRY-RUN (no change made)']);
    expect(lines).toContain(`    ${PRIMARY_ENI}: ${PRIMARY_GROUPS.join(' ')}`);
    expect(run.stdout).toContain(`   1. skipped Put ${PRIMARY_ENI} back on ${PRIMARY_GROUPS.join(', ')} [ec2:ModifyNetworkInterfaceAttribute → ${PRIMARY_ENI}]: blocked by dry-run`);
    expect(run.stdout).toContain(`Put ${SECONDARY_ENI} back on`);
    expect(run.stdout).toContain(`Evidence snapshots are kept: ${SNAPSHOTS.join(', ')}`);
    expect(run.stdout).toContain('  result  0 done, 4 skipped, 0 failed');
  });

  it.each([['i-zz'], ['sg-0123456789abcdef0'], ['i-0123']])('exits 2 for %s, which is not an instance id, and calls nothing', async (id) => {
    const run = await runIr('release', id, '--region', 'us-east-1');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`ir: not an EC2 instance id: ${id} (expected i- and 8 or 17 hex digits)\n`);
    expect(h.world.log).toEqual([]);
  });

  it.each([
    [['release', INSTANCE_ID, '--region', 'us-east-1', '--only', 'groups,everything'], 'ir: --only: "everything" is not one of groups, profile, asg, target-groups, termination-protection\n'],
    [['release', '--access-key', 'AKIA2EXAMPLEKEY00001', '--region', 'us-east-1'], 'ir: stack GuardDutyIncidentResponse does not exist in us-east-1: a release is recorded in its ledger and announced on its topic (pass --stack and --region of the deployed stack, or --ledger-table and --topic-arn; --from-tags --no-notify releases from the tags alone, leaving no trail)\n'],
    [['release', INSTANCE_ID, '--access-key', 'AKIA2EXAMPLEKEY00001', '--region', 'us-east-1'], 'ir: name one thing to release: an instance id, --access-key, --function, --bucket, --object, --database or --image, not several\n'],
    [['release', '--access-key', 'sg-0123', '--region', 'us-east-1', '--ledger-table', 't'], 'ir: not an access key id: sg-0123 (expected AKIA or ASIA and 12 or more letters and digits)\n'],
    [['release', '--region', 'us-east-1'], 'ir: name what to release: an instance id, --access-key, --function, --bucket, --object, --database or --image\n'],
    [['release', '--function', 'orders;rm', '--region', 'us-east-1', '--ledger-table', 't'], 'ir: not a Lambda function name: orders;rm (letters, digits, - and _, at most 64)\n'],
    [['release', INSTANCE_ID, '--function', 'orders-webhook', '--region', 'us-east-1'], 'ir: name one thing to release: an instance id, --access-key, --function, --bucket, --object, --database or --image, not several\n'],
    [['release', '--function', 'orders-webhook', '--only', 'groups', '--region', 'us-east-1'], 'ir: --only, --from-tags and --principal do not apply to a function release\n'],
    [['release', '--object', 'uploads-prod', '--region', 'us-east-1', '--ledger-table', 't'], 'ir: --object: uploads-prod is not <bucket>/<key>\n'],
    [['release', '--object', 'uploads-prod/a.exe', '--version-id', 'v 1', '--region', 'us-east-1', '--ledger-table', 't'], 'ir: --version-id: v 1 is not an S3 version id\n'],
    [['release', INSTANCE_ID, '--version-id', 'v1', '--region', 'us-east-1'], 'ir: --version-id goes with --object\n'],
  ])('exits 2 for bad release options (%j), and calls nothing', async (args, stderr) => {
    const saved = process.env.IR_LEDGER_TABLE;
    delete process.env.IR_LEDGER_TABLE;
    try {
      const run = await runIr(...args);
      expect([run.code, run.stderr]).toEqual([2, stderr]);
      expect(h.world.log).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.IR_LEDGER_TABLE = saved;
    }
  });

  it('--stack reads the ledger table and topic from the stack outputs, and the ledger first: no record there, refused (exit 1)', async () => {
    const cloudFormation = stack.mock;
    const dynamodb = mockClient(DynamoDBClient);
    const sts = mockClient(STSClient);
    try {
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'GuardDutyIncidentResponse',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'IncidentLedgerTableName', OutputValue: 'ledger-from-stack' },
              { OutputKey: 'NotificationTopicArn', OutputValue: 'arn:aws:sns:us-east-1:111122223333:ir' },
              { OutputKey: 'EvidenceBucketName', OutputValue: 'evidence-from-stack' },
            ],
          },
        ],
      });
      sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/alice' });
      dynamodb.on(GetItemCommand).resolves({});
      const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--stack', 'GuardDutyIncidentResponse', '--json');
      expect(run.code).toBe(1);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'GuardDutyIncidentResponse' });
      expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({ TableName: 'ledger-from-stack', Key: { pk: { S: `restore#111122223333#us-east-1#${INSTANCE_ID}` } } });
      expect(run.stderr).toMatch(/^ir: release refused: the ledger ledger-from-stack holds no restore record of/);
      expect(mutatingCalls()).toEqual([]);
    } finally {
      [dynamodb, sts].forEach((mock) => mock.restore());
    }
  });

  it('without a stack, and without --from-tags --no-notify, exits 2 naming the stack: no release without its trail', async () => {
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--json');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ir: stack GuardDutyIncidentResponse does not exist in us-east-1: a release is recorded in its ledger and announced on its topic/);
    expect(h.world.log).toEqual([]);
  });

  it('a stack without a topic output: exit 2 naming the output and --no-notify, unless --no-notify is given', async () => {
    stack.deployed(deployedOutputs(undefined, ['NotificationTopicArn']));
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--json');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'ir: stack GuardDutyIncidentResponse in us-east-1 has no output NotificationTopicArn: a release is recorded in the ledger and announced on the topic (or pass --ledger-table / --topic-arn; --no-notify to tell no one)\n',
    );
    expect(h.world.log).toEqual([]);
  });

  it('exits 2 when no region is given or configured', async () => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const run = await runIr('release', INSTANCE_ID);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`ir: instance ${INSTANCE_ID} names no region: pass --region\n`);
      expect(h.world.log).toEqual([]);
    } finally {
      process.env.AWS_REGION = saved;
    }
  });

  it('shows examples in --help', async () => {
    const run = await runIr('release', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--dry-run');
  });
});

describe('ir release through the deployed stack: ledger, evidence bucket, topic and chat topic', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const sts = mockClient(STSClient);
  const sns = mockClient(SNSClient);
  const s3 = mockClient(S3Client);
  const OPERATOR = 'arn:aws:sts::111122223333:assumed-role/SecurityTeam/alice';
  beforeEach(() => {
    for (const mock of [dynamodb, sts, sns, s3]) mock.reset();
    stack.deployed([...deployedOutputs(undefined), CHAT_OUTPUT]);
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333', Arn: OPERATOR });
    // No restore record in the ledger: --from-tags restores from the tags, and the release creates the record.
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(UpdateItemCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-1' });
  });
  afterAll(() => [dynamodb, sts, sns, s3].forEach((mock) => mock.restore()));

  it("keeps the record in the stack's bucket under its key, and publishes the note on the topic and the chat topic: exit 0", async () => {
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--json');
    expect([run.code, run.stderr]).toEqual([0, '']);
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect({ ...put, Body: undefined }).toEqual({
      Bucket: DEPLOYED.evidenceBucket,
      Key: expect.stringMatching(new RegExp(`^incidents/111122223333/us-east-1/no-incident/${INSTANCE_ID}/releases/\\d{4}-\\d\\d-\\d\\dT\\d{6}\\.\\d{3}Z-release\\.json$`)),
      ContentType: 'application/json; charset=utf-8',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: DEPLOYED.evidenceKeyArn,
      ChecksumAlgorithm: 'SHA256',
      Body: undefined,
    });
    expect(JSON.parse(String(put!.Body))).toMatchObject({ kind: 'instance-release', releasedBy: OPERATOR, accountId: '111122223333', restoreRecord: null, release: { recordSource: 'tags' } });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TopicArn).sort()).toEqual([DEPLOYED.chatTopicArn, DEPLOYED.topicArn].sort());
    const [report] = JSON.parse(run.stdout);
    expect(report).toMatchObject({ evidence: { status: 'done' }, notification: { status: 'sent', topicArn: DEPLOYED.topicArn }, chatNotification: { status: 'sent', topicArn: DEPLOYED.chatTopicArn } });
  });

  it('a record that could not be kept: exit 3 (the release stands, its evidence is short)', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--json');
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject([{ summary: { failed: 0 }, evidence: { status: 'failed', error: { code: 'AccessDenied' } } }]);
  });

  it('a stack without the evidence bucket output: exit 2 naming it, nothing done; a --dry-run does without it', async () => {
    stack.deployed(deployedOutputs(undefined, ['EvidenceBucketName']));
    const run = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--json');
    expect([run.code, run.stderr]).toEqual([2, 'ir: stack GuardDutyIncidentResponse in us-east-1 has no output EvidenceBucketName: a release keeps its record in the evidence bucket, as the Lambda keeps its evidence\n']);
    expect(h.world.log).toEqual([]);
    const dry = await runIr('release', INSTANCE_ID, '--region', 'us-east-1', '--from-tags', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject([{ evidence: { status: 'skipped', reason: 'dry-run: nothing is recorded', target: '(no evidence kept)' } }]);
  });
});
