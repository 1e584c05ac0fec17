import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { CHAT_OUTPUT, DEPLOYED, deployedOutputs, useDeployedStack } from '../../support/aws-mocks/deployed-stack';
import { FIXTURES_DIR } from '../../support/fixtures';
import { securityHubUpdates, updatesReceived, useSecurityHub } from '../../support/aws-mocks/security-hub';
import { runIr } from '../../support/run-ir';

/*
 * Every manual action leaves the Lambda's trail: `ir respond --execute`
 * finds the deployed stack (DescribeStacks) and records in its ledger,
 * keeps evidence in its bucket under its key, and notifies on its topic;
 * --no-notify is the only way not to notify; `ir plan` and `ir respond`
 * plan with the configuration the stack was deployed with, and say so.
 */

const PROBE = join(FIXTURES_DIR, 'notify/port-probe-unprotected.event.json');
const CRYPTO = join(FIXTURES_DIR, 'contain-instance/crypto-bitcoin-tool.event.json');
const CRYPTO_TYPE = 'CryptoCurrency:EC2/BitcoinTool.B';
const HOME = '222222222222';

const stack = useDeployedStack();
const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
// Security Hub's note is on by default: the manual response closes the loop as the Lambda does.
const securityHub = useSecurityHub();
// The account's alias, read for the notification (lambda/notify/account-alias.ts): none set.
mockClient(IAMClient).on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
const tmp = mkdtempSync(join(tmpdir(), 'ir-trail-'));

// The SDK's Node-version notice would land in whichever test first makes a client; stderr is asserted here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

beforeEach(() => {
  process.env.NO_COLOR = '1';
  delete process.env.IR_TOPIC_ARN;
  for (const mock of [sns, s3, dynamodb, sts, ec2]) mock.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v-1' });
  dynamodb.onAnyCommand().resolves({});
  sts.on(GetCallerIdentityCommand).resolves({ Account: HOME, Arn: `arn:aws:sts::${HOME}:assumed-role/SecOps/alice`, UserId: 'AROA:alice' });
  ec2.onAnyCommand().resolves({});
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  securityHub.reset();
  securityHubUpdates(securityHub);
  stack.deployed(deployedOutputs({ ...DEFAULT_RUNTIME_CONFIG, confirmFindings: false }));
});

afterAll(() => {
  for (const mock of [sns, s3, dynamodb, sts, ec2]) mock.restore();
  stack.mock.restore();
});

const respond = (...extra: string[]) => runIr('respond', PROBE, '--execute', '--json', '--region', 'us-east-1', ...extra);

