import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ArchiveFindingsCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { ARCHIVE_STEP_ID, SECURITY_HUB_STEP_ID } from '../../../lambda/close-loop/ids';
import { OwedNotes, owedNotePointerKey } from '../../../lambda/close-loop/owed-notes';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { answerOf } from '../../../lambda/ledger/answered';
import type { Report, StepReport } from '../../../lambda/plan/document';
import { respond } from '../../../lambda/respond/respond';
import { outcomeOf } from '../../../lambda/runtime/outcome';
import { shouldRetryInvocation } from '../../../lambda/runtime/retry-policy';
import { DETECTOR_ID, useGuardDuty } from '../../support/aws-mocks/guardduty';
import { givenUser, iamError } from '../../support/aws-mocks/revoke-iam';
import { revokeFinding, USER_KEY_FINDING } from '../../support/aws-mocks/revoke-findings';
import { givenQuietInvestigation } from '../../support/aws-mocks/revoke-investigation';
import {
  securityHubLeavesUnprocessed,
  securityHubNotEnabled,
  securityHubUpdates,
  updatesReceived,
  useSecurityHub,
} from '../../support/aws-mocks/security-hub';
import { loadFixture } from '../../support/fixtures';

/*
 * Closing the loop (lambda/close-loop/) through the whole response path,
 * with mocked clients: moto has no Security Hub BatchUpdateFindings nor
 * GuardDuty ArchiveFindings. A revoke-credentials response (a user's
 * long-term key) and a notify response (an S3 finding).
 */

const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const cloudTrail = mockClient(CloudTrailClient);
const securityHub = useSecurityHub();
const guardDuty = useGuardDuty();
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir-notifications';
const KEY = 'AKIA2EXAMPLEKEY00001';
const FINDING_ARN = 'arn:aws:guardduty:us-east-1:222222222222:detector/12abc34d567e8fa901bc2d34e56789f0/finding/d279186428a75016b17e4df5ea43d080';
const GUARDDUTY_PRODUCT = 'arn:aws:securityhub:us-east-1::product/aws/guardduty';

const CLOSE_THE_LOOP: RuntimeConfig = {
  ...DEFAULT_RUNTIME_CONFIG,
  mode: 'enforce',
  securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: true },
  guardDuty: { archiveAfterContainment: true },
};

function run(finding: Finding, options: { dryRun?: boolean; config?: RuntimeConfig; stackRegion?: string } = {}): Promise<Report> {
  guardDuty.holds(finding);
  guardDuty.mock.on(ArchiveFindingsCommand).resolves({});
  return respond(finding, {
    config: options.config ?? CLOSE_THE_LOOP,
    clients,
    dryRun: options.dryRun ?? false,
    topicArn: TOPIC,
    responder: { protectedRoleNames: [] },
    ...(options.stackRegion === undefined ? {} : { stackRegion: options.stackRegion }),
  });
}

function stepOf(report: Report, id: string): StepReport {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return step;
}

function published(): { subject: string; message: string } {
  const [call] = sns.commandCalls(PublishCommand);
  if (!call) throw new Error('nothing was published');
  return { subject: call.args[0].input.Subject ?? '', message: call.args[0].input.Message ?? '' };
}

const archivesSent = () => guardDuty.mock.commandCalls(ArchiveFindingsCommand).map((call) => call.args[0].input);

