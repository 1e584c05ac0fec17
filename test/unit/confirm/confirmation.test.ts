import { DescribeInstancesCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { GetFindingsCommand, ListDetectorsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess, type HomeIdentity } from '../../../lambda/aws/account-access';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { CONFIRMATION_UNAVAILABLE, FINDING_CONFIRMATION } from '../../../lambda/confirm/verdicts';
import type { Finding } from '../../../lambda/finding/schema';
import type { Report } from '../../../lambda/plan/document';
import { preparePlan, respond } from '../../../lambda/respond/respond';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, CRYPTO_TYPE, enforceConfig, FINDING_ID, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { ACCOUNT_ID as MEMBER, INSTANCE_ID, UNRELATED_INSTANCE_ID } from '../../support/aws-mocks/contain-world';
import { DETECTOR_ID, guardDutyHolds, heldFinding, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { useMemberAccountMocks } from '../../support/aws-mocks/member-account';
import { revokeFinding, USER_KEY_FINDING } from '../../support/aws-mocks/revoke-findings';

/*
 * Confirmation (lambda/confirm/): before the first change, the security
 * account's GuardDuty detector must hold the finding as delivered. The
 * local emulator has no GuardDuty findings API (moto answers ListDetectors
 * but not GetFindings), so this behaviour is proven here, with mocked
 * clients only; the emulator runs switch it off explicitly (confirmFindings:
 * false) and their reports say the finding was NOT confirmed.
 */

const HOME: HomeIdentity = { accountId: '111111111111', partition: 'aws' };
const HOME_KEY = 'AKIAHOMEACCOUNT';
const MEMBER_KEY = 'ASIAMEMBERSESSION';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';

const guardDuty = useGuardDuty();
const { mocks, sts } = useMemberAccountMocks(MEMBER_KEY);

let access: AccountAccess;

beforeEach(() => {
  access = new AccountAccess({
    home: async () => HOME,
    memberRoleName: 'IncidentResponseMemberRole',
    clientClasses: EVERY_CLIENT,
    base: { maxAttempts: 1, credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home-secret' } },
  });
});

function run(finding: Finding, options: { dryRun?: boolean; confirmFindings?: boolean; localEmulator?: boolean } = {}): Promise<Report> {
  return respond(finding, {
    config: enforceConfig({
      ...(options.confirmFindings === undefined ? {} : { confirmFindings: options.confirmFindings }),
      ...(options.localEmulator === undefined ? {} : { localEmulator: options.localEmulator }),
    }),
    access,
    dryRun: options.dryRun ?? false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
  });
}

const moves = () => mocks.ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand);
const verdict = (report: Pick<Report, 'guards'>) => report.guards.find((g) => g.id === FINDING_CONFIRMATION || g.id === CONFIRMATION_UNAVAILABLE);
const message = () => mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
const mutatingDone = (report: Report) => report.steps.filter((s) => s.mutating && s.status !== 'skipped');

describe('a finding GuardDuty holds as delivered (member account 222222222222, responder in 111111111111)', () => {
  let report: Report;

  beforeEach(async () => {
    guardDuty.holds(containFinding());
    report = await run(containFinding());
  });

  it('asks the security account’s detector for exactly that finding id, with the home credentials, never the member role’s', async () => {
    expect(guardDuty.mock.commandCalls(ListDetectorsCommand)).toHaveLength(1);
    expect(guardDuty.mock.commandCalls(GetFindingsCommand).map((c) => c.args[0].input)).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: [FINDING_ID] }]);
    const client = guardDuty.mock.commandCalls(GetFindingsCommand)[0]!.thisValue as GuardDutyClient;
    expect(client).toBe(access.homeClients('us-east-1').guardDuty);
    expect((await client.config.credentials()).accessKeyId).toBe(HOME_KEY);
    expect(await client.config.region()).toBe('us-east-1');
    // The member account was reached for everything else.
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  it('acts: the confirmation passes, the instance is isolated, and the report and notification say it was confirmed', () => {
    expect(report.blockedBy).toEqual([]);
    expect(verdict(report)).toEqual({
      id: FINDING_CONFIRMATION,
      blocks: false,
      reason: `confirmed by GuardDuty (detector ${DETECTOR_ID} in us-east-1): finding ${FINDING_ID} with the same account, type, severity, resource role and resource, not archived`,
    });
    expect(moves().length).toBeGreaterThan(0);
    expect(message()).toContain(`GuardDuty confirmation: confirmed by GuardDuty (detector ${DETECTOR_ID} in us-east-1)`);
    expect(report.reads.map((r) => [r.id, r.status]).slice(0, 3)).toEqual([
      [`read:assume-role:${MEMBER}`, 'done'],
      ['read:find-guardduty-detector:guardduty:us-east-1', 'done'],
      [`read:confirm-finding:${FINDING_ID}`, 'done'],
    ]);
  });

  it('looks the detector up once per container and region: the next finding asks GetFindings only', async () => {
    await run(containFinding());
    expect(guardDuty.mock.commandCalls(ListDetectorsCommand)).toHaveLength(1);
    expect(guardDuty.mock.commandCalls(GetFindingsCommand)).toHaveLength(2);
  });
});

describe('a finding GuardDuty does not confirm: the plan is shown, nothing changes, the notification says why', () => {
  const unconfirmed: ReadonlyArray<readonly [string, () => void, RegExp]> = [
    ['GuardDuty holds no such finding (forged)', () => guardDuty.holds(), new RegExp(`^GuardDuty \\(detector ${DETECTOR_ID} in us-east-1\\) holds no finding ${FINDING_ID}: `)],
    [
      'GuardDuty holds it with another type',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding(), { Type: 'Recon:EC2/PortProbeUnprotectedPort' })]),
      /type is "CryptoCurrency:EC2\/BitcoinTool\.B" in the finding delivered, "Recon:EC2\/PortProbeUnprotectedPort" in GuardDuty/,
    ],
    [
      'GuardDuty holds it about another instance',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding({ instanceId: UNRELATED_INSTANCE_ID }))]),
      new RegExp(`resource\\.instanceDetails\\.instanceId is "${INSTANCE_ID}" in the finding delivered, "${UNRELATED_INSTANCE_ID}" in GuardDuty`),
    ],
    [
      'GuardDuty holds it about another resource type',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding(), { Resource: { ResourceType: 'S3Bucket' } })]),
      /resource\.resourceType is "Instance" in the finding delivered, "S3Bucket" in GuardDuty/,
    ],
    [
      'GuardDuty holds it of another account',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding(), { AccountId: '333333333333' })]),
      /accountId is "222222222222" in the finding delivered, "333333333333" in GuardDuty/,
    ],
    [
      'GuardDuty holds it with a lower severity (the floor is judged on the delivered one)',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding(), { Severity: 2 })]),
      /severity is 8 in the finding delivered, 2 in GuardDuty/,
    ],
    [
      'GuardDuty holds it with the instance as the TARGET of what the delivery calls its action',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding(), { Service: { Archived: false, ResourceRole: 'ACTOR' } })]),
      /service\.resourceRole is "TARGET" in the finding delivered, "ACTOR" in GuardDuty/,
    ],
    [
      'GuardDuty holds it archived',
      () => guardDutyHolds(guardDuty.mock, [heldFinding(containFinding(), { Service: { Archived: true, ResourceRole: 'TARGET' } })]),
      new RegExp(`^GuardDuty \\(detector ${DETECTOR_ID} in us-east-1\\) holds finding ${FINDING_ID} as archived`),
    ],
  ];

  it.each(unconfirmed)('%s', async (_name, arrange, reason) => {
    arrange();
    const report = await run(containFinding());
    expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
    expect(verdict(report)).toEqual({ id: FINDING_CONFIRMATION, blocks: true, reason: expect.stringMatching(reason) });
    // The whole plan is still shown; every change in it is skipped.
    expect(report.steps.filter((s) => s.mutating).length).toBeGreaterThan(5);
    expect(mutatingDone(report)).toEqual([]);
    expect(moves()).toHaveLength(0);
    expect(mocks.ec2).toHaveReceivedCommand(DescribeInstancesCommand);
    const text = message();
    expect(text).toContain('NO CHANGES WERE MADE. The plan below was not executed because:');
    expect(text).toContain(`  - ${FINDING_CONFIRMATION}: ${verdict(report)!.reason}`);
    // Lasting: a retry would ask the same question and get the same answer.
    expect(shouldRetryInvocation(report)).toEqual({ retry: false, reason: `blocked by ${FINDING_CONFIRMATION}: a retry would be blocked the same way` });
  });

  it('blocks an access key finding whose key GuardDuty names differently', async () => {
    const iam = mockClient(IAMClient);
    try {
      iam.onAnyCommand().resolves({});
      const finding = revokeFinding(USER_KEY_FINDING);
      const other = revokeFinding(USER_KEY_FINDING, { accessKeyDetails: { accessKeyId: 'AKIA2EXAMPLEOTHER001' } });
      guardDutyHolds(guardDuty.mock, [heldFinding(other)]);
      const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: HOME_KEY, secretAccessKey: 's' } }, EVERY_CLIENT);
      const { document } = await preparePlan(finding, { config: enforceConfig(), clients, dryRun: false, responder: RESPONDER, now: () => NOW });
      expect(document.blockedBy).toContain(FINDING_CONFIRMATION);
      expect(verdict(document)!.reason).toContain(`resource.accessKeyDetails.accessKeyId is "${finding.resource!.accessKeyDetails!.accessKeyId}" in the finding delivered, "AKIA2EXAMPLEOTHER001" in GuardDuty`);
    } finally {
      iam.restore();
    }
  });
});

