import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIr } from '../../support/run-ir';

/*
 * `ir brake status` and `ir brake release` against mocked CloudFormation,
 * DynamoDB, SNS and STS: the exact reads, the one transaction that clears
 * the latch and records the release, the announcement, and every exit path.
 */

const cfn = mockClient(CloudFormationClient);
const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const tmp = mkdtempSync(join(tmpdir(), 'ir-brake-'));
const config = join(tmp, 'limit-3.json');
writeFileSync(config, JSON.stringify({ blastRadius: { maxContainmentsPerHour: 3 } }));

const TABLE = 'GuardDutyIncidentResponse-IncidentLedgerTable-ABC';
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:ir-topic';
const OPERATOR = 'arn:aws:sts::111111111111:assumed-role/SecurityTeam/alice';
const BUCKET = 'guardduty-ir-evidence-111111111111-eu-west-1';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const CHAT_TOPIC = 'arn:aws:sns:eu-west-1:111111111111:ir-chat';
const EVIDENCE_OUTPUTS = [
  { OutputKey: 'EvidenceBucketName', OutputValue: BUCKET },
  { OutputKey: 'EvidenceKeyArn', OutputValue: KEY_ARN },
];
const minutesAgo = (minutes: number) => Date.now() - minutes * 60_000;

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
const slot = (index: number, reservedAt: number) => ({
  pk: { S: `brake#slot#${String(index).padStart(3, '0')}` },
  reservedAt: { N: String(reservedAt) },
  reservationId: { S: `r-${index}` },
  incidentId: { S: `ir-${index}` },
  findingId: { S: `f-${index}` },
  playbook: { S: 'contain-instance' },
});

function brakeHolds(latched: boolean, slots = [slot(0, minutesAgo(50)), slot(2, minutesAgo(10)), slot(1, minutesAgo(90))]): void {
  dynamodb.on(GetItemCommand, { Key: { pk: { S: 'brake#latch' } } }).resolves(latched ? { Item: latchItem } : {});
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: slots } });
}

const release = (...extra: string[]) => runIr('brake', 'release', '--config', config, '--region', 'eu-west-1', ...extra);
const writes = () => [...dynamodb.commandCalls(TransactWriteItemsCommand), ...sns.commandCalls(PublishCommand)];

beforeEach(() => {
  for (const mock of [cfn, dynamodb, sns, sts, s3]) mock.reset();
  process.env.NO_COLOR = '1';
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'GuardDutyIncidentResponse',
        CreationTime: new Date(0),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'IncidentLedgerTableName', OutputValue: TABLE },
          { OutputKey: 'NotificationTopicArn', OutputValue: TOPIC },
          ...EVIDENCE_OUTPUTS,
        ],
      },
    ],
  });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v-1' });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR, Account: '111111111111' });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  dynamodb.on(TransactWriteItemsCommand).resolves({});
});

afterAll(() => {
  for (const mock of [cfn, dynamodb, sns, sts, s3]) mock.restore();
});

