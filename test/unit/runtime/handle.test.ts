import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import { FindingInputError } from '../../../lambda/finding/errors';
import type { Report } from '../../../lambda/plan/document';
import { readLambdaEnvironment, type LambdaEnvironment } from '../../../lambda/runtime/environment';
import { approvalSchedulerRoleName, responderRoleName } from '../../../lambda/iam/responder-role-names';
import { PLAYBOOK_NAMES } from '../../../lambda/routing/playbook-names';
import { homeIdentityOf, type LambdaContext } from '../../../lambda/runtime/home-account';
import { END_OF_RESPONSE_RESERVE_MS, handleInvocation } from '../../../lambda/runtime/handle';
import { handleAs, PLAYBOOK_ENTRIES } from '../../support/playbook-entries';
import { RetryableResponseError } from '../../../lambda/runtime/retry-policy';
import { RoutingMismatchError } from '../../../lambda/runtime/routing-mismatch';
import { loadFixture } from '../../support/fixtures';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';
import { parseFindings } from '../../../lambda/finding/parse';

const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
// Whatever else contain-instance reads answers empty: these tests are about which account is read, not what is found.
const iam = mockClient(IAMClient);
const autoScaling = mockClient(AutoScalingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const dynamodb = mockClient(DynamoDBClient);
// The security account's detector holds the contain-instance fixture, as GuardDuty would.
const guardDuty = useGuardDuty();
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
/** The function runs in the security account 111111111111; the fixtures' findings are of 222222222222. */
const CONTEXT: LambdaContext = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:GuardDutyIncidentResponse-ContainInstance' };

// The Security Hub note (on by default) has its own tests (test/unit/close-loop/): these are about the handler.
const ENFORCE = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } } as const;

function env(overrides: Partial<LambdaEnvironment> = {}): LambdaEnvironment {
  return { playbook: 'notify', config: ENFORCE, topicArn: TOPIC, protectedRoleNames: [], defaultRegion: 'us-east-1', ...overrides };
}