describe('a confirmation that could not be made is a failed read: nothing changes, and the retry follows the read policy', () => {
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  const denied = Object.assign(new Error('User is not authorized to perform: guardduty:GetFindings'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });

  const failing = (action: 'GetFindings' | 'ListDetectors', error: Error) => () =>
    action === 'GetFindings' ? guardDuty.mock.on(GetFindingsCommand).rejects(error) : guardDuty.mock.on(ListDetectorsCommand).rejects(error);

  it.each([
    ['GetFindings throttled past the SDK’s retries', 'GetFindings', throttled, true],
    ['GetFindings refused (AccessDenied)', 'GetFindings', denied, false],
    ['ListDetectors throttled past the SDK’s retries', 'ListDetectors', throttled, true],
    ['ListDetectors refused (AccessDenied)', 'ListDetectors', denied, false],
  ] as const)('%s', async (_name, action, error, retry) => {
    guardDuty.holds(containFinding());
    failing(action, error)();
    const report = await run(containFinding());
    const read = report.reads.find((r) => r.action === `guardduty:${action}`)!;
    expect(read).toMatchObject({ status: 'failed', error: { code: error.name, retryable: retry } });
    expect(report.blockedBy).toEqual([CONFIRMATION_UNAVAILABLE]);
    expect(mutatingDone(report)).toEqual([]);
    expect(moves()).toHaveLength(0);
    expect(message()).toContain(`${read.title} [${read.action} on ${read.target}] -- ${error.name}: `);
    expect(shouldRetryInvocation(report).retry).toBe(retry);
  });

  it('looks the detector up again after GetFindings failed (GuardDuty may have been disabled and enabled again)', async () => {
    guardDuty.holds(containFinding());
    guardDuty.mock.on(GetFindingsCommand).rejects(denied);
    expect(verdict(await run(containFinding()))).toMatchObject({ id: CONFIRMATION_UNAVAILABLE, blocks: true });
    expect(guardDuty.mock.commandCalls(ListDetectorsCommand)).toHaveLength(1);
    guardDuty.holds(containFinding());
    const report = await run(containFinding());
    expect(guardDuty.mock.commandCalls(ListDetectorsCommand)).toHaveLength(1);
    expect(verdict(report)).toMatchObject({ id: FINDING_CONFIRMATION, blocks: false });
  });

  it('blocks when the security account has no detector in the region', async () => {
    guardDuty.holds(containFinding());
    guardDuty.mock.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const report = await run(containFinding());
    expect(report.reads.find((r) => r.action === 'guardduty:ListDetectors')).toMatchObject({ status: 'failed', error: { code: 'NoDetector', retryable: false } });
    expect(report.blockedBy).toEqual([CONFIRMATION_UNAVAILABLE]);
    expect(guardDuty.mock.commandCalls(GetFindingsCommand)).toHaveLength(0);
    expect(moves()).toHaveLength(0);
  });
});