beforeEach(() => {
  iam.reset();
  sns.reset();
  cloudTrail.reset();
  securityHub.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  cloudTrail.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  givenQuietInvestigation(iam, cloudTrail);
  givenUser(iam, { userName: 'deploy-bot', tags: {}, keys: [{ accessKeyId: KEY, status: 'Active' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
});

describe('a containment that completed', () => {
  beforeEach(() => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    securityHubUpdates(securityHub);
  });

  it('notes the incident and its outcome on the Security Hub finding, sets NOTIFIED, and archives the GuardDuty finding, in the security account', async () => {
    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(updatesReceived(securityHub)).toEqual([
      {
        FindingIdentifiers: [{ Id: FINDING_ARN, ProductArn: GUARDDUTY_PRODUCT }],
        Note: {
          Text:
            `GuardDuty incident response, incident ${report.incidentId}: revoke-credentials, every change done (6 done, 0 skipped, 0 failed). ` +
            'The notification and the ledger hold the report.',
          UpdatedBy: 'guardduty-incident-response/revoke-credentials',
        },
        Workflow: { Status: 'NOTIFIED' },
      },
    ]);
    // The security account's detector, looked up (the confirmation looked it up already: one ListDetectors for both).
    expect(archivesSent()).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: ['d279186428a75016b17e4df5ea43d080'] }]);
    expect(guardDuty.mock.commandCalls(ListDetectorsCommand).length).toBeGreaterThanOrEqual(1);
    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'done', detail: 'note by guardduty-incident-response/revoke-credentials, workflow status NOTIFIED', mutating: true });
    expect(stepOf(report, ARCHIVE_STEP_ID)).toMatchObject({ status: 'done', detail: `archived in detector ${DETECTOR_ID} (us-east-1)`, mutating: true });
  });

  it('runs after every step of the playbook and before the notification, which lists both', async () => {
    const report = await run(revokeFinding(USER_KEY_FINDING));

    const ids = report.steps.map((s) => s.id);
    const playbookStages = report.steps.filter((s) => !s.id.startsWith('evidence') && ![SECURITY_HUB_STEP_ID, ARCHIVE_STEP_ID, 'notify'].includes(s.id)).map((s) => s.stage);
    const closeLoop = [stepOf(report, SECURITY_HUB_STEP_ID), stepOf(report, ARCHIVE_STEP_ID)];
    expect(closeLoop.map((s) => s.stage)).toEqual([Math.max(...playbookStages) + 1, Math.max(...playbookStages) + 1]);
    expect(stepOf(report, 'notify').stage).toBe(closeLoop[0]!.stage + 1);
    expect(ids.indexOf(ARCHIVE_STEP_ID)).toBe(ids.indexOf('notify') - 1);
    const { message } = published();
    // The step titles, whatever the layout of the email (lambda/notify/).
    expect(message).toContain('Note the response on the finding in Security Hub');
    expect(message).toContain('Archive the GuardDuty finding after a completed containment');
  });

  it('leaves the ledger, the outcome and the retry policy to the playbook’s own changes', async () => {
    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(answerOf(report)).toMatchObject({ answered: true, kind: 'changes-done' });
    expect(outcomeOf(report)).toBe('acted');
  });

  it('uses the configured detector of the stack’s region without asking GuardDuty for it (no ListDetectors, nor for the confirmation)', async () => {
    const finding = revokeFinding(USER_KEY_FINDING);
    const config = { ...CLOSE_THE_LOOP, guardDuty: { archiveAfterContainment: true, detectorId: DETECTOR_ID } };
    const report = await run(finding, { config, stackRegion: 'us-east-1' });

    expect(archivesSent()).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: [finding.id] }]);
    expect(guardDuty.mock.commandCalls(ListDetectorsCommand)).toHaveLength(0);
    expect(stepOf(report, ARCHIVE_STEP_ID).parameters).toEqual({ DetectorId: DETECTOR_ID, FindingIds: [finding.id] });
    expect(stepOf(report, ARCHIVE_STEP_ID)).toMatchObject({ status: 'done', detail: `archived in detector ${DETECTOR_ID} (us-east-1)` });
  });

  it('a finding of another region than the stack’s: its detector is looked up, the configured one (the stack region’s) is never sent there', async () => {
    const finding = revokeFinding(USER_KEY_FINDING);
    const config = { ...CLOSE_THE_LOOP, guardDuty: { archiveAfterContainment: true, detectorId: 'otherregiondetector03' } };
    const report = await run(finding, { config, stackRegion: 'eu-west-1' });

    expect(archivesSent()).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: [finding.id] }]);
    expect(stepOf(report, ARCHIVE_STEP_ID).parameters).toEqual({ DetectorId: "<the security account's detector in us-east-1 (ListDetectors)>", FindingIds: [finding.id] });
  });

  it('a stale configured id: the confirmation found it stale, and the archive goes to the detector ListDetectors named, saying so', async () => {
    const finding = revokeFinding(USER_KEY_FINDING);
    const config = { ...CLOSE_THE_LOOP, guardDuty: { archiveAfterContainment: true, detectorId: 'staledetector02' } };
    const report = await run(finding, { config, stackRegion: 'us-east-1' });

    expect(archivesSent()).toEqual([{ DetectorId: DETECTOR_ID, FindingIds: [finding.id] }]);
    expect(stepOf(report, ARCHIVE_STEP_ID)).toMatchObject({
      status: 'done',
      detail: expect.stringMatching(new RegExp(`^archived in detector ${DETECTOR_ID} \\(us-east-1\\); the configured detector id staledetector02 is stale in us-east-1 `)),
    });
    // The next finding of this container: its plan no longer shows the id the container found stale.
    const next = await run(finding, { config, stackRegion: 'us-east-1' });
    expect(stepOf(next, ARCHIVE_STEP_ID).parameters).toEqual({ DetectorId: "<the security account's detector in us-east-1 (ListDetectors)>", FindingIds: [finding.id] });
  });
});

