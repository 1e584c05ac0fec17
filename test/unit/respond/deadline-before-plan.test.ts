import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { BatchGetItemCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetFindingsCommand } from '@aws-sdk/client-guardduty';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountAccess, type HomeIdentity } from '../../../lambda/aws/account-access';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { Report } from '../../../lambda/plan/document';
import { PHASE_END_SHARE, PHASE_TIMED_OUT } from '../../../lambda/plan/pre-plan-budget';
import { NOTIFICATION_CALL_LIMIT_MS } from '../../../lambda/plan/end-of-response';
import type { PrePlanPhase } from '../../../lambda/plan/phase-verdicts';
import { requiredIamActions } from '../../../lambda/playbooks/registry';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { respond } from '../../../lambda/respond/respond';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { undeclaredCalls } from '../../support/aws-mocks/contain-harness';
import { answerFromWorld, defaultWorld, mockContainClients, receivedCalls } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * AWS answering so slowly before the plan that a call never comes back: the
 * ledger's claim, AssumeRole into the member account, GuardDuty's
 * confirmation, a discovery read. Each mocked call hangs (a promise that
 * never settles); the response must still end before its deadline, with
 * nothing changed, the phase named in the report and the notification,
 * the outcome recorded under the claim without answering the incident, and
 * the invocation failing so that Lambda retries it. The response runs as
 * the Lambda's does: through the member role (AccountAccess), with the
 * ledger and the brake.
 */

const HOME: HomeIdentity = { accountId: '111111111111', partition: 'aws' };
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const TABLE = 'ledger-table';
/** The time from the response's start to its steps' deadline. */
// Room for the report, the give-back and the notification after a phase's cut-off, on a loaded machine too.
const WINDOW_MS = 3_000;

const guardDuty = useGuardDuty();
const mocks = mockContainClients();
const sts = mockClient(STSClient);
const dynamodb = mockClient(DynamoDBClient);
const hang = () => new Promise<never>(() => undefined);
const isClaim = (input: UpdateItemCommandInput) => input.ConditionExpression?.startsWith('attribute_not_exists(pk) OR ((attribute_not_exists(respondedLevel)') === true;
const isOutcome = (input: UpdateItemCommandInput) => input.ConditionExpression === 'claimToken = :token';

function ledgerOptions(): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

beforeEach(() => {
  const world = defaultWorld();
  answerFromWorld(mocks, () => world);
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sts.reset().on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  });
  dynamodb.reset();
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  guardDuty.holds(containFinding());
});

afterEach(() => {
  // Every call is one the contain-instance role is derived with.
  expect(undeclaredCalls(receivedCalls(mocks), new Set(requiredIamActions('contain-instance')))).toEqual([]);
});

afterAll(() => {
  for (const stub of [...Object.values(mocks), sts, dynamodb]) stub.restore();
});

interface Run {
  readonly report: Report;
  readonly startedAt: number;
  readonly deadlineMs: number;
  readonly endedAt: number;
}

async function run(): Promise<Run> {
  const access = new AccountAccess({
    home: async () => HOME,
    memberRoleName: 'IncidentResponseMemberRole',
    clientClasses: EVERY_CLIENT,
    base: { maxAttempts: 1, credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 'home' } },
  });
  const startedAt = Date.now();
  const deadlineMs = startedAt + WINDOW_MS;
  const report = await respond(containFinding(), {
    config: enforceConfig(),
    access,
    defaultRegion: 'us-east-1',
    dryRun: false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
    ledger: ledgerOptions(),
    deadlineMs,
  });
  return { report, startedAt, deadlineMs, endedAt: Date.now() };
}

const changes = () => receivedCalls(mocks).filter((c) => !/^(Describe|Get|List)/.test(c.action) && c.service !== 'sns');
const published = () => mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const outcomeWrites = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).filter(isOutcome);

/** Ended after the phase's cut-off (it was waited for) and before the steps' deadline (the report was recorded in time). */
function expectEndedInTime(r: Run, phase: PrePlanPhase): void {
  expect(r.endedAt - r.startedAt).toBeGreaterThanOrEqual(Math.floor(WINDOW_MS * PHASE_END_SHARE[phase]) - 5);
  expect(r.endedAt).toBeLessThan(r.deadlineMs);
}

/** Nothing changed, the phase named, the incident left open, and the invocation failed so that it is retried. */
function expectOutOfTime(r: Run, phase: PrePlanPhase, subjectPhases: string): void {
  expect(changes()).toEqual([]);
  expect(r.report.blockedBy).toContain(`${phase}-out-of-time`);
  expect(r.report.guards.find((g) => g.id === `${phase}-out-of-time`)).toMatchObject({ blocks: true, reason: expect.stringContaining('nothing is changed, the incident stays open') });
  expect(r.report.steps.filter((s) => s.mutating && s.status !== 'skipped')).toEqual([]);
  expect(published().map((p) => p.Subject)).toEqual([`[GuardDuty IR OUT OF TIME ${subjectPhases}] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01)`]);
  expect(published()[0]!.Message).toMatch(new RegExp(`^OUT OF TIME: this contain-instance response was planned but NOT executed\\. ${phase}-out-of-time: `));
  const decision = shouldFailInvocation(r.report);
  expect(decision).toEqual({ retry: true, reason: expect.stringContaining(`the ${phase} phase ran out of time before any change`) });
}

