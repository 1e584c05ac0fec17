import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { GetFindingsCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AccountAccess } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { CONFIRMATION_UNAVAILABLE, FINDING_CONFIRMATION } from '../../../lambda/confirm/verdicts';
import type { Report } from '../../../lambda/plan/document';
import { forgetEverything } from '../../../lambda/playbooks/contain-instance/early/group-memory';
import { respond } from '../../../lambda/respond/respond';
import type { LambdaEnvironment } from '../../../lambda/runtime/environment';
import type { LambdaContext } from '../../../lambda/runtime/home-account';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, FINDING_ID, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { DETECTOR_ID, guardDutyHolds, heldFinding, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { useMemberAccountMocks } from '../../support/aws-mocks/member-account';
import { handleAs } from '../../support/playbook-entries';

/*
 * guardDuty.detectorId (lambda/confirm/detector.ts): in the stack's region
 * the confirmation asks GetFindings of the configured detector at once, with
 * no ListDetectors before it; a configured id GuardDuty no longer knows is
 * looked up again within the same delivery and remembered stale per client.
 * Mocked GuardDuty only: moto has no GuardDuty findings API. The mock's
 * detector is DETECTOR_ID; any other id is refused the way GuardDuty refuses
 * an id that is not the account's (BadRequestException, 400).
 */

const STALE_ID = '99ffee88ddcc77bbaa66554433221100';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';

const guardDuty = useGuardDuty();
const { mocks } = useMemberAccountMocks();

/** A container: its clients, and what they remember of the detector, live as long as it does. */
let access: AccountAccess;

beforeEach(() => {
  access = new AccountAccess({
    home: async () => ({ accountId: '111111111111', partition: 'aws' }),
    memberRoleName: 'IncidentResponseMemberRole',
    clientClasses: EVERY_CLIENT,
    base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
  });
  guardDuty.holds(containFinding());
});

function run(detectorId: string | undefined, stackRegion: string | undefined, detectorIds?: Record<string, string>): Promise<Report> {
  return respond(containFinding(), {
    config: enforceConfig(detectorId === undefined && detectorIds === undefined ? {} : { guardDuty: { archiveAfterContainment: false, ...(detectorId ? { detectorId } : {}), ...(detectorIds ? { detectorIds } : {}) } }),
    access,
    dryRun: false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
    ...(stackRegion === undefined ? {} : { stackRegion }),
  });
}

/** Every GuardDuty call, in the order sent: operation and exact input. */
const sent = () => guardDuty.mock.calls().map((call) => [(call.args[0] as object).constructor.name.replace(/Command$/, ''), call.args[0].input]);
const getFindings = (detectorId: string) => ['GetFindings', { DetectorId: detectorId, FindingIds: [FINDING_ID] }];
const LIST_DETECTORS = ['ListDetectors', {}];
const verdict = (report: Report) => report.guards.find((g) => g.id === FINDING_CONFIRMATION || g.id === CONFIRMATION_UNAVAILABLE);
const confirmationReads = (report: Report) => report.reads.filter((r) => r.action.startsWith('guardduty:'));
const moves = () => mocks.ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand);
const message = () => mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
const error = (name: string, status: number, text: string) => Object.assign(new Error(text), { name, $metadata: { httpStatusCode: status } });