describe('a containment that is partial', () => {
  it('notes PARTIAL with the failed step and its code, and never archives the finding', async () => {
    iam.on(UpdateAccessKeyCommand).rejects(iamError('AccessDenied', 'not allowed (test)'));
    iam.on(PutUserPolicyCommand).resolves({});
    securityHubUpdates(securityHub);

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, 'deactivate-access-key').status).toBe('failed');
    const [update] = updatesReceived(securityHub);
    expect(update?.Note?.Text).toContain('revoke-credentials, PARTIAL, not every change could be made (5 done, 0 skipped, 1 failed); failed: deactivate-access-key (AccessDenied)');
    // People were notified; the note says how it went.
    expect(update?.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(archivesSent()).toEqual([]);
    expect(stepOf(report, ARCHIVE_STEP_ID)).toMatchObject({
      status: 'skipped',
      reason: 'the containment is not complete (failed: deactivate-access-key (AccessDenied)): the finding stays active for the analysts',
    });
  });
  // A change not run (blocked, or a step it needs not done): test/unit/close-loop/containment.test.ts, with the real executor.
});

describe('Security Hub', () => {
  beforeEach(() => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
  });

  it('not enabled in the security account: the note is skipped with that reason, not failed', async () => {
    securityHubNotEnabled(securityHub);

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({
      status: 'skipped',
      reason: 'Security Hub is not enabled in the security account in us-east-1 (InvalidAccessException: Account 111111111111 is not subscribed to AWS Security Hub)',
    });
    expect(report.summary.failed).toBe(0);
    expect(published().subject).not.toContain('FAILED');
  });

  it('a finding Security Hub does not hold yet (FindingNotFound: the import takes minutes) is a skip that says so, not a FAILED subject', async () => {
    securityHubLeavesUnprocessed(securityHub, 'FindingNotFound', 'The finding was not found');

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'skipped' });
    expect(stepOf(report, SECURITY_HUB_STEP_ID).reason).toMatch(/^Security Hub does not hold the finding yet \(FindingNotFound: The finding was not found\): GuardDuty sends a new finding/);
    expect(published().subject).not.toContain('FAILED');
    expect(published().message).toContain('Security Hub does not hold the finding yet');
    expect(answerOf(report)).toMatchObject({ answered: true, kind: 'changes-done' });
    expect(shouldRetryInvocation(report).retry).toBe(false);
  });

  it('leaving the finding unprocessed for another reason fails the step with its error code, named in the subject, without failing the invocation', async () => {
    securityHubLeavesUnprocessed(securityHub, 'InvalidInput', 'The note is invalid');

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'failed', error: { code: 'InvalidInput', retryable: false } });
    expect(stepOf(report, SECURITY_HUB_STEP_ID).error?.message).toBe('Security Hub did not update the finding: The note is invalid');
    // A change that could not be made is named in the subject.
    expect(published().subject).toContain('securityhub');
    // The containment is done: the incident is answered, and repeating every action would not send the note again.
    expect(answerOf(report)).toMatchObject({ answered: true, kind: 'changes-done' });
    expect(shouldRetryInvocation(report).retry).toBe(false);
  });

  it('a finding whose ARN names another finding is not noted: failed, FindingArnMismatch, no call', async () => {
    securityHubUpdates(securityHub);
    const finding = { ...revokeFinding(USER_KEY_FINDING), arn: FINDING_ARN.replace('d279186428a75016b17e4df5ea43d080', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa') };

    const report = await run(finding);

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'failed', error: { code: 'FindingArnMismatch' } });
    expect(updatesReceived(securityHub)).toEqual([]);
  });
});

describe('dry-run', () => {
  it('shows both steps, blocked, and calls neither', async () => {
    securityHubUpdates(securityHub);

    const report = await run(revokeFinding(USER_KEY_FINDING), { dryRun: true });

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({
      status: 'skipped',
      reason: 'blocked by dry-run',
      action: 'securityhub:BatchUpdateFindings',
      parameters: {
        FindingIdentifiers: [{ Id: FINDING_ARN, ProductArn: GUARDDUTY_PRODUCT }],
        Note: { Text: `<incident ${report.incidentId} and its outcome>`, UpdatedBy: 'guardduty-incident-response/revoke-credentials' },
        Workflow: { Status: '<NOTIFIED if the response changed something, else unchanged>' },
      },
    });
    expect(stepOf(report, ARCHIVE_STEP_ID)).toMatchObject({ status: 'skipped', reason: 'blocked by dry-run', action: 'guardduty:ArchiveFindings' });
    expect(updatesReceived(securityHub)).toEqual([]);
    expect(archivesSent()).toEqual([]);
  });
});