describe('ir brake status', () => {
  it('reads the latch and every slot key strongly consistent from the stack’s ledger table, and lists the slots of the hour', async () => {
    brakeHolds(true);
    const run = await runIr('brake', 'status', '--config', config, '--region', 'eu-west-1');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'GuardDutyIncidentResponse' }]);
    expect(dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([{ TableName: TABLE, Key: { pk: { S: 'brake#latch' } }, ConsistentRead: true }]);
    const batch = dynamodb.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems![TABLE]!;
    expect(batch.ConsistentRead).toBe(true);
    expect(batch.Keys).toHaveLength(100);
    expect(batch.Keys![99]).toEqual({ pk: { S: 'brake#slot#099' } });
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe('  state   LATCHED since 2026-12-06T04:00:00.000Z: no containment starts until it is released (ir brake release --reason "<why>")');
    expect(lines[2]).toContain('asked for one more (incident ir-flood-9)');
    expect(lines[3]).toBe('  by      finding f-flood-9 (contain-instance, incident ir-flood-9)');
    expect(lines[4]).toBe('  slots   2 of 3 held within the rolling hour');
    // Oldest first; the slot reserved 90 minutes ago has aged out and is not listed.
    expect(lines[5]).toMatch(/^ {4}#000 {2}\S+ {2}contain-instance {2}incident ir-0 {2}finding f-0 {2}ages out /);
    expect(lines[6]).toMatch(/^ {4}#002 .*incident ir-2 {2}finding f-2/);
    expect(lines).toHaveLength(8);
    expect(writes()).toHaveLength(0);
  });

  it('--json: the latch and the held slots', async () => {
    brakeHolds(false);
    const run = await runIr('brake', 'status', '--config', config, '--region', 'eu-west-1', '--json');
    const parsed = JSON.parse(run.stdout) as { latched?: unknown }[];
    expect(parsed).toHaveLength(1);
    const state = parsed[0]!;
    expect(state).toMatchObject({ table: TABLE, region: 'eu-west-1', limit: 3, held: [{ slot: 0, incidentId: 'ir-0', findingId: 'f-0', playbook: 'contain-instance' }, { slot: 2 }] });
    expect(state.latched).toBeUndefined();
  });

  it('a shared brake (blastRadius.homeRegion) is read from the home region’s stack and its brake table, whatever --region says', async () => {
    const shared = join(tmp, 'shared.json');
    writeFileSync(shared, JSON.stringify({ regions: ['eu-west-1', 'us-east-1'], blastRadius: { homeRegion: 'eu-west-1' } }));
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'GuardDutyIncidentResponse-eu-west-1',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'IncidentLedgerTableName', OutputValue: TABLE },
            { OutputKey: 'BlastRadiusBrakeTableName', OutputValue: 'GuardDutyIncidentResponse-blast-radius-brake' },
            { OutputKey: 'NotificationTopicArn', OutputValue: TOPIC },
          ],
        },
      ],
    });
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: {} });
    const run = await runIr('brake', 'status', '--config', shared, '--region', 'us-east-1', '--json');
    expect(run.code).toBe(0);
    const regionOf = (client: unknown) => (client as { config: { region: () => Promise<string> } }).config.region();
    const describe = cfn.commandCalls(DescribeStacksCommand)[0]!;
    expect(describe.args[0].input).toEqual({ StackName: 'GuardDutyIncidentResponse-eu-west-1' });
    expect(await regionOf(describe.thisValue)).toBe('eu-west-1');
    const read = dynamodb.commandCalls(GetItemCommand)[0]!;
    expect(read.args[0].input.TableName).toBe('GuardDutyIncidentResponse-blast-radius-brake');
    expect(await regionOf(read.thisValue)).toBe('eu-west-1');
    expect(JSON.parse(run.stdout)).toMatchObject([{ table: 'GuardDutyIncidentResponse-blast-radius-brake', region: 'eu-west-1' }]);
  });

  it('a stack without the ledger output is bad input: exit 2, nothing read', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    const run = await runIr('brake', 'status', '--config', config, '--region', 'eu-west-1');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ir: stack GuardDutyIncidentResponse in eu-west-1 has no output IncidentLedgerTableName\n');
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('ir brake release', () => {
  it.each([
    ['no --reason', [], 'ir: ir brake release needs --reason "<why>": the release is recorded and announced with it'],
    ['a blank reason', ['--reason', ' '], 'ir: --reason must say why the brake is released (at least 3 characters)'],
    ['a reason of two lines', ['--reason', 'ok\nforged line'], 'ir: --reason must be one line of text, without control characters'],
    ['a reason of 501 characters', ['--reason', 'x'.repeat(501)], 'ir: --reason is 501 characters; at most 500'],
  ] as const)('refuses %s: exit 2, no AWS call', async (_label, args, message) => {
    brakeHolds(true);
    const run = await release(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${message}\n`);
    expect([...cfn.calls(), ...dynamodb.calls(), ...sns.calls(), ...sts.calls()]).toHaveLength(0);
  });

  it('clears the latch it read and records who, when and why in one transaction, then announces it on the stack’s topic', async () => {
    brakeHolds(true);
    const run = await release('--reason', 'flood was a scanner, INC-4711', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [transaction] = dynamodb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input);
    const releasedAt = transaction!.TransactItems![1]!.Put!.Item!.releasedAt!.S!;
    expect(transaction).toEqual({
      TransactItems: [
        {
          Delete: {
            TableName: TABLE,
            Key: { pk: { S: 'brake#latch' } },
            ConditionExpression: 'engagementId = :seen',
            ExpressionAttributeValues: { ':seen': { S: 'eng-1' } },
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: {
              pk: { S: 'brake#release#eng-1' },
              kind: { S: 'brake-release' },
              releaseId: { S: expect.any(String) },
              releasedAt: { S: releasedAt },
              releasedBy: { S: OPERATOR },
              reason: { S: 'flood was a scanner, INC-4711' },
              slotsHeld: { N: '2' },
              engagementId: { S: 'eng-1' },
              engagedAt: { S: '2026-12-06T04:00:00.000Z' },
              engagedByIncident: { S: 'ir-flood-9' },
              engagedByFinding: { S: 'f-flood-9' },
              engagedByPlaybook: { S: 'contain-instance' },
              engagementReason: { S: latchItem.reason.S },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    });
    expect(Math.abs(Date.parse(releasedAt) - Date.now())).toBeLessThan(60_000);
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toEqual([{ TopicArn: TOPIC, Subject: '[GuardDuty IR BRAKE RELEASED] containments resume in eu-west-1', Message: expect.any(String) }]);
    const message = published[0]!.Message!.split('\n');
    expect(message.slice(0, 5)).toEqual([
      `Summary: The blast-radius brake in eu-west-1 was released at ${releasedAt} by ${OPERATOR}: containments resume`,
      '',
      'The release',
      '  Reason given: flood was a scanner, INC-4711',
      `  Released by: ${OPERATOR}`,
    ]);
    expect(message).toContain(`  Ledger: ${TABLE} (eu-west-1), key pk = "brake#release#eng-1"`);
    // Its record in the stack's bucket, under the brake's folder, SSE-KMS under the stack's key.
    const evidenceKey = `incidents/brake/eu-west-1/eng-1/${releasedAt.replace(/:/g, '')}-release.json`;
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map(({ Body: _body, ...put }) => put)).toEqual([
      { Bucket: BUCKET, Key: evidenceKey, ContentType: 'application/json; charset=utf-8', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY_ARN, ChecksumAlgorithm: 'SHA256' },
    ]);
    expect(JSON.parse(String(puts[0]!.Body))).toMatchObject({
      kind: 'brake-release',
      releasedBy: OPERATOR,
      reason: 'flood was a scanner, INC-4711',
      region: 'eu-west-1',
      ledger: { table: TABLE, key: 'brake#release#eng-1' },
      release: { key: 'brake#release#eng-1', latch: { engagementId: 'eng-1', incidentId: 'ir-flood-9' }, slotsHeld: 2 },
      brakeBefore: { latched: { engagementId: 'eng-1' }, held: [{ slot: 0 }, { slot: 2 }] },
    });
    expect(message).toContain(`  Evidence: s3://${BUCKET}/${evidenceKey} (version v-1)`);
    expect(JSON.parse(run.stdout)).toMatchObject([
      {
        action: 'released',
        record: { releasedBy: OPERATOR, key: 'brake#release#eng-1' },
        evidence: { id: 'evidence:release.json', status: 'done', target: `s3://${BUCKET}/${evidenceKey}` },
        notification: { status: 'sent', messageId: 'msg-1' },
        chatNotification: null,
      },
    ]);
  });

  it('without a topic output it refuses before reading (exit 2), naming the output and --no-notify', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'IncidentLedgerTableName', OutputValue: TABLE }] }],
    });
    brakeHolds(true);
    const run = await release('--reason', 'flood was a scanner');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ir: stack GuardDutyIncidentResponse in eu-west-1 has no output NotificationTopicArn\n');
    expect(writes()).toHaveLength(0);
  });

  it('--no-notify releases and records without a topic, and says nobody was told', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'IncidentLedgerTableName', OutputValue: TABLE }, ...EVIDENCE_OUTPUTS] }],
    });
    brakeHolds(true);
    dynamodb.on(TransactWriteItemsCommand).resolves({});
    const run = await release('--reason', 'flood was a scanner', '--no-notify', '--json');
    expect(run.code).toBe(0);
    expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(JSON.parse(run.stdout)).toMatchObject([{ action: 'released', notification: { status: 'not-sent', reason: expect.stringContaining('--no-notify') } }]);
  });

  it('--dry-run reads and says what it would do: nothing written, nothing published, exit 0', async () => {
    brakeHolds(true);
    const run = await release('--reason', 'flood was a scanner', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`DRY-RUN: would delete the latch, record the release in ${TABLE}, keep its record in the evidence bucket ${BUCKET} and notify ${TOPIC}. Nothing was changed.`);
    expect(writes()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it('a brake that is not latched: nothing to release, nothing recorded, exit 0', async () => {
    brakeHolds(false);
    const run = await release('--reason', 'routine check');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The brake is not latched: nothing to release, nothing recorded.');
    expect(writes()).toHaveLength(0);
  });

  it('a latch that changed since it was read (released by someone else): not released, not announced, exit 1', async () => {
    brakeHolds(true);
    dynamodb.on(TransactWriteItemsCommand).rejects(new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {} }));
    dynamodb.on(GetItemCommand, { Key: { pk: { S: 'brake#release#eng-1' } } }).resolves({ Item: { pk: { S: 'brake#release#eng-1' }, releaseId: { S: 'someone-else' } } });
    const run = await release('--reason', 'flood was a scanner');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('NOT RELEASED: the latch changed since it was read');
    expect(sns.calls()).toHaveLength(0);
  });

  it('a transaction whose answer was lost, retried against its own writes, is released and announced once', async () => {
    brakeHolds(true);
    let sent: TransactWriteItemsCommandInput | undefined;
    dynamodb.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
      sent = input;
      return Promise.reject(new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {} }));
    });
    dynamodb.on(GetItemCommand, { Key: { pk: { S: 'brake#release#eng-1' } } }).callsFake(() => Promise.resolve({ Item: sent!.TransactItems![1]!.Put!.Item }));
    const run = await release('--reason', 'flood was a scanner');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/RELEASED by arn:aws:sts::111111111111:assumed-role\/SecurityTeam\/alice at \S+: recorded as brake#release#eng-1; notified \(message msg-1\)\./);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('released but the announcement failed: the operator is told to tell the team, exit 1', async () => {
    brakeHolds(true);
    sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationError' }));
    const run = await release('--reason', 'flood was a scanner');
    expect(run.code).toBe(1);
    expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    expect(run.stdout).toContain('NOT notified (AuthorizationError: denied)');
    expect(run.stderr).toBe('ir: the brake is released and recorded, but the team was not notified (AuthorizationError): tell them\n');
  });
});

