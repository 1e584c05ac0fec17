import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetServiceLastAccessedDetailsCommand,
  GetUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  ListAccountAliasesCommand,
} from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import type { Finding } from '../../../../lambda/finding/schema';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import { revokeCredentialsPlaybook } from '../../../../lambda/playbooks/revoke-credentials/playbook';
import { respond } from '../../../../lambda/respond/respond';
import { EXIT, reportExitCode } from '../../../../cli/exit-codes';
import { givenRole, givenUser, iamActionsReceived, iamError, mutatingActionsReceived, roleArn, userArn } from '../../../support/aws-mocks/revoke-iam';
import { revokeFinding, ROLE_FINDING, USER_KEY_FINDING, USER_TEMP_KEY_FINDING } from '../../../support/aws-mocks/revoke-findings';
import { givenQuietInvestigation, JOB_ID, trailEvent } from '../../../support/aws-mocks/revoke-investigation';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';

/*
 * The investigation revoke-credentials runs after containment: read-only,
 * in a later stage, in dry-run too, and never in the way of containment.
 * The readers themselves are tested in test/unit/investigation.
 */

const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const cloudTrail = mockClient(CloudTrailClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:ir';
const PLANNED_AT = '2026-11-22T10:00:00.000Z';
const RUN_AT = '2026-11-22T10:00:07.000Z';
const DAY_BEFORE_RUN = '2026-11-21T10:00:07.000Z';
const KEY = 'AKIA2EXAMPLEKEY00001';
const TEMP_KEY = 'ASIA2EXAMPLETEMPKEY1';
const INVESTIGATION = ['investigate-key-last-used', 'investigate-services-accessed', 'investigate-key-events'];

function clock(): () => Date {
  let calls = 0;
  return () => new Date(calls++ === 0 ? PLANNED_AT : RUN_AT);
}

function run(finding: Finding, options: { dryRun?: boolean; localEmulator?: boolean } = {}): Promise<Report> {
  guardDuty.holds(finding);
  return respond(finding, {
    // The Security Hub note (on by default) has its own tests (test/unit/close-loop/).
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', securityHub: { ...DEFAULT_RUNTIME_CONFIG.securityHub, updateFindings: false }, ...(options.localEmulator !== undefined ? { localEmulator: options.localEmulator } : {}) },
    clients,
    dryRun: options.dryRun ?? false,
    topicArn: TOPIC,
    responder: { protectedRoleNames: [] },
    now: clock(),
  });
}

function stepOf(report: Report, id: string): StepReport {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return step;
}

function notification(): { subject: string; message: string } {
  const [call] = sns.commandCalls(PublishCommand);
  if (!call) throw new Error('no notification was published');
  return { subject: call.args[0].input.Subject ?? '', message: call.args[0].input.Message ?? '' };
}

function givenDeployBot(): void {
  givenUser(iam, { userName: 'deploy-bot', keys: [{ accessKeyId: KEY, status: 'Active' }] });
}

function givenWhatTheKeyDid(): void {
  iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY }).resolves({
    UserName: 'deploy-bot',
    AccessKeyLastUsed: { LastUsedDate: new Date('2026-11-22T09:58:00Z'), ServiceName: 's3', Region: 'eu-west-1' },
  });
  iam.on(GetServiceLastAccessedDetailsCommand, { JobId: JOB_ID }).resolves({
    JobStatus: 'COMPLETED',
    JobCreationDate: new Date('2026-11-22T10:00:08Z'),
    JobCompletionDate: new Date('2026-11-22T10:00:09Z'),
    ServicesLastAccessed: [
      { ServiceName: 'Amazon S3', ServiceNamespace: 's3', LastAuthenticated: new Date('2026-11-22T09:58:00Z'), LastAuthenticatedRegion: 'eu-west-1' },
      { ServiceName: 'AWS Lambda', ServiceNamespace: 'lambda' },
    ],
  });
  cloudTrail.on(LookupEventsCommand).resolves({
    Events: [
      trailEvent({ name: 'ListBuckets', time: '2026-11-22T09:58:00Z', ip: '198.51.100.7' }),
      trailEvent({ name: 'ListBuckets', time: '2026-11-22T09:40:00Z', ip: '198.51.100.7' }),
      trailEvent({ name: 'CreateUser', time: '2026-11-22T09:20:00Z', ip: '203.0.113.9', errorCode: 'AccessDenied' }),
    ],
  });
}

