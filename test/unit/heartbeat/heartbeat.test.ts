import { Logger } from '@aws-lambda-powertools/logger';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { routingTableFor } from '../../../lambda/config/routing-of';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import { FindingInputError } from '../../../lambda/finding/errors';
import { HEARTBEAT_NOTIFICATION_SKIP, heartbeatHealth } from '../../../lambda/heartbeat/health';
import { HeartbeatRoutingError, heartbeatFinding, heartbeatInvocation } from '../../../lambda/heartbeat/synthetic-findings';
import type { Report } from '../../../lambda/plan/document';
import { routeFinding } from '../../../lambda/routing/route';
import { parseFindings } from '../../../lambda/finding/parse';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../../lambda/routing/playbook-names';
import type { LambdaEnvironment } from '../../../lambda/runtime/environment';
import { handleAs } from '../../support/playbook-entries';
import { RoutingMismatchError } from '../../../lambda/runtime/routing-mismatch';
import { loadFixture } from '../../support/fixtures';

/*
 * The heartbeat through the real handler: every AWS client mocked, every
 * call recorded. The stack runs in ENFORCE mode here, so nothing but the
 * heartbeat itself (dry-run, sample) keeps the playbooks from acting.
 */

const mocks = {
  sns: mockClient(SNSClient),
  sts: mockClient(STSClient),
  ec2: mockClient(EC2Client),
  iam: mockClient(IAMClient),
  autoScaling: mockClient(AutoScalingClient),
  elbv2: mockClient(ElasticLoadBalancingV2Client),
  cloudTrail: mockClient(CloudTrailClient),
  s3: mockClient(S3Client),
  lambda: mockClient(LambdaClient),
};
/** The mocks as one list: their client types differ, only reset and the recorded calls are needed. */
interface RecordingMock {
  reset(): { onAnyCommand(): { resolves(output: object): unknown } };
  calls(): { readonly args: readonly unknown[] }[];
}
const ALL_MOCKS = Object.values(mocks) as unknown as RecordingMock[];
/** Every SDK command sent, by class name. */
const sentCommands = () => ALL_MOCKS.flatMap((mock) => mock.calls().map((call) => (call.args[0] as object).constructor.name));
const ACCOUNT = '111111111111';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:guardduty-ir`;
const ENFORCE: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' };
const contextOf = (playbook: PlaybookName) => ({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:GuardDutyIncidentResponse-${playbook}-fn` });
const envOf = (playbook: PlaybookName, config: RuntimeConfig = ENFORCE): LambdaEnvironment => ({
  playbook,
  config,
  topicArn: TOPIC,
  protectedRoleNames: [],
  defaultRegion: 'us-east-1',
});
const invocationOf = (playbook: PlaybookName, config: RuntimeConfig = ENFORCE) =>
  heartbeatInvocation(playbook, { accountId: ACCOUNT, region: 'us-east-1' }, routingTableFor(config));

/** Read-only SDK commands: every call a heartbeat may make. */
const READ_ONLY = /^(Describe|Get|List|LookupEvents)/;