describe('ir brake release: the rest of its trail', () => {
  it('a stack without the evidence bucket output is bad input (exit 2) before anything is read or written', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'GuardDutyIncidentResponse', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'IncidentLedgerTableName', OutputValue: TABLE }, { OutputKey: 'NotificationTopicArn', OutputValue: TOPIC }] }],
    });
    brakeHolds(true);
    const run = await release('--reason', 'flood was a scanner');
    expect([run.code, run.stderr]).toEqual([2, 'ir: stack GuardDutyIncidentResponse in eu-west-1 has no output EvidenceBucketName\n']);
    expect([...writes(), ...s3.calls(), ...dynamodb.commandCalls(GetItemCommand)]).toHaveLength(0);
  });

  it('released, recorded and announced but its record not kept: exit 3, the AWS code on stderr and first in the note', async () => {
    brakeHolds(true);
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const run = await release('--reason', 'flood was a scanner', '--json');
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('ir: the brake is released, recorded and announced, but its record could not be kept in the evidence bucket (AccessDenied)\n');
    expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject([{ action: 'released', evidence: { status: 'failed', error: { code: 'AccessDenied' } }, notification: { status: 'sent' } }]);
    const [message] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Message!);
    expect(message!.split('\n')[0]).toBe('ATTENTION: the brake is released and recorded in the ledger, but its record could NOT be kept in the evidence bucket (AccessDenied).');
  });

  it("posts the same note on the stack's chat topic as AWS Chatbot JSON, threaded by the engagement, the hostile reason escaped", async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'GuardDutyIncidentResponse',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'IncidentLedgerTableName', OutputValue: TABLE },
            { OutputKey: 'NotificationTopicArn', OutputValue: TOPIC },
            { OutputKey: 'ChatTopicArn', OutputValue: CHAT_TOPIC },
            ...EVIDENCE_OUTPUTS,
          ],
        },
      ],
    });
    brakeHolds(true);
    const run = await release('--reason', '<!channel> *urgent* see [x](https://evil.example) @here');
    expect(run.code).toBe(0);
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.TopicArn).sort()).toEqual([CHAT_TOPIC, TOPIC].sort());
    const chat = JSON.parse(published.find((p) => p.TopicArn === CHAT_TOPIC)!.Message!);
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: ':arrows_counterclockwise: BRAKE RELEASED: containments resume in eu-west-1' },
      metadata: { threadId: 'brake/eu-west-1/eng-1', eventType: 'GuardDutyBrakeRelease', summary: '[GuardDuty IR BRAKE RELEASED] containments resume in eu-west-1' },
    });
    expect(chat.content.description).toContain("Reason given: &lt;!channel&gt; \\*urgent\\* see [x] (hxxps[:]//evil.example) (at)here");
    expect(chat.content.description).not.toMatch(/<!channel>|@here|https:\/\/evil/);
    expect(published.find((p) => p.TopicArn === TOPIC)!.Message).toContain('  Reason given: <!channel> *urgent* see [x](https://evil.example) @here');
    expect(run.stdout).toContain('Chat copy posted (message msg-1).');
  });
});
