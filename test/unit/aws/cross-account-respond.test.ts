import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess, type HomeIdentity } from '../../../lambda/aws/account-access';
import { DEFAULT_RUNTIME_CONFIG } from '../../../lambda/config/schema';
import type { Report } from '../../../lambda/plan/document';
import { preparePlan, respond } from '../../../lambda/respond/respond';
import { loadFixture } from '../../support/fixtures';
import { parseFindings } from '../../../lambda/finding/parse';
import { requiredIamActions } from '../../../lambda/playbooks/registry';
import { undeclaredCalls } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, FINDING_ID, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID as MEMBER, answerFromWorld, defaultWorld, mockContainClients, receivedCalls } from '../../support/aws-mocks/contain-world';
import { revokeFinding, ROLE_FINDING } from '../../support/aws-mocks/revoke-findings';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { signingKeys } from '../../support/aws-mocks/signing-keys';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * respond() given an AccountAccess instead of clients, as the Lambda and
 * `ir` call it: the finding's account (222222222222, the fake world) is not
 * the responder's (111111111111), so it is reached through the member role;
 * the notification always goes out from the home account.
 */

const HOME: HomeIdentity = { accountId: '111111111111', partition: 'aws' };
const HOME_CREDENTIALS = { accessKeyId: 'AKIAHOMEACCOUNT', secretAccessKey: 'home-secret' };
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const ROLE_ARN = `arn:aws:iam::${MEMBER}:role/IncidentResponseMemberRole`;
const SESSION = `ir-${FINDING_ID}`;
const MEMBER_KEY = 'ASIAMEMBERSESSION';
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();

const mocks = mockContainClients();
const sts = mockClient(STSClient);
const harness = { mocks, calls: () => receivedCalls(mocks) };

let home: jest.Mock<Promise<HomeIdentity>, []>;
let access: AccountAccess;

beforeEach(() => {
  const world = defaultWorld();
  answerFromWorld(mocks, () => world);
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: MEMBER_KEY, SecretAccessKey: 'member-secret', SessionToken: 'member-token', Expiration: new Date(Date.now() + 900_000) },
  });
  harness.mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-home' });
  home = jest.fn(async () => HOME);
  access = new AccountAccess({ home, memberRoleName: 'IncidentResponseMemberRole', clientClasses: EVERY_CLIENT, base: { maxAttempts: 1, credentials: HOME_CREDENTIALS } });
});

afterEach(() => {
  // Every call is one the contain-instance role is derived with (the notification included).
  expect(undeclaredCalls(receivedCalls(mocks), new Set(requiredIamActions('contain-instance')))).toEqual([]);
});

afterAll(() => {
  for (const stub of [...Object.values(mocks), sts]) stub.restore();
});

function run(finding = containFinding(), options: { dryRun?: boolean; config?: ReturnType<typeof enforceConfig> } = {}): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    config: options.config ?? enforceConfig(),
    access,
    dryRun: options.dryRun ?? false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
  });
}

describe('a finding of a member account whose role can be assumed', () => {
  let report: Report;

  beforeEach(async () => {
    report = await run();
  });

  it('assumes the member role once, with the exact role, a session named after the finding and 15 minutes', () => {
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({ RoleArn: ROLE_ARN, RoleSessionName: SESSION, DurationSeconds: 900 });
  });

  it('reports the AssumeRole as the first read', () => {
    expect(report.reads[0]).toMatchObject({
      id: `read:assume-role:${MEMBER}`,
      title: `Assume IncidentResponseMemberRole in account ${MEMBER}`,
      action: 'sts:AssumeRole',
      target: ROLE_ARN,
      mutating: false,
      status: 'done',
      detail: `session ${SESSION}`,
    });
    expect(report.offline).toBe(false);
  });

  it('reads and acts in the member account with the member credentials only', async () => {
    expect(report.blockedBy).toEqual([]);
    expect(report.steps.filter((s) => s.mutating && s.status === 'done').length).toBeGreaterThan(0);
    expect(harness.mocks.ec2.calls().length).toBeGreaterThan(0);
    expect(await signingKeys(harness.mocks.ec2)).toEqual([MEMBER_KEY]);
    expect(await signingKeys(harness.mocks.autoScaling)).toEqual([MEMBER_KEY]);
    expect(await signingKeys(harness.mocks.elbv2)).toEqual([MEMBER_KEY]);
  });

  it('publishes the notification from the home account', async () => {
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(harness.mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input).toMatchObject({ TopicArn: TOPIC });
    expect(await signingKeys(harness.mocks.sns)).toEqual([HOME_CREDENTIALS.accessKeyId]);
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'done', detail: 'message m-home' });
  });
});