beforeEach(() => {
  sns.reset();
  sts.reset();
  ec2.reset();
  ec2.onAnyCommand().resolves({});
  iam.reset().onAnyCommand().resolves({});
  autoScaling.reset().onAnyCommand().resolves({});
  elbv2.reset().onAnyCommand().resolves({});
  dynamodb.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  guardDuty.holds(...parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json')));
});

describe('handleInvocation', () => {
  it('refuses to run when the environment names another playbook than its code, before reading anything', async () => {
    await expect(handleInvocation(loadFixture('notify/port-probe-unprotected.event.json'), CONTEXT, PLAYBOOK_ENTRIES['contain-instance'], env())).rejects.toThrow(
      "invalid Lambda environment: IR_PLAYBOOK is notify, but this function's code is the contain-instance playbook",
    );
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('answers an EventBridge event with a report and publishes it to the topic', async () => {
    const report = (await handleAs(loadFixture('notify/port-probe-unprotected.event.json'), CONTEXT, env())) as Report;
    expect(report).toMatchObject({ playbook: 'notify', findingType: 'Recon:EC2/PortProbeUnprotectedPort', accountId: '222222222222', dryRun: false, blockedBy: [] });
    expect(report.steps.map((s) => [s.id, s.status, s.detail])).toEqual([
      ['notify', 'done', 'message m-1'],
      ['evidence', 'skipped', undefined],
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('[GuardDuty IR NO ACTION] notify: MEDIUM 5.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us-east-1');
    expect(input.Message).toContain('No automated action applies to this finding.');
  });

  it('accepts a direct invocation {finding, dryRun} and honours the dry-run request', async () => {
    const event = { finding: loadFixture('notify/stealth-s3-logging-disabled.raw.json'), dryRun: true };
    const report = (await handleAs(event, CONTEXT, env())) as Report;
    expect(report.dryRun).toBe(true);
    expect(report.blockedBy).toEqual(['dry-run']);
  });

  it('keeps where a direct invocation says it came from (a Security Hub custom action) in the report, as given', async () => {
    const requestedBy = { source: 'security-hub-custom-action', eventId: 'e-1', account: '123456789012', person: 'not given by AWS: no console user' };
    const report = (await handleAs({ finding: loadFixture('notify/stealth-s3-logging-disabled.raw.json'), dryRun: true, requestedBy }, CONTEXT, env())) as Report;
    expect(report.requestedBy).toEqual(requestedBy);
  });

  it('refuses a direct invocation whose requestedBy is not a record of short strings', async () => {
    const finding = loadFixture('notify/stealth-s3-logging-disabled.raw.json');
    await expect(handleAs({ finding, dryRun: true, requestedBy: { person: { arn: 'x' } } }, CONTEXT, env())).rejects.toThrow(/^invalid direct invocation: requestedBy\.person: /);
    await expect(handleAs({ finding, dryRun: true, requestedBy: { person: 'x'.repeat(1025) } }, CONTEXT, env())).rejects.toThrow(/^invalid direct invocation: requestedBy\.person: /);
  });

  it('never lets a request turn a dry-run stack into enforce', async () => {
    const event = { finding: loadFixture('notify/stealth-s3-logging-disabled.raw.json'), dryRun: false };
    const report = (await handleAs(event, CONTEXT, env({ config: DEFAULT_RUNTIME_CONFIG }))) as Report;
    expect(report.dryRun).toBe(true);
    expect(report.guards.find((g) => g.id === 'dry-run')!.reason).toContain('the stack runs in dry-run mode');
  });

  it('refuses a finding that routes to another playbook and calls nothing', async () => {
    await expect(handleAs(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'), CONTEXT, env())).rejects.toThrow(RoutingMismatchError);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('starts no step but the notification once the invocation has less time left than the end of a response needs', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const nearlyOut = { ...CONTEXT, getRemainingTimeInMillis: () => END_OF_RESPONSE_RESERVE_MS - 1 };
    const report = (await handleAs(loadFixture('notify/port-probe-unprotected.event.json'), nearlyOut, env())) as Report;
    expect(report.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
      ['notify', 'done', undefined],
      ['evidence', 'failed', 'OutOfTime'],
    ]);
  });

  it('rejects input that is not a finding with a typed error and calls nothing', async () => {
    await expect(handleAs({ hello: 'world' }, CONTEXT, env())).rejects.toThrow(FindingInputError);
    await expect(handleAs({ finding: {}, dryRun: 'yes' }, CONTEXT, env())).rejects.toThrow('invalid direct invocation: dryRun');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('rejects a finding whose id is a wildcard, by direct invocation or event, with a typed error, before any AWS call', async () => {
    const event = loadFixture('contain-instance/crypto-bitcoin-tool.event.json') as { detail: { id: string } };
    const crafted = { ...event, detail: { ...event.detail, id: '*' } };
    const contain = env({ playbook: 'contain-instance' });
    await expect(handleAs(crafted, CONTEXT, contain)).rejects.toMatchObject({ name: 'FindingInputError', problem: 'invalid-id' });
    await expect(handleAs({ finding: crafted.detail, dryRun: true }, CONTEXT, contain)).rejects.toThrow(/^invalid id: id: must be a GuardDuty finding id/);
    for (const client of [sns, sts, ec2, iam, autoScaling, elbv2, dynamodb]) expect(client.calls()).toHaveLength(0);
  });

  it('fails the invocation when SNS fails, carrying the report and the undelivered notification to the retries and the on-failure queue', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException', $metadata: { httpStatusCode: 400 } }));
    const failure = await handleAs(loadFixture('notify/port-probe-unprotected.event.json'), CONTEXT, env()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RetryableResponseError);
    const error = failure as RetryableResponseError;
    expect(error.failedStepIds).toEqual(['notify']);
    // The evidence step is skipped: the test stack has no bucket.
    expect(error.summary).toEqual({ done: 0, skipped: 1, failed: 1 });
    expect(error.message).toContain('the notification could not be published (KMSDisabledException); the report is in the logs');
    expect(error.message).toContain('[GuardDuty IR NO ACTION] notify: MEDIUM 5.0 222222222222/us-east-1 Recon:EC2/PortProbeUnprotecte...');
    expect(error.message).toContain('No automated action applies to this finding.');
  });

  it('records the failed notification in the ledger when the stack has one, and says where in the error', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', Code: 'Throttled', $metadata: { httpStatusCode: 429 } }));
    const withLedger = env({ ledgerTableName: 'ledger-table' });
    // notify's configured timeout: its deadline is 6 s in, and the claim, like every call before the plan, must end before it.
    const error = (await handleAs(loadFixture('notify/port-probe-unprotected.event.json'), { ...CONTEXT, getRemainingTimeInMillis: () => 30_000 }, withLedger).catch(
      (e: unknown) => e,
    )) as RetryableResponseError;
    expect(error).toBeInstanceOf(RetryableResponseError);
    const [claim, outcome] = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(claim!.TableName).toBe('ledger-table');
    // The lease: the invocation's remaining time and the margin.
    expect(Number(claim!.ExpressionAttributeValues![':leaseUntil']!.N) - Number(claim!.ExpressionAttributeValues![':nowMs']!.N)).toBe(45_000);
    expect(outcome!.UpdateExpression).toContain('pendingNotification = :pending');
    expect(error.message).toContain(`the report is in the incident ledger (ledger-table, pk "incident#${error.incidentId}")`);
  });

  it('fails the invocation when the outcome cannot be recorded in the ledger, naming the ledger and the error code, although the notification went out', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('claimToken = :token')) {
        throw Object.assign(new Error('not authorized to perform dynamodb:UpdateItem'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      }
      return {};
    });
    const withLedger = env({ ledgerTableName: 'ledger-table' });
    const error = (await handleAs(loadFixture('notify/port-probe-unprotected.event.json'), { ...CONTEXT, awsRequestId: 'req-1' }, withLedger).catch((e: unknown) => e)) as RetryableResponseError;
    expect(error).toBeInstanceOf(RetryableResponseError);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(error.message).toContain(
      `the outcome could not be recorded in the incident ledger ledger-table (pk "incident#${error.incidentId}", AccessDeniedException): ` +
        'a retry of this invocation takes its claim over and records it',
    );
    // The claim names the invocation, so that Lambda's retry (the same request id) takes it over.
    const claim = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(claim.ExpressionAttributeValues![':token']!.S).toMatch(/^req-1\//);
  });

  it('claims nothing for a requested dry-run: someone asking to see the plan gets it every time', async () => {
    const event = { finding: loadFixture('notify/stealth-s3-logging-disabled.raw.json'), dryRun: true };
    const report = (await handleAs(event, CONTEXT, env({ ledgerTableName: 'ledger-table' }))) as Report;
    expect(report.ledger).toBeUndefined();
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('handleInvocation across accounts', () => {
  const containEnv = () => env({ playbook: 'contain-instance', config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'dry-run' } });

  it("assumes the member role of the finding's account, named after the finding, before reading there", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
    });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const event = loadFixture('contain-instance/crypto-bitcoin-tool.event.json') as { detail: { id: string } };
    const report = (await handleAs(event, CONTEXT, containEnv())) as Report;
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: 'arn:aws:iam::222222222222:role/IncidentResponseMemberRole', RoleSessionName: `ir-${event.detail.id}`, DurationSeconds: 900 },
    ]);
    expect(report.reads[0]).toMatchObject({ id: 'read:assume-role:222222222222', status: 'done' });
    const ec2Client = ec2.commandCalls(DescribeInstancesCommand)[0]!.thisValue as EC2Client;
    expect((await ec2Client.config.credentials()).accessKeyId).toBe('ASIAMEMBER');
    // The report still goes to the security account's topic.
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC });
  });

  it('answers a finding of its own account without AssumeRole', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const own: LambdaContext = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:222222222222:function:ir' };
    const report = (await handleAs(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'), own, containEnv())) as Report;
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(report.reads.some((r) => r.action === 'sts:AssumeRole')).toBe(false);
    expect(ec2).toHaveReceivedCommand(DescribeInstancesCommand);
  });

  it('publishes EXEMPT - NOT CONTAINED in the subject when the exempt tag stopped the response', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const own: LambdaContext = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:222222222222:function:ir' };
    const report = (await handleAs(loadFixture('contain-instance/exempt-tagged-instance.event.json'), own, containEnv())) as Report;
    expect(report.blockedBy).toContain('exempt-tag');
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]!.Subject).toBe('[GuardDuty IR EXEMPT - NOT CONTAINED] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (honeypot)');
    expect(published[0]!.Message).toMatch(/^EXEMPT: this contain-instance response was planned but NOT executed\. the resource carries the exempt tag "ir:exempt" \(value "honeypot"\)\n/);
  });

  it('reports and notifies when the member role cannot be assumed: never a silent drop', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const report = (await handleAs(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'), CONTEXT, containEnv())) as Report;
    expect(report.reads).toEqual([
      expect.objectContaining({ id: 'read:assume-role:222222222222', status: 'failed', error: expect.objectContaining({ code: 'AccessDenied' }) }),
      expect.objectContaining({ action: 'guardduty:ListDetectors', status: 'done' }),
      expect.objectContaining({ action: 'guardduty:GetFindings', status: 'done' }),
    ]);
    expect(report.blockedBy).toContain('no-account-access');
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });
});