let stdout: jest.SpyInstance;
/** The EMF documents written to stdout (Powertools Metrics writes one JSON line per flush). */
function emfLines(): Record<string, unknown>[] {
  return stdout.mock.calls
    .map(([chunk]) => String(chunk))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(() => {
  for (const mock of ALL_MOCKS) mock.reset().onAnyCommand().resolves({});
  // The heartbeat's bucket exists nowhere (HEARTBEAT_BUCKET): S3 says so.
  mocks.s3.onAnyCommand().rejects(Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }));
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe.each(PLAYBOOK_NAMES)('the %s heartbeat', (playbook) => {
  it('routes to its playbook and is blocked from acting by the sample and dry-run guards, on an enforce stack', async () => {
    const finding = parseFindings(invocationOf(playbook).finding)[0]!;
    expect(routeFinding(finding, routingTableFor(ENFORCE)).playbook).toBe(playbook);

    const report = (await handleAs(invocationOf(playbook), contextOf(playbook), envOf(playbook))) as Report;
    expect(report).toMatchObject({ playbook, findingId: `ir-heartbeat-${playbook}`, accountId: ACCOUNT, dryRun: true });
    expect(report.blockedBy).toEqual(expect.arrayContaining(['sample-finding', 'dry-run']));
    expect(report.steps.filter((step) => step.mutating && step.status !== 'skipped')).toEqual([]);
    expect(report.summary.failed).toBe(0);
  });

  it('makes only read-only calls, in its own account, and never publishes to the topic', async () => {
    await handleAs(invocationOf(playbook), contextOf(playbook), envOf(playbook));
    const calls = sentCommands();
    expect(calls.filter((name) => !READ_ONLY.test(name))).toEqual([]);
    expect(mocks.sns.calls()).toHaveLength(0);
    expect(mocks.sts.calls()).toHaveLength(0);
  });

  it('skips the notification with the heartbeat reason', async () => {
    const report = (await handleAs(invocationOf(playbook), contextOf(playbook), envOf(playbook))) as Report;
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'skipped', reason: HEARTBEAT_NOTIFICATION_SKIP });
  });

  it('publishes exactly one Heartbeat metric as EMF, with the playbook and function name as its only dimensions', async () => {
    await handleAs(invocationOf(playbook), contextOf(playbook), envOf(playbook));
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: 'GuardDutyIncidentResponse', Dimensions: [['Playbook', 'FunctionName']], Metrics: [{ Name: 'Heartbeat', Unit: 'Count' }] }],
      },
      Playbook: playbook,
      FunctionName: `GuardDutyIncidentResponse-${playbook}-fn`,
      Heartbeat: 1,
    });
  });

  // The placeholder resources exist nowhere, so each plan has no change left to make: outcome `reported`.
  it('logs the finished line with the finding type, the outcome and the heartbeat trigger', async () => {
    const info = jest.spyOn(Logger.prototype, 'info');
    const report = (await handleAs(invocationOf(playbook), contextOf(playbook), envOf(playbook))) as Report;
    expect(info).toHaveBeenCalledWith(
      'playbook finished',
      expect.objectContaining({ playbook, findingId: report.findingId, findingType: report.findingType, outcome: 'reported', trigger: 'heartbeat' }),
    );
  });
});

describe('the contain-instance heartbeat', () => {
  it('reads the placeholder instance with its own role, in its own account and region', async () => {
    await handleAs(invocationOf('contain-instance'), contextOf('contain-instance'), envOf('contain-instance'));
    expect(mocks.ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: ['i-99999999'] });
    const client = mocks.ec2.commandCalls(DescribeInstancesCommand)[0]!.thisValue as EC2Client;
    expect(await client.config.region()).toBe('us-east-1');
  });
});