beforeEach(() => {
  iam.reset();
  sns.reset();
  cloudTrail.reset();
  iam.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  // The account's alias, read for the notification (lambda/notify/account-alias.ts): none set.
  iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
  cloudTrail.rejects(iamError('UnexpectedCall', 'not arranged by the test'));
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  givenQuietInvestigation(iam, cloudTrail);
});

describe('a long-term key of an IAM user', () => {
  let report: Report;

  beforeEach(async () => {
    givenDeployBot();
    givenWhatTheKeyDid();
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    report = await run(revokeFinding(USER_KEY_FINDING));
  });

  it('plans the investigation read-only, in the stage after containment, depending on nothing', () => {
    expect(report.steps.map((s) => [s.id, s.stage, s.mutating, s.requires])).toEqual([
      // Every change requires the restore record written before it.
      ['record-restore:credentials', 0, true, []],
      ['deactivate-access-key', 1, true, ['record-restore:credentials']],
      ['revoke-user-sessions', 2, true, ['record-restore:credentials']],
      ['investigate-key-last-used', 3, false, []],
      ['investigate-services-accessed', 3, false, []],
      ['investigate-key-events', 3, false, []],
      ['notify', 4, false, []],
      ['evidence', 4, false, []],
    ]);
  });

  it('reads after containment, with exactly these requests', () => {
    expect(iamActionsReceived(iam)).toEqual([
      'iam:GetUser',
      'iam:ListAccessKeys',
      'iam:UpdateAccessKey',
      'iam:PutUserPolicy',
      'iam:GetAccessKeyLastUsed',
      'iam:GenerateServiceLastAccessedDetails',
      'iam:GetServiceLastAccessedDetails',
    ]);
    expect(iam.commandCalls(GetAccessKeyLastUsedCommand).map((c) => c.args[0].input)).toEqual([{ AccessKeyId: KEY }]);
    expect(iam.commandCalls(GenerateServiceLastAccessedDetailsCommand).map((c) => c.args[0].input)).toEqual([
      { Arn: userArn('deploy-bot'), Granularity: 'SERVICE_LEVEL' },
    ]);
    expect(iam.commandCalls(GetServiceLastAccessedDetailsCommand).map((c) => c.args[0].input)).toEqual([{ JobId: JOB_ID, MaxItems: 1_000 }]);
    // The window ends when the step runs; the plan showed the planning time.
    expect(cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input)).toEqual([
      {
        LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }],
        StartTime: new Date(DAY_BEFORE_RUN),
        EndTime: new Date(RUN_AT),
        MaxResults: 50,
      },
    ]);
    expect(stepOf(report, 'investigate-key-events').parameters).toMatchObject({ StartTime: '2026-11-21T10:00:00.000Z', EndTime: PLANNED_AT });
  });

  it('puts what it found in the report', () => {
    expect(stepOf(report, 'investigate-key-last-used')).toMatchObject({
      status: 'done',
      detail: 'last used 2026-11-22T09:58:00.000Z',
      evidence: { kind: 'access-key-last-used', accessKeyId: KEY, userName: 'deploy-bot', lastUsedDate: '2026-11-22T09:58:00.000Z', serviceName: 's3', region: 'eu-west-1' },
    });
    expect(stepOf(report, 'investigate-services-accessed')).toMatchObject({
      status: 'done',
      target: userArn('deploy-bot'),
      detail: '1 services accessed',
      evidence: {
        kind: 'services-last-accessed',
        principalArn: userArn('deploy-bot'),
        jobStatus: 'COMPLETED',
        servicesAccessed: 1,
        services: [{ serviceName: 'Amazon S3', serviceNamespace: 's3', lastAuthenticated: '2026-11-22T09:58:00.000Z', lastAuthenticatedRegion: 'eu-west-1' }],
      },
    });
    expect(stepOf(report, 'investigate-key-events')).toMatchObject({
      status: 'done',
      detail: '3 events',
      evidence: {
        kind: 'cloudtrail-events',
        region: 'us-east-1',
        startTime: DAY_BEFORE_RUN,
        endTime: RUN_AT,
        eventsRead: 3,
        complete: true,
        eventNames: [
          { value: 'ListBuckets', count: 2 },
          { value: 'CreateUser', count: 1 },
        ],
        sourceIps: [
          { value: '198.51.100.7', count: 2 },
          { value: '203.0.113.9', count: 1 },
        ],
        firstEventTime: '2026-11-22T09:20:00.000Z',
        lastEventTime: '2026-11-22T09:58:00.000Z',
        eventsWithError: 1,
      },
    });
    // The report goes out as JSON (Lambda's answer, `ir --json`): the evidence survives it.
    expect(JSON.parse(JSON.stringify(report)).steps.map((s: StepReport) => s.evidence)).toEqual(report.steps.map((s) => s.evidence));
  });

  it('tells the security team what it found', () => {
    const { subject, message } = notification();
    expect(subject).toMatch(/^\[GuardDuty IR DONE\]/);
    expect(message).toContain('Investigation (read-only, what the steps above found):');
    expect(message).toContain(`  Access key ${KEY} (owner deploy-bot): last used 2026-11-22T09:58:00.000Z, service s3, region eu-west-1`);
    expect(message).toContain(`  Services accessed by ${userArn('deploy-bot')} (IAM last-accessed data, which can lag by up to 4 hours): 1, most recent first:`);
    expect(message).toContain('    - Amazon S3 (s3): 2026-11-22T09:58:00.000Z in eu-west-1');
    expect(message).toContain(`  CloudTrail management events made with key ${KEY} in us-east-1, ${DAY_BEFORE_RUN} to ${RUN_AT}: 3`);
    expect(message).toContain('    by name: ListBuckets 2, CreateUser 1');
    expect(message).toContain('    first 2026-11-22T09:20:00.000Z, last 2026-11-22T09:58:00.000Z');
    expect(message).toContain('    source IPs: 198.51.100.7 2, 203.0.113.9 1');
    expect(message).toContain('    1 of them recorded an error (denied or failed calls)');
  });
});