describe('when GuardDuty is not asked', () => {
  it('dry-run asks too, so a dry-run shows what enforce mode would do', async () => {
    guardDuty.holds();
    const report = await run(containFinding(), { dryRun: true });
    expect(guardDuty.mock.commandCalls(GetFindingsCommand)).toHaveLength(1);
    expect(report.blockedBy).toEqual(['dry-run', FINDING_CONFIRMATION]);
  });

  it('confirmFindings: false (emulator runs) asks nothing, acts, and the report and notification say the finding was NOT confirmed', async () => {
    guardDuty.holds();
    const report = await run(containFinding(), { confirmFindings: false });
    expect(guardDuty.mock.calls()).toHaveLength(0);
    expect(report.blockedBy).toEqual([]);
    expect(moves().length).toBeGreaterThan(0);
    expect(verdict(report)).toEqual({ id: FINDING_CONFIRMATION, blocks: false, reason: expect.stringMatching(/^NOT CONFIRMED with GuardDuty: confirmFindings is false in the configuration/) });
    expect(message()).toContain('GuardDuty confirmation: NOT CONFIRMED with GuardDuty: confirmFindings is false');
    expect(message()).not.toContain('not available in the local emulator');
  });

  it('confirmFindings: false on an emulator run (localEmulator) says, in the gap’s own words, that GuardDuty is not available there', async () => {
    const report = await run(containFinding(), { confirmFindings: false, localEmulator: true });
    expect(guardDuty.mock.calls()).toHaveLength(0);
    expect(verdict(report)).toEqual({
      id: FINDING_CONFIRMATION,
      blocks: false,
      reason:
        'NOT CONFIRMED with GuardDuty: confirmFindings is false in the configuration: not available in the local emulator (GuardDuty findings: moto does not implement guardduty:GetFindings; on AWS it answers); the finding is acted on as delivered',
    });
  });

  it('a sample finding is not asked about: the sample guard blocks it anyway', async () => {
    const sample = { ...containFinding(), service: { archived: false, resourceRole: 'TARGET', count: 1, additionalInfo: { sample: true } } };
    const report = await run(sample);
    expect(guardDuty.mock.calls()).toHaveLength(0);
    expect(report.blockedBy).toEqual(['sample-finding']);
    expect(verdict(report)?.reason).toBe('not asked of GuardDuty: a sample finding is never acted on (sample-finding)');
  });

  it('offline planning asks nothing and says so', async () => {
    const { document } = await preparePlan(containFinding(), { config: enforceConfig(), dryRun: true, responder: RESPONDER });
    expect(guardDuty.mock.calls()).toHaveLength(0);
    expect(verdict(document)?.reason).toBe('not asked of GuardDuty: planned offline, from the finding alone');
  });

  it('notify, which never acts, has no confirmation at all', async () => {
    const probe = containFinding({ type: 'Recon:EC2/PortProbeUnprotectedPort' });
    const report = await run(probe);
    expect(report.playbook).toBe('notify');
    expect(guardDuty.mock.calls()).toHaveLength(0);
    expect(verdict(report)).toBeUndefined();
  });
});

it('compares against the type the finding is routed by: a crypto finding passed off as another crypto type is refused', async () => {
  guardDutyHolds(guardDuty.mock, [heldFinding(containFinding({ type: CRYPTO_TYPE }))]);
  const report = await run(containFinding({ type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' }));
  expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
  expect(moves()).toHaveLength(0);
});