describe('a claim refused (throttled past every retry) while the slot reserved beside it cannot be given back', () => {
  it('settles at once with claim-unavailable: the slot’s release is not waited for (it ages out of the hour)', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) =>
      isClaim(input) ? Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })) : Promise.resolve({}),
    );
    dynamodb.on(DeleteItemCommand).callsFake(hang);
    const r = await run();
    expect(r.report.blockedBy).toEqual(['claim-unavailable']);
    expect(r.report.guards.find((g) => g.id === 'claim-unavailable')!.reason).toContain('so whether another delivery holds incident');
    expect(changes()).toEqual([]);
    // Long before the deadline: the hanging release held nothing up.
    expect(r.endedAt).toBeLessThan(r.deadlineMs - 1_000);
  });
});

describe('a take-over that never answers', () => {
  it('ends at the ledger cut-off and gives back the claim the take-over may have made, under the take-over’s own token', async () => {
    const isTakeOver = (input: UpdateItemCommandInput) => isClaim(input) && (input.UpdateExpression ?? '').includes('claimActing = :findingId');
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isTakeOver(input)) return hang();
      // The early claim finds another delivery's, not acting (and not the opener's: no grace), which this one takes over.
      if (isClaim(input)) {
        return Promise.reject(
          Object.assign(new Error('The conditional request failed'), {
            name: 'ConditionalCheckFailedException',
            $metadata: {},
            Item: { claimToken: { S: 'other/1' }, claimLevel: { N: '2' }, leaseUntil: { N: String(Date.now() + 60_000) } },
          }),
        );
      }
      return Promise.resolve({});
    });
    const r = await run();
    expect(r.report.blockedBy).toEqual(expect.arrayContaining(['claim-unavailable', 'ledger-out-of-time']));
    expect(changes()).toEqual([]);
    const takeOver = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find(isTakeOver)!;
    const [outcome] = outcomeWrites();
    expect(outcome!.ExpressionAttributeValues![':token']!.S).toBe(takeOver.ExpressionAttributeValues![':token']!.S);
    expect(outcome!.UpdateExpression).toContain('REMOVE leaseUntil, claimToken, claimLevel');
  });
});

describe('a claim that never answers', () => {
  it('ends at the ledger cut-off, changes nothing, and records the report under the claim it sent, giving it back unanswered', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => (isClaim(input) ? hang() : Promise.resolve({})));
    const r = await run();
    expectEndedInTime(r, 'ledger');
    expectOutOfTime(r, 'ledger', 'ledger');
    const claimRead = r.report.reads.find((read) => read.id.startsWith('read:claim-incident:'))!;
    expect(claimRead).toMatchObject({ status: 'failed', error: { code: PHASE_TIMED_OUT, retryable: true } });
    expect(claimRead.error!.message).toMatch(/^Claim incident \S+ in the ledger: not answered by .*abandoned \(a write may still land\)/);
    expect(r.report.blockedBy).toEqual(expect.arrayContaining(['claim-unavailable', 'ledger-out-of-time']));
    // The claim may have landed: the outcome is written under its token (conditional on it), not answered, and the claim given back.
    const claimToken = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find(isClaim)!.ExpressionAttributeValues![':token']!.S;
    const [outcome] = outcomeWrites();
    expect(outcome!.ExpressionAttributeValues![':token']!.S).toBe(claimToken);
    expect(outcome!.UpdateExpression).not.toContain('respondedLevel');
    expect(outcome!.UpdateExpression).toContain('REMOVE leaseUntil, claimToken, claimLevel');
    expect(r.report.ledger).toMatchObject({ table: TABLE, recorded: true });
  });
});

describe('AssumeRole into the member account that never answers', () => {
  it('ends at its cut-off, reads nothing in the member account, and records the report unanswered', async () => {
    sts.on(AssumeRoleCommand).callsFake(hang);
    const r = await run();
    expectEndedInTime(r, 'assume-role');
    expectOutOfTime(r, 'assume-role', 'assume-role');
    expect(r.report.reads[0]).toMatchObject({ id: 'read:assume-role:222222222222', status: 'failed', error: { code: PHASE_TIMED_OUT, retryable: true } });
    expect(receivedCalls(mocks).filter((c) => c.service !== 'sns')).toEqual([]);
    expect(r.report.offline).toBe(true);
    const [outcome] = outcomeWrites();
    expect(outcome!.UpdateExpression).not.toContain('respondedLevel');
  });
});