describe('a finding of a member account whose role cannot be assumed', () => {
  let report: Report;
  const message = 'User: arn:aws:sts::111111111111:assumed-role/ir/x is not authorized to perform: sts:AssumeRole on resource: ' + ROLE_ARN;

  beforeEach(async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error(message), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    report = await run();
  });

  it('reports the failed AssumeRole, naming the role and the account, with the AWS code', () => {
    expect(report.reads).toEqual([
      expect.objectContaining({
        id: `read:assume-role:${MEMBER}`,
        action: 'sts:AssumeRole',
        target: ROLE_ARN,
        mutating: false,
        status: 'failed',
        error: { code: 'AccessDenied', message: `cannot assume role ${ROLE_ARN} in account ${MEMBER}: ${message}`, retryable: false },
      }),
      // GuardDuty is asked in the security account whatever becomes of the member account.
      expect.objectContaining({ id: 'read:find-guardduty-detector:guardduty:us-east-1', status: 'done' }),
      expect.objectContaining({ id: `read:confirm-finding:${FINDING_ID}`, status: 'done' }),
    ]);
  });

  it('blocks every change with no-account-access and plans from the finding alone', () => {
    expect(report.blockedBy).toEqual(['no-account-access']);
    expect(report.guards.find((g) => g.id === 'no-account-access')).toEqual({
      id: 'no-account-access',
      blocks: true,
      reason:
        `role ${ROLE_ARN} could not be assumed in account ${MEMBER} (AccessDenied): nothing is read or changed there. ` +
        'Deploy the member stack in that account, or check that its role trusts this playbook.',
    });
    expect(report.offline).toBe(true);
    const mutating = report.steps.filter((s) => s.mutating);
    expect(mutating.length).toBeGreaterThan(0);
    expect(mutating.every((s) => s.status === 'skipped' && s.reason === 'blocked by no-account-access')).toBe(true);
  });

  it('makes no call in any account besides the AssumeRole and the notification', () => {
    expect(harness.calls().filter((c) => c.service !== 'sns')).toEqual([]);
  });

  it('still notifies the security team from the home account, with the failed read in the message', async () => {
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = harness.mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe('[GuardDuty IR PLAN ONLY] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us...');
    expect(input.Message).toContain(`  Account: ${MEMBER}, region us-east-1`);
    expect(input.Message).toContain(`  - no-account-access: role ${ROLE_ARN} could not be assumed in account ${MEMBER} (AccessDenied)`);
    expect(input.Message).toContain(
      `  FAILED  Assume IncidentResponseMemberRole in account ${MEMBER} [sts:AssumeRole on ${ROLE_ARN}] -- AccessDenied: cannot assume role ${ROLE_ARN} in account ${MEMBER}`,
    );
    expect(await signingKeys(harness.mocks.sns)).toEqual([HOME_CREDENTIALS.accessKeyId]);
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'done' });
  });
});