describe('investigation failures', () => {
  beforeEach(() => {
    givenDeployBot();
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
  });

  it.each([
    ['AccessDenied', false],
    ['Throttling', true],
  ] as const)('%s: each investigation step fails with the code, containment is done, and the team is told', async (code, retryable) => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(iamError(code, `${code} from IAM`));
    iam.on(GenerateServiceLastAccessedDetailsCommand).rejects(iamError(code, `${code} from IAM`));
    cloudTrail.on(LookupEventsCommand).rejects(iamError(code, `${code} from CloudTrail`));

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(report.steps.map((s) => [s.id, s.status, s.error?.code])).toEqual([
      ['record-restore:credentials', 'done', undefined],
      ['deactivate-access-key', 'done', undefined],
      ['revoke-user-sessions', 'done', undefined],
      ['investigate-key-last-used', 'failed', code],
      ['investigate-services-accessed', 'failed', code],
      ['investigate-key-events', 'failed', code],
      ['notify', 'done', undefined],
      ['evidence', 'skipped', undefined],
    ]);
    expect(stepOf(report, 'investigate-key-events').error).toEqual({ code, message: `${code} from CloudTrail`, retryable });
    expect(report.steps.filter((s) => s.status === 'failed').every((s) => !s.mutating && s.evidence === undefined)).toBe(true);
    expect(iam).toHaveReceivedCommandTimes(GetServiceLastAccessedDetailsCommand, 0);
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Inactive' });
    const { message } = notification();
    expect(message).toContain(`  FAILED  Look up the CloudTrail events made with access key ${KEY} in the last 24 hours [cloudtrail:LookupEvents on access key ${KEY} (CloudTrail of us-east-1)] -- ${code}: ${code} from CloudTrail`);
    expect(message).not.toContain('Investigation (read-only');
  });

  it('one failed step does not hide what the others found', async () => {
    givenWhatTheKeyDid();
    iam.on(GenerateServiceLastAccessedDetailsCommand).rejects(iamError('AccessDenied'));

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(INVESTIGATION.map((id) => stepOf(report, id).status)).toEqual(['done', 'failed', 'done']);
    expect(notification().message).toContain(`  Access key ${KEY} (owner deploy-bot): last used 2026-11-22T09:58:00.000Z`);
  });

  it('reports a CloudTrail lookup cut short by the page cap as partial', async () => {
    let page = 0;
    cloudTrail.on(LookupEventsCommand).callsFake(() => {
      page += 1;
      return { Events: [trailEvent({ name: 'GetObject', time: '2026-11-22T09:00:00Z', ip: '198.51.100.7' })], NextToken: `page-${page + 1}` };
    });

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(cloudTrail).toHaveReceivedCommandTimes(LookupEventsCommand, 10);
    expect(stepOf(report, 'investigate-key-events')).toMatchObject({
      status: 'done',
      detail: 'partial: 10 events read',
      evidence: { eventsRead: 10, pagesRead: 10, complete: false, stoppedBy: 'page-cap' },
    });
    expect(notification().message).toContain('(partial: 10 events read (stopped at the cap of 10 pages))');
  });
});