describe('homeIdentityOf', () => {
  it('reads the account and partition of the invoked function ARN, alias or not', () => {
    expect(homeIdentityOf({ invokedFunctionArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:ir:live' })).toEqual({ accountId: '123456789012', partition: 'aws-cn' });
  });

  it.each(['', 'arn:aws:sns:us-east-1:123456789012:topic', 'arn:aws:lambda:us-east-1:12345:function:x'])('refuses %j', (arn) => {
    expect(() => homeIdentityOf({ invokedFunctionArn: arn })).toThrow('cannot tell the home account from the invoked function ARN');
  });
});

describe('readLambdaEnvironment', () => {
  it('reads what the stack sets', () => {
    const parsed = readLambdaEnvironment({
      IR_PLAYBOOK: 'contain-instance',
      IR_RUNTIME_CONFIG: JSON.stringify({ mode: 'enforce' }),
      IR_TOPIC_ARN: TOPIC,
      IR_PROTECTED_ROLE_NAMES: 'a-role, b-role',
      AWS_REGION: 'eu-west-1',
    });
    expect(parsed).toEqual({ playbook: 'contain-instance', config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' }, topicArn: TOPIC, protectedRoleNames: ['a-role', 'b-role'], defaultRegion: 'eu-west-1' });
  });

  it('rebuilds the responder\'s role names from IR_RESPONDER_ROLES with the stack\'s naming, then adds IR_PROTECTED_ROLE_NAMES', () => {
    const regions = ['eu-west-1', 'us-east-1'];
    const parsed = readLambdaEnvironment({
      IR_PLAYBOOK: 'notify',
      IR_RESPONDER_ROLES: JSON.stringify({ prefix: 'IR', regions, scheduler: true }),
      IR_PROTECTED_ROLE_NAMES: 'break-glass, IR-notify-eu-west-1',
    });
    expect(parsed.protectedRoleNames).toEqual([
      ...regions.flatMap((region) => PLAYBOOK_NAMES.map((playbook) => `IR-${playbook}-${region}`)),
      'IR-approval-scheduler-eu-west-1',
      'IR-approval-scheduler-us-east-1',
      'break-glass',
    ]);
    const withoutScheduler = readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RESPONDER_ROLES: JSON.stringify({ prefix: 'IR', regions: ['eu-west-1'], scheduler: false }) });
    expect(withoutScheduler.protectedRoleNames).toEqual(PLAYBOOK_NAMES.map((playbook) => `IR-${playbook}-eu-west-1`));
  });

  it('cuts a long deployment name as the stack does: the rebuilt names are the roles\' names', () => {
    const prefix = 'A'.repeat(40);
    const parsed = readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RESPONDER_ROLES: JSON.stringify({ prefix, regions: ['ap-southeast-2'], scheduler: true }) });
    expect(parsed.protectedRoleNames).toEqual([
      ...PLAYBOOK_NAMES.map((playbook) => responderRoleName(prefix, playbook, 'ap-southeast-2')),
      approvalSchedulerRoleName(prefix, 'ap-southeast-2'),
    ]);
    expect(parsed.protectedRoleNames.every((name) => name.length <= 64 && !name.startsWith(`${prefix}-`))).toBe(true);
  });

  it.each([
    ['not JSON', '{', 'IR_RESPONDER_ROLES is not JSON'],
    ['no prefix', JSON.stringify({ prefix: '', regions: ['eu-west-1'], scheduler: false }), 'IR_RESPONDER_ROLES.prefix'],
    ['regions not a list', JSON.stringify({ prefix: 'IR', regions: 'eu-west-1', scheduler: false }), 'IR_RESPONDER_ROLES.regions'],
    ['an unknown key', JSON.stringify({ prefix: 'IR', regions: [], scheduler: false, names: ['x'] }), 'IR_RESPONDER_ROLES'],
  ])('fails the cold start on IR_RESPONDER_ROLES %s: a responder not knowing its roles could revoke them', (_case, value, message) => {
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RESPONDER_ROLES: value })).toThrow(`invalid Lambda environment: ${message}`);
  });

  it('fails loudly on a bad environment', () => {
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'delete-everything' })).toThrow('invalid Lambda environment: IR_PLAYBOOK');
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RUNTIME_CONFIG: '{' })).toThrow('IR_RUNTIME_CONFIG is not JSON');
    expect(() => readLambdaEnvironment({ IR_PLAYBOOK: 'notify', IR_RUNTIME_CONFIG: '{"mode":"yolo"}' })).toThrow('invalid configuration in IR_RUNTIME_CONFIG');
  });
});