describe("GuardDuty's confirmation that never answers", () => {
  it('ends at its cut-off and changes nothing: the finding is not confirmed in time', async () => {
    guardDuty.mock.on(GetFindingsCommand).callsFake(hang);
    const r = await run();
    expectEndedInTime(r, 'confirmation');
    expectOutOfTime(r, 'confirmation', 'confirmation');
    expect(r.report.blockedBy).toEqual(expect.arrayContaining(['confirmation-unavailable', 'confirmation-out-of-time']));
    expect(r.report.reads.find((read) => read.action === 'guardduty:GetFindings')).toMatchObject({ status: 'failed', error: { code: PHASE_TIMED_OUT } });
  });
});

describe('a discovery read that never answers', () => {
  it('DescribeInstances: ends at the discovery cut-off, nothing is planned against an instance not read', async () => {
    mocks.ec2.on(DescribeInstancesCommand).callsFake(hang);
    const r = await run();
    expectEndedInTime(r, 'discovery');
    expectOutOfTime(r, 'discovery', 'discovery');
    expect(r.report.blockedBy).toEqual(expect.arrayContaining(['instance-unreadable', 'discovery-out-of-time']));
    expect(r.report.reads.find((read) => read.action === 'ec2:DescribeInstances')).toMatchObject({ status: 'failed', error: { code: PHASE_TIMED_OUT } });
    expect(outcomeWrites()[0]!.UpdateExpression).not.toContain('respondedLevel');
  });

  it('a later read (Auto Scaling): isolation, which needs only the first reads, goes on; the step that needs the lost read is not run, saying why', async () => {
    mocks.autoScaling.on(DescribeAutoScalingInstancesCommand).callsFake(hang);
    const r = await run();
    expect(r.endedAt).toBeLessThan(r.deadlineMs + 1_000);
    const read = r.report.reads.find((x) => x.action === 'autoscaling:DescribeAutoScalingInstances')!;
    expect(read).toMatchObject({ status: 'failed', error: { code: PHASE_TIMED_OUT, retryable: true } });
    // The changes already running when the read ran out are not undone; nothing is planned from the read that never came.
    expect(r.report.steps.filter((s) => s.id.startsWith('isolate')).map((s) => s.status)).toEqual(expect.arrayContaining(['done']));
    // No detach is planned from a membership never read: the report says so, naming the read and why it failed.
    expect(r.report.warnings).toContain('Auto Scaling group membership is DescribeAutoScalingInstances failed (PhaseTimedOut): the instance is not detached from any group.');
    expect(receivedCalls(mocks).filter((c) => c.service === 'autoscaling').map((c) => c.action)).toEqual(['DescribeAutoScalingInstances']);
    // A failed read: the incident stays open and the invocation is retried.
    expect(outcomeWrites()[0]!.UpdateExpression).not.toContain('respondedLevel');
    expect(shouldFailInvocation(r.report).retry).toBe(true);
  });
});

describe("the gate's own write after its reads that never answers", () => {
  it('a slot given back (the finding not confirmed): settling ends at the deadline, nothing is changed, the claim given back, the ledger named', async () => {
    // GuardDuty holds no such finding: the plan will not act, and the slot reserved beside discovery is given back.
    guardDuty.mock.on(GetFindingsCommand).resolves({ Findings: [] });
    dynamodb.on(DeleteItemCommand).callsFake(hang);
    const r = await run();
    expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(1);
    // Waited for until the deadline, then the response ends as any other: notified, within the end of a response.
    expect(r.endedAt).toBeGreaterThanOrEqual(r.deadlineMs);
    expect(r.endedAt).toBeLessThan(r.deadlineMs + NOTIFICATION_CALL_LIMIT_MS);
    expect(changes()).toEqual([]);
    expect(r.report.blockedBy).toEqual(expect.arrayContaining(['finding-confirmation', 'ledger-unavailable', 'ledger-out-of-time']));
    expect(r.report.guards.find((g) => g.id === 'ledger-unavailable')!.reason).toMatch(/^the incident ledger could not be settled before the deadline \(Settle the ledger: not answered by /);
    // The ledger's reads are still in the report; the claim it holds is given back unanswered under its own token (a
    // delivery GuardDuty did not confirm writes nothing else), so the genuine delivery need not wait for its lease.
    expect(r.report.reads.filter((read) => read.id.startsWith('read:claim-incident:')).map((read) => read.status)).toEqual(['done']);
    const claimToken = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find(isClaim)!.ExpressionAttributeValues![':token']!.S;
    const [outcome] = outcomeWrites();
    expect(outcome!.ExpressionAttributeValues![':token']!.S).toBe(claimToken);
    expect(outcome!.UpdateExpression).toBe('SET lastUnconfirmedAt = :at, outcomeToken = :outcomeToken REMOVE leaseUntil, claimToken, claimLevel, claimActing');
    expect(published().map((p) => p.Subject)).toEqual([expect.stringMatching(/^\[GuardDuty IR /)]);
  });
});