describe('against the local emulator (config.localEmulator): the calls moto does not implement', () => {
  const GAP_REASON = {
    'investigate-services-accessed': 'not available in the local emulator (IAM Access Advisor: moto does not implement iam:GenerateServiceLastAccessedDetails; on AWS it answers)',
    'investigate-key-events': 'not available in the local emulator (CloudTrail event history: moto does not implement cloudtrail:LookupEvents; on AWS it answers)',
  };

  beforeEach(() => {
    givenDeployBot();
    iam.on(UpdateAccessKeyCommand).resolves({});
    iam.on(PutUserPolicyCommand).resolves({});
    // As moto answers them: HTTP 500, not implemented.
    iam.on(GetAccessKeyLastUsedCommand).rejects(iamError('InternalFailure', 'GetAccessKeyLastUsed failed'));
    iam.on(GenerateServiceLastAccessedDetailsCommand).rejects(iamError('InternalFailure', 'not yet implemented'));
    cloudTrail.on(LookupEventsCommand).rejects(iamError('InternalFailure', 'not yet implemented'));
  });

  it('localEmulator: the report, the email and the exit code say "not available in the local emulator"; an unlisted read that failed stays failed', async () => {
    const report = await run(revokeFinding(USER_KEY_FINDING), { localEmulator: true });

    expect(INVESTIGATION.map((id) => [id, stepOf(report, id).status, stepOf(report, id).reason ?? stepOf(report, id).error?.code])).toEqual([
      // iam:GetAccessKeyLastUsed is not a gap of the emulator: its failure is one.
      ['investigate-key-last-used', 'failed', 'InternalFailure'],
      ['investigate-services-accessed', 'skipped', GAP_REASON['investigate-services-accessed']],
      ['investigate-key-events', 'skipped', GAP_REASON['investigate-key-events']],
    ]);
    expect(report.summary.failed).toBe(1);
    const { message } = notification();
    expect(message).toContain(`  SKIPPED Look up the CloudTrail events made with access key ${KEY} in the last 24 hours [cloudtrail:LookupEvents on access key ${KEY} (CloudTrail of us-east-1)] -- ${GAP_REASON['investigate-key-events']}`);
    expect(message).toContain(GAP_REASON['investigate-services-accessed']);
    expect(message).not.toMatch(/FAILED +(Look up the CloudTrail|List the AWS services)/);
    expect(reportExitCode(report)).toBe(EXIT.evidenceFailed);
  });

  it('localEmulator with only the gaps failing: nothing failed, exit 0', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'deploy-bot', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
    const report = await run(revokeFinding(USER_KEY_FINDING), { localEmulator: true });
    expect(report.summary.failed).toBe(0);
    expect(reportExitCode(report)).toBe(EXIT.ok);
    expect(notification().message).not.toContain('FAILED');
  });

  it('localEmulator false (every deployed stack): the same failures are failures, named in the email, exit 3', async () => {
    const report = await run(revokeFinding(USER_KEY_FINDING), { localEmulator: false });

    expect(INVESTIGATION.map((id) => [id, stepOf(report, id).status, stepOf(report, id).error?.code])).toEqual([
      ['investigate-key-last-used', 'failed', 'InternalFailure'],
      ['investigate-services-accessed', 'failed', 'InternalFailure'],
      ['investigate-key-events', 'failed', 'InternalFailure'],
    ]);
    expect(notification().message).toContain(`  FAILED  Look up the CloudTrail events made with access key ${KEY} in the last 24 hours [cloudtrail:LookupEvents`);
    expect(notification().message).not.toContain('not available in the local emulator');
    expect(reportExitCode(report)).toBe(EXIT.evidenceFailed);
  });

  it('localEmulator: a change that fails stays a failure (exit 1)', async () => {
    iam.on(UpdateAccessKeyCommand).rejects(iamError('InternalFailure', 'moto failed'));
    const report = await run(revokeFinding(USER_KEY_FINDING), { localEmulator: true });
    expect([stepOf(report, 'deactivate-access-key').status, stepOf(report, 'deactivate-access-key').error?.code]).toEqual(['failed', 'InternalFailure']);
    expect(reportExitCode(report)).toBe(EXIT.actionFailed);
  });
});