describe('reaching the finding account', () => {
  it('uses the home credentials, without AssumeRole, for a finding of the home account', async () => {
    home.mockResolvedValue({ accountId: MEMBER, partition: 'aws' });
    const report = await run();
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(report.reads.some((r) => r.action === 'sts:AssumeRole')).toBe(false);
    expect(await signingKeys(harness.mocks.ec2)).toEqual([HOME_CREDENTIALS.accessKeyId]);
  });

  it('reads through the member role in a dry-run too, and changes nothing', async () => {
    const report = await run(containFinding(), { dryRun: true });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(report.blockedBy).toEqual(['dry-run']);
    expect(harness.calls().filter((c) => c.service !== 'sns' && !/^(Describe|Get|List)/.test(c.action))).toEqual([]);
    expect(harness.mocks.ec2).toHaveReceivedCommand(DescribeInstancesCommand);
  });

  it('neither assumes nor reads in an excluded account, and still notifies', async () => {
    const report = await run(containFinding(), { config: enforceConfig({ accounts: { exclude: [MEMBER] } }) });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(home).not.toHaveBeenCalled();
    expect(report.blockedBy).toEqual(['account-not-allowed']);
    // Only GuardDuty, in the security account, is asked about the finding.
    expect(report.reads.map((r) => r.action)).toEqual(['guardduty:ListDetectors', 'guardduty:GetFindings']);
    expect(harness.calls().map((c) => c.action)).toEqual(['Publish']);
  });

  it('neither assumes nor reads in an account missing from the allow list', async () => {
    const report = await run(containFinding(), { config: enforceConfig({ accounts: { allow: ['333333333333'], exclude: [] } }) });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(report.blockedBy).toEqual(['account-not-allowed']);
    expect(harness.calls().map((c) => c.action)).toEqual(['Publish']);
  });

  it('does not assume anything for notify, which only reports', async () => {
    const finding = parseFindings(loadFixture('notify/port-probe-unprotected.event.json'))[0]!;
    const report = await run(finding);
    expect(report.playbook).toBe('notify');
    expect(home).not.toHaveBeenCalled();
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(harness.calls().map((c) => c.action)).toEqual(['Publish']);
  });

  it('takes the region of a finding that names none from defaultRegion', async () => {
    const finding = { ...containFinding(), region: null };
    await respond(finding, { config: enforceConfig(), access, defaultRegion: 'eu-west-1', dryRun: true, topicArn: TOPIC, responder: RESPONDER, now: () => NOW });
    const ec2Client = harness.mocks.ec2.commandCalls(DescribeInstancesCommand)[0]!.thisValue as EC2Client;
    expect(await ec2Client.config.region()).toBe('eu-west-1');
  });

  it('publishes in the region of the topic, which is the home account one', async () => {
    await run(containFinding(), { dryRun: true });
    const snsClient = harness.mocks.sns.commandCalls(PublishCommand)[0]!.thisValue as SNSClient;
    expect(await snsClient.config.region()).toBe('us-east-1');
    await respond({ ...containFinding(), region: 'eu-west-1' }, { config: enforceConfig(), access, dryRun: true, topicArn: TOPIC, responder: RESPONDER });
    const second = harness.mocks.sns.commandCalls(PublishCommand)[1]!.thisValue as SNSClient;
    expect(await second.config.region()).toBe('us-east-1');
  });
});

describe('the member role', () => {
  it('is one of the responder’s own roles: a finding naming it is refused', async () => {
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userName: 'IncidentResponseMemberRole' } });
    const { document } = await preparePlan(finding, { config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' }, dryRun: false, responder: { protectedRoleNames: [] } });
    expect(document.blockedBy).toContain('protected-principal');
  });

  it('is protected under the name the configuration gives it', async () => {
    const finding = revokeFinding(ROLE_FINDING, { accessKeyDetails: { userName: 'CustomMember' } });
    const config = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' as const, memberRoleName: 'CustomMember' };
    expect((await preparePlan(finding, { config, dryRun: false, responder: { protectedRoleNames: [] } })).document.blockedBy).toContain('protected-principal');
    const other = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' as const };
    expect((await preparePlan(finding, { config: other, dryRun: false, responder: { protectedRoleNames: [] } })).document.blockedBy).not.toContain('protected-principal');
  });
});