describe('the local emulator (localEmulator, emulator/runtime-config.ts)', () => {
  it('reports both steps "not available in the local emulator", skipped, and calls neither', async () => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    securityHubUpdates(securityHub);

    const report = await run(revokeFinding(USER_KEY_FINDING), { config: { ...CLOSE_THE_LOOP, localEmulator: true } });

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'skipped', reason: 'not available in the local emulator (Security Hub: moto does not implement securityhub:BatchUpdateFindings; on AWS it answers)' });
    expect(stepOf(report, ARCHIVE_STEP_ID)).toMatchObject({ status: 'skipped', reason: 'not available in the local emulator (GuardDuty findings: moto does not implement guardduty:ArchiveFindings; on AWS it answers)' });
    expect(updatesReceived(securityHub)).toEqual([]);
    expect(archivesSent()).toEqual([]);
  });
});

describe('notify, which never acts', () => {
  const s3Finding = () => parseFindings(loadFixture('notify/stealth-s3-logging-disabled.event.json'))[0]!;

  it('gets a note and no workflow status change, and no archive step', async () => {
    securityHubUpdates(securityHub);
    const finding = s3Finding();

    const report = await run(finding);

    expect(updatesReceived(securityHub)).toEqual([
      {
        FindingIdentifiers: [{ Id: finding.arn, ProductArn: GUARDDUTY_PRODUCT }],
        Note: {
          Text:
            `GuardDuty incident response, incident ${report.incidentId}: notify, reported to the security team, no automated change applies ` +
            '(0 done, 0 skipped, 0 failed). The notification and the ledger hold the report.',
          UpdatedBy: 'guardduty-incident-response/notify',
        },
      },
    ]);
    expect(report.steps.map((s) => s.id)).not.toContain(ARCHIVE_STEP_ID);
    // A note is no change of the account: still only reported.
    expect(outcomeOf(report)).toBe('reported');
    expect(answerOf(report)).toMatchObject({ answered: true, kind: 'no-change-needed' });
  });

  it('with whenNothingChanged "nothing": the step is skipped, saying so, and nothing is sent', async () => {
    securityHubUpdates(securityHub);
    const config = { ...CLOSE_THE_LOOP, securityHub: { ...CLOSE_THE_LOOP.securityHub, whenNothingChanged: 'nothing' as const } };

    const report = await run(s3Finding(), { config });

    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'skipped', reason: 'the response changed nothing, and securityHub.whenNothingChanged is "nothing"' });
    expect(updatesReceived(securityHub)).toEqual([]);
  });
});

describe('by default', () => {
  it('notes the response in Security Hub, and does not archive the GuardDuty finding', async () => {
    securityHubUpdates(securityHub);
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING), { config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' } });

    expect(report.steps.map((s) => s.id)).toEqual(expect.arrayContaining([SECURITY_HUB_STEP_ID]));
    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'done', detail: expect.stringContaining('workflow status NOTIFIED') });
    expect(updatesReceived(securityHub)).toHaveLength(1);
    expect(updatesReceived(securityHub)[0]).toMatchObject({ Workflow: { Status: 'NOTIFIED' } });
    expect(report.steps.map((s) => s.id)).not.toEqual(expect.arrayContaining([ARCHIVE_STEP_ID]));
  });

  it('plans neither step with securityHub.updateFindings false', async () => {
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_KEY_FINDING), { config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false } } });

    expect(report.steps.map((s) => s.id)).not.toEqual(expect.arrayContaining([SECURITY_HUB_STEP_ID]));
    expect(report.steps.map((s) => s.id)).not.toEqual(expect.arrayContaining([ARCHIVE_STEP_ID]));
    expect(updatesReceived(securityHub)).toEqual([]);
  });
});