describe('what applies to which principal', () => {
  it('a temporary key of a user: last-used does not apply, the rest runs with that key', async () => {
    givenDeployBot();
    iam.on(PutUserPolicyCommand).resolves({});

    const report = await run(revokeFinding(USER_TEMP_KEY_FINDING));

    expect(stepOf(report, 'investigate-key-last-used')).toMatchObject({
      status: 'skipped',
      reason: `does not apply: ${TEMP_KEY} is a temporary (ASIA) key, and GetAccessKeyLastUsed only knows the long-term (AKIA) keys of IAM users`,
    });
    expect(iam).toHaveReceivedCommandTimes(GetAccessKeyLastUsedCommand, 0);
    expect(cloudTrail).toHaveReceivedCommandWith(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: TEMP_KEY }] });
    expect(stepOf(report, 'investigate-services-accessed').status).toBe('done');
  });

  it('a role: the report is about the role ARN, and the session key is looked up in CloudTrail', async () => {
    givenRole(iam, { roleName: 'etl-job' });
    iam.on(PutRolePolicyCommand).resolves({});

    const report = await run(revokeFinding(ROLE_FINDING));

    expect(iam.commandCalls(GenerateServiceLastAccessedDetailsCommand).map((c) => c.args[0].input)).toEqual([{ Arn: roleArn('etl-job'), Granularity: 'SERVICE_LEVEL' }]);
    expect(stepOf(report, 'investigate-key-last-used').status).toBe('skipped');
    expect(stepOf(report, 'investigate-key-events').status).toBe('done');
    expect(stepOf(report, 'revoke-role-sessions').stage).toBeLessThan(stepOf(report, 'investigate-key-events').stage);
  });

  it('a user whose ARN could not be read: the service report is skipped with the reason; the key is still investigated', async () => {
    iam.on(GetUserCommand).rejects(iamError('AccessDenied'));

    const report = await run(revokeFinding(USER_KEY_FINDING));

    expect(report.blockedBy).toEqual(['principal-unreadable']);
    expect(stepOf(report, 'investigate-services-accessed')).toMatchObject({
      status: 'skipped',
      reason: 'the ARN of IAM user deploy-bot is not known: GetUser failed (AccessDenied)',
    });
    expect(iam).toHaveReceivedCommandTimes(GenerateServiceLastAccessedDetailsCommand, 0);
    expect(stepOf(report, 'investigate-key-last-used').status).toBe('done');
    expect(stepOf(report, 'investigate-key-events').status).toBe('done');
  });
});

describe('dry-run', () => {
  it('runs the investigation (it only reads) and sends no mutating command', async () => {
    givenDeployBot();
    givenWhatTheKeyDid();

    const report = await run(revokeFinding(USER_KEY_FINDING), { dryRun: true });

    expect(report.blockedBy).toContain('dry-run');
    expect(mutatingActionsReceived(iam, revokeCredentialsPlaybook.stepSpecs)).toEqual([]);
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ['record-restore:credentials', 'skipped'],
      ['deactivate-access-key', 'skipped'],
      ['revoke-user-sessions', 'skipped'],
      ['investigate-key-last-used', 'done'],
      ['investigate-services-accessed', 'done'],
      ['investigate-key-events', 'done'],
      ['notify', 'done'],
      ['evidence', 'skipped'],
    ]);
    expect(cloudTrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    const { subject, message } = notification();
    expect(subject).toMatch(/^\[GuardDuty IR PLAN ONLY\]/);
    expect(message).toContain('NO CHANGES WERE MADE');
    expect(message).toContain(`  CloudTrail management events made with key ${KEY} in us-east-1, ${DAY_BEFORE_RUN} to ${RUN_AT}: 3`);
  });
});