describe('a heartbeat that does not go as it must', () => {
  it('publishes no metric and logs why when a read is refused (a role that lost a permission)', async () => {
    mocks.ec2.on(DescribeInstancesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    const error = jest.spyOn(Logger.prototype, 'error');
    const report = (await handleAs(invocationOf('contain-instance'), contextOf('contain-instance'), envOf('contain-instance'))) as Report;
    expect(report.blockedBy).toContain('sample-finding');
    expect(emfLines()).toEqual([]);
    expect(error).toHaveBeenCalledWith('heartbeat unhealthy: no heartbeat metric published', {
      playbook: 'contain-instance',
      findingId: 'ir-heartbeat-contain-instance',
      problems: ['read read:describe-instance:i-99999999 was refused (UnauthorizedOperation)'],
    });
  });

  it('publishes no metric when the invoked ARN names no function: the alarm could not see it', async () => {
    const error = jest.spyOn(Logger.prototype, 'error');
    await handleAs(invocationOf('notify'), { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function` }, envOf('notify'));
    expect(emfLines()).toEqual([]);
    expect(error).toHaveBeenCalledWith('heartbeat: no function name in the invoked function ARN: no heartbeat metric published', {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function`,
    });
  });
});

describe('heartbeatHealth', () => {
  let report: Report;
  beforeEach(async () => {
    report = (await handleAs(invocationOf('notify'), contextOf('notify'), envOf('notify'))) as Report;
  });

  it('counts the heartbeat the handler produced', () => {
    expect(heartbeatHealth(report, 'notify')).toEqual({ healthy: true, problems: [] });
  });

  it('names every way a heartbeat can go wrong', () => {
    const notify = report.steps.find((s) => s.id === 'notify')!;
    const change = { ...notify, id: 'isolate', mutating: true, status: 'done' as const };
    const failed = { ...notify, status: 'failed' as const, error: { code: 'KMSDisabledException', message: 'disabled', retryable: false } };
    const broken: Report = { ...report, playbook: 'contain-instance', blockedBy: [], steps: [change, failed] };
    expect(heartbeatHealth(broken, 'notify')).toEqual({
      healthy: false,
      problems: [
        'the finding was answered by contain-instance, not notify',
        'the sample-finding guard did not block the run',
        'the dry-run guard did not block the run',
        'step isolate changed something',
        'step notify failed (KMSDisabledException)',
      ],
    });
  });

  it('tolerates reads that find no placeholder resource, not reads that are refused', () => {
    const read = (code: string) => ({ id: `read:x:${code}`, title: 't', action: 'ec2:DescribeInstances' as const, target: 'i-99999999', mutating: false, status: 'failed' as const, error: { code, message: code, retryable: false }, durationMs: 1 });
    const withReads: Report = { ...report, reads: [read('InvalidInstanceID.NotFound'), read('NoSuchEntity'), read('AccessDenied')] };
    expect(heartbeatHealth(withReads, 'notify').problems).toEqual(['read read:x:AccessDenied was refused (AccessDenied)']);
  });
});

describe('an ordinary finding', () => {
  it('publishes no heartbeat and logs the finding trigger and its outcome', async () => {
    const info = jest.spyOn(Logger.prototype, 'info');
    // The Security Hub note (on by default) has its own tests (test/unit/close-loop/).
    await handleAs(loadFixture('notify/port-probe-unprotected.event.json'), contextOf('notify'), envOf('notify', { ...ENFORCE, securityHub: { ...ENFORCE.securityHub, updateFindings: false } }));
    expect(emfLines()).toEqual([]);
    expect(info).toHaveBeenCalledWith(
      'playbook finished',
      expect.objectContaining({ findingType: 'Recon:EC2/PortProbeUnprotectedPort', outcome: 'reported', trigger: 'finding' }),
    );
    expect(mocks.sns.calls()).toHaveLength(1);
  });
});

describe('heartbeat invocations that are refused', () => {
  const finding = () => invocationOf('notify').finding;

  it('refuses a heartbeat that is not a dry-run, before any call', async () => {
    await expect(handleAs({ finding: finding(), heartbeat: true }, contextOf('notify'), envOf('notify'))).rejects.toThrow(
      new FindingInputError('not-a-finding', 'invalid direct invocation: heartbeat: a heartbeat must be a dry-run ("dryRun": true)'),
    );
    await expect(handleAs({ finding: finding(), dryRun: false, heartbeat: true }, contextOf('notify'), envOf('notify'))).rejects.toThrow(
      'a heartbeat must be a dry-run',
    );
    expect(sentCommands()).toEqual([]);
  });

  it('refuses to silence the notification of a real (non-sample) finding', async () => {
    const real = { ...finding(), service: { serviceName: 'guardduty', archived: false, additionalInfo: { sample: false } } };
    await expect(handleAs({ finding: real, dryRun: true, heartbeat: true }, contextOf('notify'), envOf('notify'))).rejects.toThrow(
      'invalid direct invocation: heartbeat: finding ir-heartbeat-notify is not a sample finding',
    );
    expect(sentCommands()).toEqual([]);
  });

  it('accepts only `true` as the heartbeat marker', async () => {
    await expect(handleAs({ finding: finding(), dryRun: true, heartbeat: 'yes' }, contextOf('notify'), envOf('notify'))).rejects.toThrow(
      'invalid direct invocation: heartbeat:',
    );
  });

  it('refuses a heartbeat sent to another playbook’s function', async () => {
    await expect(handleAs(invocationOf('contain-instance'), contextOf('notify'), envOf('notify'))).rejects.toThrow(RoutingMismatchError);
    expect(sentCommands()).toEqual([]);
  });
});

describe('heartbeatFinding', () => {
  const target = { accountId: ACCOUNT, region: 'eu-west-1' };

  it('falls back to the next type when the team routes the first one elsewhere', () => {
    const table = routingTableFor({ ...ENFORCE, routing: { add: {}, remove: ['Backdoor:EC2/C&CActivity.B'] } });
    expect(heartbeatFinding('contain-instance', target, table).type).toBe('CryptoCurrency:EC2/BitcoinTool.B');
    const notifyTable = routingTableFor({ ...ENFORCE, routing: { add: { 'Policy:IAMUser/RootCredentialUsage': 'revoke-credentials' }, remove: [] } });
    expect(heartbeatFinding('notify', target, notifyTable).type).toBe('Recon:IAMUser/TorIPCaller');
  });

  it('fails with a clear error when no candidate type routes to the playbook any more', () => {
    const table = routingTableFor({
      ...ENFORCE,
      routing: { add: {}, remove: ['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'CredentialAccess:IAMUser/AnomalousBehavior', 'Exfiltration:IAMUser/AnomalousBehavior'] },
    });
    expect(() => heartbeatFinding('revoke-credentials', target, table)).toThrow(HeartbeatRoutingError);
    expect(() => heartbeatFinding('revoke-credentials', target, table)).toThrow(
      'no heartbeat finding routes to the revoke-credentials playbook with the configured routing overrides (tried UnauthorizedAccess:IAMUser/MaliciousIPCaller, ',
    );
  });
});
