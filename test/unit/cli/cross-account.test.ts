import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { GetFindingsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFindings } from '../../../lambda/finding/parse';
import { DETECTOR_ID, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { FIXTURES_DIR, loadFixture } from '../../support/fixtures';
import { runIr } from '../../support/run-ir';
import { DEPLOYED, deployedOutputs, useDeployedStack } from '../../support/aws-mocks/deployed-stack';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/*
 * `ir plan` (online) and `ir respond` with a finding of a member account
 * (222222222222) while the operator's credentials are of the security
 * account (111111111111): the same member-role path as the Lambda.
 */

const FINDING = join(FIXTURES_DIR, 'contain-instance/crypto-bitcoin-tool.event.json');
const FINDING_ID = (loadFixture('contain-instance/crypto-bitcoin-tool.event.json') as { detail: { id: string } }).detail.id;
const ROLE_ARN = 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir';

const tmp = mkdtempSync(join(tmpdir(), 'ir-cli-xacct-'));
const config = join(tmp, 'config.json');
writeFileSync(config, JSON.stringify({ mode: 'enforce' }));

const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);
const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const autoScaling = mockClient(AutoScalingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const guardDuty = useGuardDuty();
const stack = useDeployedStack();
const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);

beforeEach(() => {
  process.env.NO_COLOR = '1';
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/SecOps/alice', UserId: 'AROA:alice' });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  });
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  ec2.reset();
  ec2.onAnyCommand().resolves({});
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  iam.reset().onAnyCommand().resolves({});
  autoScaling.reset().onAnyCommand().resolves({});
  elbv2.reset().onAnyCommand().resolves({});
  stack.deployed(deployedOutputs(undefined));
  dynamodb.reset().onAnyCommand().resolves({});
  s3.reset().onAnyCommand().resolves({});
  // The security account's detector holds the finding: `ir respond --execute` may act on it.
  guardDuty.holds(...parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json')));
});

afterAll(() => {
  for (const stub of [sts, sns, ec2, iam, autoScaling, elbv2, dynamodb, s3]) stub.restore();
  stack.mock.restore();
});

describe('ir plan (online) with a member-account finding', () => {
  it('learns the home account, assumes the member role and reads there, changing nothing', async () => {
    const run = await runIr('plan', FINDING, '--json', '--config', config);
    expect(run.stderr).toBe(`ir: configuration: --config ${config}\n`);
    expect(run.code).toBe(0);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE_ARN, RoleSessionName: `ir-${FINDING_ID}`, DurationSeconds: 900 },
    ]);
    const [plan] = JSON.parse(run.stdout);
    expect(plan.reads[0]).toMatchObject({ id: 'read:assume-role:222222222222', action: 'sts:AssumeRole', target: ROLE_ARN, status: 'done' });
    const ec2Client = ec2.commandCalls(DescribeInstancesCommand)[0]!.thisValue as EC2Client;
    expect((await ec2Client.config.credentials()).accessKeyId).toBe('ASIAMEMBER');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('with guardDuty.detectorId in the configuration of the finding’s region: GetFindings of that detector at once, no ListDetectors', async () => {
    const configured = join(tmp, 'configured-detector.json');
    writeFileSync(configured, JSON.stringify({ mode: 'enforce', regions: ['us-east-1'], guardDuty: { detectorId: DETECTOR_ID } }));
    const run = await runIr('plan', FINDING, '--json', '--config', configured);
    expect(run.code).toBe(0);
    expect(guardDuty.mock.calls().map((c) => [(c.args[0] as object).constructor.name, c.args[0].input])).toEqual([
      ['GetFindingsCommand', { DetectorId: DETECTOR_ID, FindingIds: [FINDING_ID] }],
    ]);
  });

  it('a --config file that does not say its stack’s region: its detectorId is not taken for the finding’s region, the detector is looked up', async () => {
    const configured = join(tmp, 'configured-detector-no-region.json');
    writeFileSync(configured, JSON.stringify({ mode: 'enforce', guardDuty: { detectorId: 'ffffffffffffffffffffffffffffffff' } }));
    const run = await runIr('plan', FINDING, '--json', '--config', configured);
    expect(run.code).toBe(0);
    expect(guardDuty.mock.calls().map((c) => [(c.args[0] as object).constructor.name, c.args[0].input])).toEqual([
      ['ListDetectorsCommand', {}],
      ['GetFindingsCommand', { DetectorId: DETECTOR_ID, FindingIds: [FINDING_ID] }],
    ]);
  });

  it('ir respond (a dry-run) with guardDuty.detectorIds listing the finding’s region: GetFindings of that detector at once, no ListDetectors', async () => {
    const configured = join(tmp, 'configured-detector-ids.json');
    writeFileSync(configured, JSON.stringify({ mode: 'enforce', guardDuty: { detectorIds: { 'us-east-1': DETECTOR_ID } } }));
    const run = await runIr('respond', FINDING, '--json', '--config', configured);
    // A dry-run (exit code 4: blocked), the finding confirmed: no confirmation guard among the blocking ones.
    expect(run.code).toBe(4);
    const [report] = JSON.parse(run.stdout) as { blockedBy: string[] }[];
    expect(report!.blockedBy).toContain('dry-run');
    expect(report!.blockedBy.filter((id) => id.includes('confirm'))).toEqual([]);
    expect(guardDuty.mock.calls().map((c) => [(c.args[0] as object).constructor.name, c.args[0].input])).toEqual([
      ['GetFindingsCommand', { DetectorId: DETECTOR_ID, FindingIds: [FINDING_ID] }],
    ]);
  });

  it('sends STS to --endpoint-url as well', async () => {
    await runIr('plan', FINDING, '--json', '--config', config, '--endpoint-url', 'http://127.0.0.1:4566');
    expect(sts.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual(['GetCallerIdentityCommand', 'AssumeRoleCommand']);
    for (const call of sts.calls()) {
      const client = call.thisValue as STSClient;
      const endpoint = await (client.config.endpoint as () => Promise<{ hostname: string; port?: number }>)();
      expect({ hostname: endpoint.hostname, port: endpoint.port }).toEqual({ hostname: '127.0.0.1', port: 4566 });
    }
  });

  it('uses the credentials of --profile for GetCallerIdentity and AssumeRole', async () => {
    const credentialsFile = join(tmp, 'credentials');
    writeFileSync(credentialsFile, '[secops]\naws_access_key_id = AKIASECOPSPROFILE\naws_secret_access_key = secret\n');
    const previous = process.env.AWS_SHARED_CREDENTIALS_FILE;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    try {
      await runIr('plan', FINDING, '--json', '--config', config, '--profile', 'secops');
      expect(sts.calls()).toHaveLength(2);
      for (const call of sts.calls()) {
        const client = call.thisValue as STSClient;
        expect((await client.config.credentials()).accessKeyId).toBe('AKIASECOPSPROFILE');
      }
    } finally {
      if (previous === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      else process.env.AWS_SHARED_CREDENTIALS_FILE = previous;
    }
  });

  it('exits 1 with one line naming GetCallerIdentity when the credentials cannot be identified', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' }));
    const run = await runIr('plan', FINDING, '--json', '--config', config);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'ir: InvalidClientTokenId: cannot tell which account your credentials belong to (sts:GetCallerIdentity): The security token included in the request is invalid.\n',
    );
  });

  it('needs no STS call at all offline', async () => {
    const run = await runIr('plan', FINDING, '--offline', '--json', '--config', config);
    expect(run.code).toBe(0);
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('ir respond with a member-account finding', () => {
  it('exits 1 with the failed AssumeRole in the report and notifies from the operator account', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const run = await runIr('respond', FINDING, '--execute', '--json', '--config', config, '--topic-arn', TOPIC);
    expect(run.code).toBe(1);
    const [report] = JSON.parse(run.stdout);
    // The first three are the response's own; the ledger's claim and the brake's slot follow, in the stack's table.
    expect(report.reads.slice(3).map((r: { action: string; status: string }) => [r.action, r.status])).toEqual([
      ['dynamodb:UpdateItem', 'done'],
      ['dynamodb:UpdateItem', 'done'],
      ['dynamodb:BatchGetItem', 'done'],
    ]);
    expect(report.reads[5].target).toBe(DEPLOYED.ledgerTable);
    expect(report.reads.slice(0, 3)).toEqual([
      expect.objectContaining({
        id: 'read:assume-role:222222222222',
        status: 'failed',
        error: { code: 'AccessDenied', message: `cannot assume role ${ROLE_ARN} in account 222222222222: not authorized to perform: sts:AssumeRole`, retryable: false },
      }),
      expect.objectContaining({ id: 'read:find-guardduty-detector:guardduty:us-east-1', status: 'done' }),
      expect.objectContaining({ id: `read:confirm-finding:${FINDING_ID}`, status: 'done' }),
    ]);
    expect(report.blockedBy).toEqual(['no-account-access']);
    expect(ec2.calls()).toHaveLength(0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.TopicArn).toBe(TOPIC);
  });

  it('acts in the member account with --execute when the role is there', async () => {
    const run = await runIr('respond', FINDING, '--execute', '--json', '--config', config);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE_ARN, RoleSessionName: `ir-${FINDING_ID}`, DurationSeconds: 900 });
    const [report] = JSON.parse(run.stdout);
    expect(report.dryRun).toBe(false);
    expect(report.reads[0]).toMatchObject({ id: 'read:assume-role:222222222222', status: 'done' });
    const credentials = await Promise.all(ec2.calls().map((c) => (c.thisValue as EC2Client).config.credentials()));
    expect(new Set(credentials.map((c) => c.accessKeyId))).toEqual(new Set(['ASIAMEMBER']));
    expect(report.guards).toContainEqual(expect.objectContaining({ id: 'finding-confirmation', blocks: false }));
  });

  it('confirms the finding with GuardDuty first, with the operator’s own credentials, never the member role’s', async () => {
    await runIr('respond', FINDING, '--execute', '--json', '--config', config);
    expect(guardDuty.mock.commandCalls(GetFindingsCommand).map((c) => c.args[0].input)).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: [FINDING_ID] }]);
    const client = guardDuty.mock.commandCalls(GetFindingsCommand)[0]!.thisValue as GuardDutyClient;
    // The test environment's own credentials (test/support/jest-env.ts): the operator's, of the security account.
    expect((await client.config.credentials()).accessKeyId).toBe('testing');
  });

  it('changes nothing with --execute when GuardDuty does not hold the finding, and says why', async () => {
    guardDuty.holds();
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-0a1b2c3d4e5f60718', State: { Name: 'running' }, NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-1' }] }] }] }],
    });
    const run = await runIr('respond', FINDING, '--execute', '--json', '--config', config);
    const [report] = JSON.parse(run.stdout);
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(report.guards.find((g: { id: string }) => g.id === 'finding-confirmation').reason).toMatch(/^GuardDuty \(detector [0-9a-f]+ in us-east-1\) holds no finding /);
    expect(ec2).toHaveReceivedCommandTimes(ModifyNetworkInterfaceAttributeCommand, 0);
    // The plan is still shown in full: isolation was planned, and skipped.
    expect(report.steps.filter((s: { mutating: boolean }) => s.mutating).length).toBeGreaterThan(3);
    expect(report.steps.filter((s: { mutating: boolean; status: string }) => s.mutating && s.status !== 'skipped')).toEqual([]);
  });
});