describe('which detector is asked', () => {
  it('listed for the finding’s region in guardDuty.detectorIds: GetFindings with that id at once, whatever the stack’s region', async () => {
    const report = await run(undefined, 'eu-west-1', { 'us-east-1': DETECTOR_ID, 'eu-west-1': STALE_ID });
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
  });

  it('guardDuty.detectorIds lists another region only: ListDetectors, then GetFindings', async () => {
    const report = await run(undefined, 'us-east-1', { 'eu-west-1': STALE_ID });
    expect(sent()).toEqual([LIST_DETECTORS, getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
  });

  it('the finding’s region listed in guardDuty.detectorIds wins over guardDuty.detectorId', async () => {
    await run(STALE_ID, 'us-east-1', { 'us-east-1': DETECTOR_ID });
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
  });

  it('configured, and the finding is of the stack’s region: GetFindings with that id at once, no ListDetectors', async () => {
    const report = await run(DETECTOR_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
    expect(verdict(report)).toMatchObject({ id: FINDING_CONFIRMATION, blocks: false, reason: expect.stringMatching(new RegExp(`^confirmed by GuardDuty \\(detector ${DETECTOR_ID} in us-east-1\\)`)) });
    expect(verdict(report)!.reason).not.toContain('stale');
    expect(confirmationReads(report).map((r) => [r.id, r.status, r.title])).toEqual([
      [`read:confirm-finding:${FINDING_ID}`, 'done', `Ask GuardDuty for finding ${FINDING_ID} (detector ${DETECTOR_ID} in us-east-1, configured)`],
    ]);
    expect(moves().length).toBeGreaterThan(0);
  });

  it('configured, but the finding is of another region than the stack’s: ListDetectors, then GetFindings with the id it names', async () => {
    const report = await run(STALE_ID, 'eu-west-1');
    expect(sent()).toEqual([LIST_DETECTORS, getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
    expect(confirmationReads(report).map((r) => [r.id, r.status, r.title])).toEqual([
      ['read:find-guardduty-detector:guardduty:us-east-1', 'done', "Find the security account's GuardDuty detector in us-east-1 with ListDetectors"],
      [`read:confirm-finding:${FINDING_ID}`, 'done', `Ask GuardDuty for finding ${FINDING_ID} (detector ${DETECTOR_ID} in us-east-1, named by ListDetectors)`],
    ]);
  });

  it('configured, but the stack’s region unknown (a caller that does not say it): looked up, never assumed', async () => {
    await run(STALE_ID, undefined);
    expect(sent()).toEqual([LIST_DETECTORS, getFindings(DETECTOR_ID)]);
  });

  it('none configured: ListDetectors, then GetFindings, as before', async () => {
    await run(undefined, 'us-east-1');
    expect(sent()).toEqual([LIST_DETECTORS, getFindings(DETECTOR_ID)]);
  });
});

describe('a stale configured id (GuardDuty disabled and enabled again: a new detector id)', () => {
  it('the same delivery asks the stale id, looks the detector up, asks again and is confirmed; the report and notification say to update guardDuty.detectorId', async () => {
    const report = await run(STALE_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(STALE_ID), LIST_DETECTORS, getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
    expect(moves().length).toBeGreaterThan(0);
    const reason = verdict(report)!.reason;
    expect(verdict(report)).toMatchObject({ id: FINDING_CONFIRMATION, blocks: false });
    expect(reason).toMatch(new RegExp(`^confirmed by GuardDuty \\(detector ${DETECTOR_ID} in us-east-1\\)`));
    expect(reason).toContain(`the configured detector id ${STALE_ID} is stale in us-east-1 (GuardDuty refused it (BadRequestException: `);
    expect(reason).toContain(`set us-east-1's detector id in the configuration (guardDuty.detectorIds, or guardDuty.detectorId for the stack's own region) to ${DETECTOR_ID}`);
    // What happened, read by read: the refused one kept with its error, but no longer a failed read (it blocks nothing, retries nothing).
    expect(confirmationReads(report).map((r) => [r.id, r.status, r.title, r.error?.code])).toEqual([
      [`read:confirm-finding:${FINDING_ID}`, 'skipped', `Ask GuardDuty for finding ${FINDING_ID} (detector ${STALE_ID} in us-east-1, configured)`, 'BadRequestException'],
      [
        'read:find-guardduty-detector:guardduty:us-east-1',
        'done',
        `Find the security account's GuardDuty detector in us-east-1 with ListDetectors: the configured detector ${STALE_ID} was refused (BadRequestException)`,
        undefined,
      ],
      [
        `read:confirm-finding:detector/${DETECTOR_ID}/finding/${FINDING_ID}`,
        'done',
        `Ask GuardDuty for finding ${FINDING_ID} (detector ${DETECTOR_ID} in us-east-1, named by ListDetectors)`,
        undefined,
      ],
    ]);
    expect(confirmationReads(report)[0]!.reason).toMatch(new RegExp(`^superseded: the configured detector id ${STALE_ID} is stale`));
    expect(shouldRetryInvocation(report)).toEqual({ retry: false, reason: 'nothing failed' });
    expect(message()).toContain(`GuardDuty confirmation: ${reason}`);
  });

  it('the next finding of the same container goes straight to the detector ListDetectors named, and still says the configured id is stale', async () => {
    await run(STALE_ID, 'us-east-1');
    guardDuty.holds(containFinding());
    const report = await run(STALE_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
    expect(verdict(report)!.reason).toContain(`the configured detector id ${STALE_ID} is stale in us-east-1 (found on an earlier finding and ListDetectors names detector ${DETECTOR_ID}`);
  });

  it('another container (new clients) tries the configured id again: staleness is remembered per client, never shared', async () => {
    await run(STALE_ID, 'us-east-1');
    guardDuty.holds(containFinding());
    access = new AccountAccess({
      home: async () => ({ accountId: '111111111111', partition: 'aws' }),
      memberRoleName: 'IncidentResponseMemberRole',
      clientClasses: EVERY_CLIENT,
      base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 's' } },
    });
    await run(STALE_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(STALE_ID), LIST_DETECTORS, getFindings(DETECTOR_ID)]);
  });

  it('a forged finding is still refused after the look-up: blocked by the confirmation, the stale id said too', async () => {
    guardDuty.holds();
    const report = await run(STALE_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(STALE_ID), LIST_DETECTORS, getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([FINDING_CONFIRMATION]);
    expect(verdict(report)!.reason).toMatch(new RegExp(`^GuardDuty \\(detector ${DETECTOR_ID} in us-east-1\\) holds no finding ${FINDING_ID}: .*; the configured detector id ${STALE_ID} is stale`));
    expect(moves()).toHaveLength(0);
  });

  it('a BadRequestException while ListDetectors names the configured id itself: not stale, the refusal stands (failed read, blocked, not retried)', async () => {
    guardDutyHolds(guardDuty.mock, [heldFinding(containFinding())], STALE_ID);
    guardDuty.mock.on(GetFindingsCommand).rejects(error('BadRequestException', 400, 'The request is rejected because an invalid or out-of-range value is specified as an input parameter.'));
    const report = await run(STALE_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(STALE_ID), LIST_DETECTORS]);
    expect(report.blockedBy).toEqual([CONFIRMATION_UNAVAILABLE]);
    expect(report.reads.find((r) => r.id === `read:confirm-finding:${FINDING_ID}`)).toMatchObject({ status: 'failed', error: { code: 'BadRequestException', retryable: false } });
    expect(verdict(report)!.reason).not.toContain('stale');
    expect(shouldRetryInvocation(report).retry).toBe(false);
    expect(moves()).toHaveLength(0);
    // Not remembered as stale: the next finding asks the configured id first again.
    guardDuty.mock.resetHistory();
    await run(STALE_ID, 'us-east-1');
    expect(sent()[0]).toEqual(getFindings(STALE_ID));
  });

  it('the look-up after the refusal throttled: blocked, and the invocation is retried (never a silent pass)', async () => {
    guardDuty.mock.on(ListDetectorsCommand).rejects(error('TooManyRequestsException', 429, 'Rate exceeded'));
    const report = await run(STALE_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(STALE_ID), LIST_DETECTORS]);
    expect(report.blockedBy).toEqual([CONFIRMATION_UNAVAILABLE]);
    expect(verdict(report)!.reason).toMatch(new RegExp(`^the GuardDuty detector in us-east-1 could not be found after the configured detector ${STALE_ID} was refused \\(TooManyRequestsException\\)`));
    expect(shouldRetryInvocation(report).retry).toBe(true);
    expect(moves()).toHaveLength(0);
  });
});

describe('refusals that say nothing about the id: the configured detector’s failure stands, ListDetectors is not asked', () => {
  it('AccessDenied: blocked (fail closed), not retried; a deny is not a stale setting', async () => {
    guardDuty.mock.on(GetFindingsCommand).rejects(error('AccessDeniedException', 403, 'User is not authorized to perform: guardduty:GetFindings'));
    const report = await run(DETECTOR_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([CONFIRMATION_UNAVAILABLE]);
    expect(confirmationReads(report)).toEqual([expect.objectContaining({ id: `read:confirm-finding:${FINDING_ID}`, status: 'failed', error: expect.objectContaining({ code: 'AccessDeniedException', retryable: false }) })]);
    expect(verdict(report)!.reason).toMatch(new RegExp(`^GuardDuty \\(detector ${DETECTOR_ID} in us-east-1, configured\\) could not be asked for the finding \\(AccessDeniedException\\)`));
    expect(shouldRetryInvocation(report).retry).toBe(false);
    expect(moves()).toHaveLength(0);
  });

  it.each([
    ['throttled', error('TooManyRequestsException', 429, 'Rate exceeded')],
    ['a 5xx', error('InternalServerErrorException', 500, 'Internal server error')],
  ])('%s: the read failed, blocked, and the invocation is retried', async (_name, failure) => {
    guardDuty.mock.on(GetFindingsCommand).rejects(failure);
    const report = await run(DETECTOR_ID, 'us-east-1');
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([CONFIRMATION_UNAVAILABLE]);
    expect(report.reads.find((r) => r.id === `read:confirm-finding:${FINDING_ID}`)).toMatchObject({ status: 'failed', error: { code: failure.name, retryable: true } });
    expect(shouldRetryInvocation(report).retry).toBe(true);
    expect(moves()).toHaveLength(0);
  });
});

describe('in the Lambda: the stack’s region is the function’s AWS_REGION, never the finding’s', () => {
  // Each test its own home account: the entry point keeps one AccountAccess (and its clients) per container and home account.
  const contextOf = (homeAccount: string): LambdaContext => ({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${homeAccount}:function:GuardDutyIncidentResponse-ContainInstance` });
  const envIn = (awsRegion: string): LambdaEnvironment => ({
    playbook: 'contain-instance',
    config: enforceConfig({ guardDuty: { archiveAfterContainment: false, detectorId: DETECTOR_ID } }),
    topicArn: TOPIC,
    protectedRoleNames: [],
    defaultRegion: awsRegion,
  });

  beforeEach(() => forgetEverything());

  it('a finding of the function’s region: GetFindings with the configured id, nothing before it', async () => {
    const report = (await handleAs({ finding: containFinding() }, contextOf('333333333333'), envIn('us-east-1'))) as Report;
    expect(sent()).toEqual([getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
  });

  it('a finding of another region (us-east-1, the function in eu-west-1): looked up with ListDetectors', async () => {
    const report = (await handleAs({ finding: containFinding() }, contextOf('444444444444'), envIn('eu-west-1'))) as Report;
    expect(sent()).toEqual([LIST_DETECTORS, getFindings(DETECTOR_ID)]);
    expect(report.blockedBy).toEqual([]);
  });
});