describe('a finding Security Hub does not hold yet, with the incident ledger', () => {
  const dynamodb = mockClient(DynamoDBClient);
  afterAll(() => dynamodb.restore());
  const TABLE = 'ledger-table';
  const NOW = new Date('2026-12-06T21:00:00.000Z');
  const ledgerClient = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  const ledger = (): LedgerOptions => ({
    ledger: new IncidentLedger(ledgerClient, TABLE, () => NOW),
    brake: new ContainmentBrake(ledgerClient, TABLE, 10, () => NOW),
    level: 'enforce',
    leaseMs: 75_000,
    owedNotes: new OwedNotes(ledgerClient, TABLE, () => NOW),
  });
  const withLedger = (finding: Finding) => {
    guardDuty.holds(finding);
    return respond(finding, { config: CLOSE_THE_LOOP, clients, dryRun: false, topicArn: TOPIC, responder: { protectedRoleNames: [] }, ledger: ledger(), now: () => NOW });
  };
  const noteWrites = () =>
    dynamodb
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key?.pk?.S?.startsWith('securityhub-note#') || input.UpdateExpression === 'SET #note = :note');

  beforeEach(() => {
    dynamodb.reset();
    dynamodb.resolves({});
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    securityHubLeavesUnprocessed(securityHub, 'FindingNotFound', 'The finding was not found');
  });

  it('records the request it would have sent as owed on the incident’s item, and the pointer from the finding: a skip that says so', async () => {
    const report = await withLedger(revokeFinding(USER_KEY_FINDING));
    const [sent] = updatesReceived(securityHub);
    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'skipped' });
    expect(stepOf(report, SECURITY_HUB_STEP_ID).reason).toMatch(
      /^Security Hub does not hold the finding yet \(FindingNotFound: The finding was not found\): GuardDuty sends .*; the note is owed in the ledger and is written when Security Hub imports the finding$/,
    );
    expect(noteWrites()).toEqual([
      {
        TableName: TABLE,
        Key: owedNotePointerKey(FINDING_ARN),
        UpdateExpression: 'SET incidentId = :incidentId, findingArn = :findingArn, owedAt = :at',
        ExpressionAttributeValues: { ':incidentId': { S: report.incidentId }, ':findingArn': { S: FINDING_ARN }, ':at': { S: NOW.toISOString() } },
      },
      {
        TableName: TABLE,
        Key: { pk: { S: `incident#${report.incidentId}` } },
        UpdateExpression: 'SET #note = :note',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#note': 'securityHubNote' },
        ExpressionAttributeValues: {
          ':note': {
            M: {
              findingArn: { S: FINDING_ARN },
              productArn: { S: GUARDDUTY_PRODUCT },
              text: { S: sent!.Note!.Text },
              author: { S: 'guardduty-incident-response/revoke-credentials' },
              status: { S: 'NOTIFIED' },
              progress: { S: 'owed' },
              owedAt: { S: NOW.toISOString() },
            },
          },
        },
      },
    ]);
    expect(sent!.Note!.Text).toMatch(/^GuardDuty incident response, incident .*: revoke-credentials, every change done/);
  });

  it('a ledger that cannot record it fails the step with DynamoDB’s code (the note would never arrive), not the invocation', async () => {
    dynamodb.on(UpdateItemCommand, { UpdateExpression: 'SET #note = :note' }).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const report = await withLedger(revokeFinding(USER_KEY_FINDING));
    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' } });
    expect(stepOf(report, SECURITY_HUB_STEP_ID).error?.message).toMatch(/^Security Hub does not hold the finding yet \(FindingNotFound: .*\), and the ledger could not record the note as owed: not authorized$/);
    expect(shouldRetryInvocation(report).retry).toBe(false);
  });

  it('notify records it only where no acting playbook’s outcome is (refused: a skip that says so)', async () => {
    const finding = parseFindings(loadFixture('notify/stealth-s3-logging-disabled.event.json'))[0]!;
    dynamodb.on(UpdateItemCommand, { UpdateExpression: 'SET #note = :note' }).rejects(Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} })));
    const report = await withLedger(finding);
    const [noteWrite] = noteWrites().filter((input) => input.UpdateExpression === 'SET #note = :note');
    expect(noteWrite?.ConditionExpression).toBe('attribute_exists(pk) AND (attribute_not_exists(playbook) OR playbook = :reportOnly)');
    expect(noteWrite?.ExpressionAttributeValues?.[':reportOnly']).toEqual({ S: 'notify' });
    expect(stepOf(report, SECURITY_HUB_STEP_ID)).toMatchObject({ status: 'skipped' });
    expect(stepOf(report, SECURITY_HUB_STEP_ID).reason).toMatch(/the incident's ledger record is an acting playbook's, so this report-only response owes no note there$/);
  });
});