describe('ir respond --execute through the deployed stack', () => {
  it('notifies on the stack topic, keeps evidence in its bucket under its key, records in its ledger', async () => {
    const run = await respond();
    expect(run.code).toBe(0);
    expect(stack.mock.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: DEPLOYED.stackName }]);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([DEPLOYED.topicArn]);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) expect(put).toMatchObject({ Bucket: DEPLOYED.evidenceBucket, SSEKMSKeyId: DEPLOYED.evidenceKeyArn, ServerSideEncryption: 'aws:kms' });
    const tables = new Set(dynamodb.calls().map((c) => (c.args[0].input as { TableName?: string }).TableName));
    expect(tables).toEqual(new Set([DEPLOYED.ledgerTable]));
    const [report, ...more] = JSON.parse(run.stdout);
    expect(more).toEqual([]);
    expect(report.ledger).toMatchObject({ table: DEPLOYED.ledgerTable, recorded: true });
    expect(updatesReceived(securityHub)).toHaveLength(1);
    expect(report.steps.find((s: { id: string }) => s.id === 'securityhub:note')).toMatchObject({ status: 'done' });
    expect(run.stderr).toBe(`ir: configuration: as deployed in stack ${DEPLOYED.stackName} (us-east-1)\n`);
  });

  it('--topic-arn wins over the stack output', async () => {
    await respond('--topic-arn', 'arn:aws:sns:us-east-1:222222222222:other');
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual(['arn:aws:sns:us-east-1:222222222222:other']);
  });

  it('posts the chat copy on the stack chat topic too, as the Lambda does, when the stack outputs one', async () => {
    stack.deployed([...deployedOutputs({ ...DEFAULT_RUNTIME_CONFIG, confirmFindings: false }), CHAT_OUTPUT]);
    const run = await respond();
    expect(run.code).toBe(0);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([DEPLOYED.topicArn, DEPLOYED.chatTopicArn]);
    const [report] = JSON.parse(run.stdout);
    expect(report.steps.find((s: { id: string }) => s.id === 'notify-chat')).toMatchObject({ status: 'done', target: DEPLOYED.chatTopicArn });
  });

  it('without the chat output, publishes on the email topic only (no chat step)', async () => {
    const run = await respond();
    const [report] = JSON.parse(run.stdout);
    expect(report.steps.map((s: { id: string }) => s.id)).not.toContain('notify-chat');
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([DEPLOYED.topicArn]);
  });

  it('--no-notify posts no chat copy either', async () => {
    stack.deployed([...deployedOutputs({ ...DEFAULT_RUNTIME_CONFIG, confirmFindings: false }), CHAT_OUTPUT]);
    const run = await respond('--no-notify');
    expect(run.code).toBe(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const [report] = JSON.parse(run.stdout);
    expect(report.steps.map((s: { id: string }) => s.id)).not.toContain('notify-chat');
  });

  it('--no-notify publishes nothing and says so in the report, still recording and keeping evidence', async () => {
    const run = await respond('--no-notify');
    expect(run.code).toBe(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const [report] = JSON.parse(run.stdout);
    expect(report.steps.find((s: { id: string }) => s.id === 'notify')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('--no-notify') });
    expect(s3.commandCalls(PutObjectCommand).length).toBeGreaterThan(0);
    expect(dynamodb.commandCalls(UpdateItemCommand).length).toBeGreaterThan(0);
  });

  it('a stack without a topic output is an error naming it and --no-notify (exit 2): nothing is done', async () => {
    stack.deployed(deployedOutputs(undefined, ['NotificationTopicArn']));
    const run = await respond();
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`ir: stack ${DEPLOYED.stackName} in us-east-1 has no output NotificationTopicArn: a manual response notifies the team on the stack topic (pass --topic-arn, or --no-notify`);
    expect([sns.calls(), s3.calls(), dynamodb.calls(), ec2.calls()].flat()).toEqual([]);
  });

  it('no stack: exit 2 naming the stack and region, nothing done', async () => {
    stack.deployed(undefined);
    const run = await respond('--no-notify');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`ir: stack ${DEPLOYED.stackName} does not exist in us-east-1: ir respond --execute records, keeps evidence and notifies through it`);
    expect([sns.calls(), s3.calls(), dynamodb.calls(), ec2.calls()].flat()).toEqual([]);
  });

  it.each([['IncidentLedgerTableName'], ['EvidenceBucketName']])('a stack without %s is an error naming it (exit 2)', async (output) => {
    stack.deployed(deployedOutputs(undefined, [output]));
    const run = await respond('--no-notify');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`has no output ${output}`);
    expect([sns.calls(), s3.calls(), dynamodb.calls()].flat()).toEqual([]);
  });

  it('--stack names the stack to look up', async () => {
    stack.deployed(deployedOutputs(undefined), 'IR-Prod');
    await respond('--stack', 'IR-Prod');
    expect(stack.mock.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'IR-Prod' }]);
  });
});

describe('the configuration a plan is made with', () => {
  const plan = (...extra: string[]) => runIr('plan', CRYPTO, '--json', ...extra);

  it('is the deployed one, online: a finding type the deployment routes elsewhere is planned as deployed', async () => {
    stack.deployed(deployedOutputs({ ...DEFAULT_RUNTIME_CONFIG, routing: { add: {}, remove: [CRYPTO_TYPE] } }));
    const run = await plan();
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)[0].playbook).toBe('notify');
    expect(run.stderr).toBe(`ir: configuration: as deployed in stack ${DEPLOYED.stackName} (us-east-1)\n`);
  });

  it('is cdk.json when the stack is not there, saying why', async () => {
    stack.deployed(undefined);
    const run = await plan();
    expect(JSON.parse(run.stdout)[0].playbook).toBe('contain-instance');
    expect(run.stderr).toMatch(new RegExp(`^ir: configuration: cdk\\.json \\(.*cdk\\.json\\); not the deployed one: stack ${DEPLOYED.stackName} does not exist in us-east-1\\n$`));
  });

  it('is cdk.json for a stack deployed before it output its configuration, saying so', async () => {
    stack.deployed(deployedOutputs(undefined));
    const run = await plan();
    expect(run.stderr).toMatch(/not the deployed one: stack GuardDutyIncidentResponse \(us-east-1\) does not output its configuration/);
  });

  it('offline, reads no stack', async () => {
    const run = await plan('--offline');
    expect(stack.mock.calls()).toHaveLength(0);
    expect(run.stderr).toMatch(/^ir: configuration: cdk\.json .*; not the deployed one: offline\n$/);
  });

  it('--config wins; with --execute, a difference from the deployed one is pointed out', async () => {
    const file = join(tmp, 'enforce.json');
    writeFileSync(file, JSON.stringify({ mode: 'enforce', confirmFindings: false }));
    const run = await respond('--config', file);
    expect(run.stderr).toBe(
      `ir: --config ${file} differs from the configuration stack ${DEPLOYED.stackName} (us-east-1) was deployed with\nir: configuration: --config ${file}\n`,
    );
  });

  it('a configuration output that is not valid is a broken deployment: exit 2, named', async () => {
    stack.deployed(deployedOutputs({ mode: 'sometimes' }));
    const run = await plan();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ir: invalid configuration in stack GuardDutyIncidentResponse in us-east-1 output RuntimeConfiguration: "mode"/);
  });
});
