import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startLatencyProxy, type LatencyProxy, type ProxiedRequest } from '../../bench/latency-proxy';
import { sdkClientConfig } from '../../lambda/aws/clients';
import { DEFAULT_RUNTIME_CONFIG } from '../../lambda/config/schema';
import type { Report } from '../../lambda/plan/document';
import { END_MARGIN_MS, END_OF_RESPONSE_RESERVE_MS } from '../../lambda/plan/end-of-response';
import { PHASE_END_SHARE, PHASE_TIMED_OUT } from '../../lambda/plan/pre-plan-budget';
import type { PrePlanPhase } from '../../lambda/plan/phase-verdicts';
import type { LambdaEnvironment } from '../../lambda/runtime/environment';
import * as retryPolicy from '../../lambda/runtime/retry-policy';
import { RetryableResponseError } from '../../lambda/runtime/retry-policy';
import type { SeededAccount } from '../../emulator/seed-account';
import type { SeededInstance } from '../../emulator/seed/instances';
import { EMULATOR_CONFIG_OVERRIDES } from '../../emulator/runtime-config';
import { EMULATOR_REGION, emulatorClientOptions } from '../../emulator/clients';
import { handleAs } from '../support/playbook-entries';
import { describeInstance, groupsByEni } from './support/ec2-state';
import { instanceFindingEvent, newFindingId } from './support/findings';
import { readInbox, type Notification } from './support/inbox';
import { freshTwoAccounts, MEMBER_ACCOUNT, type TwoAccounts } from './support/two-accounts';

/*
 * The calls made before the plan runs hold the deadline too, with AWS
 * answering late: the real Lambda handler (contain-instance) in the security
 * account, answering findings of a member account through its member role,
 * against the emulator behind the fault-injecting proxy
 * (bench/latency-proxy.ts, bench/proxy-faults.ts). One call is answered
 * late (`late-answer`: forwarded, carried out by the emulator, its answer
 * held 20 s, past the client's 5 s request timeout and the phase's cut-off): the
 * ledger's claim, AssumeRole into the member account, or DescribeInstances.
 * Each time the invocation must end before Lambda's timeout, with its report
 * recorded in the ledger, the phase named in the report and the
 * notification, nothing changed in the account, the incident left open (not
 * answered, its claim given back) and the invocation failed so that Lambda
 * retries it.
 *
 * The context counts down from a timeout of the reserve plus 12 s, not
 * contain-instance's 90 s: the phases' cut-offs are shares of the time
 * before the deadline (lambda/plan/pre-plan-budget.ts), so a shorter
 * timeout moves them all alike, and a case costs 12 s instead of a minute.
 *
 * Emulator gap: moto has no GuardDuty findings API, so the confirmation is
 * off here (emulator/runtime-config.ts); a confirmation that never answers
 * is covered with mocked clients (test/unit/respond/deadline-before-plan.test.ts).
 */

const TABLE = 'incident-ledger';
const TIMEOUT_MS = END_OF_RESPONSE_RESERVE_MS + 12_000;
const WINDOW_MS = TIMEOUT_MS - END_OF_RESPONSE_RESERVE_MS;
/** Past every cut-off here and past the client's 5 s request timeout; short enough not to keep the run waiting long after the test. */
const HOLD_MS = 20_000;

let accounts: TwoAccounts;
let proxy: LatencyProxy;
let dynamodb: DynamoDBClient;
const reports: Report[] = [];
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

interface Case {
  readonly findingId: string;
  readonly instance: SeededInstance;
  readonly seed: SeededAccount;
  readonly elapsedMs: number;
  readonly error: unknown;
  readonly report: Report;
  readonly notifications: Notification[];
  /** Requests the late answer picked (the proxy records a call only once it is answered, after the test). */
  readonly faulted: number;
}

function env(): LambdaEnvironment {
  return {
    playbook: 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, mode: 'enforce' },
    topicArn: accounts.security.seed.notifications.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: TABLE,
  };
}

/** The handler, as Lambda runs it, with one call answered late; what it returned or threw, and how long it took. */
async function runWithLateAnswer(seed: SeededAccount, instance: SeededInstance, matches: (request: ProxiedRequest) => boolean): Promise<Case> {
  proxy.clearFaults();
  proxy.clear();
  let faulted = 0;
  proxy.addFault({ kind: 'late-answer', matches: (request) => matches(request) && (faulted += 1) > 0, holdMs: HOLD_MS });
  const findingId = newFindingId();
  const invokedAt = Date.now();
  const context = {
    invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${accounts.security.seed.accountId}:function:GuardDutyIncidentResponse-ContainInstance`,
    getRemainingTimeInMillis: () => TIMEOUT_MS - (Date.now() - invokedAt),
    awsRequestId: `req-${findingId}`,
  };
  const before = reports.length;
  const error = await handleAs(instanceFindingEvent(seed, instance, { id: findingId }), context, env()).then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsedMs = Date.now() - invokedAt;
  proxy.clearFaults();
  const report = reports[before]!;
  const notifications = (await readInbox(accounts.security.sqs, accounts.security.seed.notifications.inboxQueueUrl)).filter((n) => n.message.includes(findingId));
  console.log(`deadline before the plan: ${report.blockedBy.join(', ')}; returned after ${elapsedMs} ms of a ${TIMEOUT_MS} ms timeout (deadline ${WINDOW_MS} ms in)`);
  return { findingId, instance, seed, elapsedMs, error, report, notifications, faulted };
}

async function ledgerItem(incidentId: string) {
  return (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `incident#${incidentId}` } }, ConsistentRead: true }))).Item;
}

/** What every case must show: in time, recorded, open, nothing changed, the phase named, retried. */
async function expectOutOfTimeBeforePlan(c: Case, phase: PrePlanPhase): Promise<void> {
  // The late answer fired, and the phase was waited for until its cut-off, no longer.
  expect(c.faulted).toBeGreaterThan(0);
  expect(c.elapsedMs).toBeGreaterThanOrEqual(Math.floor(WINDOW_MS * PHASE_END_SHARE[phase]));
  // Before Lambda would end it, with the margin kept for logging and returning.
  expect(c.elapsedMs).toBeLessThan(TIMEOUT_MS - END_MARGIN_MS);
  // The invocation fails, so Lambda retries it.
  expect(c.error).toBeInstanceOf(RetryableResponseError);
  expect((c.error as Error).message).toContain(`the ${phase} phase ran out of time before any change`);
  expect(c.report.blockedBy).toContain(`${phase}-out-of-time`);
  expect(c.report.steps.filter((s) => s.mutating && s.status !== 'skipped')).toEqual([]);
  // Recorded in the ledger, not answered, the claim given back: the retry acts.
  expect(c.report.ledger).toMatchObject({ table: TABLE, recorded: true });
  const item = (await ledgerItem(c.report.incidentId))!;
  expect(item.respondedAt).toBeUndefined();
  expect(item.leaseUntil).toBeUndefined();
  expect(item.blockedBy!.L!.map((v) => v.S)).toContain(`${phase}-out-of-time`);
  expect(item.failedReads!.L!.map((r) => r.M!.errorCode!.S)).toContain(PHASE_TIMED_OUT);
  // Nothing changed: every ENI on the groups it had.
  const instance = await describeInstance(accountOf(c.seed).clients.ec2, c.instance.instanceId);
  expect(groupsByEni(instance)).toEqual(Object.fromEntries(c.instance.networkInterfaces.map((eni) => [eni.networkInterfaceId, [...eni.groupIds].sort()])));
  // The team hears of it, and of which phase ran out.
  expect(c.notifications.map((n) => n.subject)).toEqual([expect.stringMatching(new RegExp(`^\\[GuardDuty IR OUT OF TIME ${phase}\\] contain-instance: `))]);
}

function accountOf(seed: SeededAccount) {
  return seed.accountId === MEMBER_ACCOUNT ? accounts.member : accounts.security;
}

beforeAll(async () => {
  accounts = await freshTwoAccounts();
  dynamodb = new DynamoDBClient(sdkClientConfig(emulatorClientOptions(accounts.endpoint)));
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  proxy = await startLatencyProxy({ target: accounts.endpoint, latencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  // The handler decides whether to fail the invocation from its finished report: keep it, as the error does not carry it.
  const decide = retryPolicy.shouldFailInvocation;
  jest.spyOn(retryPolicy, 'shouldFailInvocation').mockImplementation((report) => {
    reports.push(report);
    return decide(report);
  });
}, 300_000);

afterAll(async () => {
  jest.restoreAllMocks();
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  proxy?.clearFaults();
  await proxy?.close();
});

describe('with the ledger claim answered late', () => {
  it('ends before the Lambda timeout, the report recorded under the claim that landed late, the incident left open', async () => {
    const { member } = accounts;
    const c = await runWithLateAnswer(member.seed, member.seed.instanceA, (r) => r.operation === 'DynamoDB_20120810.UpdateItem' && (r.params.pk ?? '').startsWith('incident#') && (r.params.UpdateExpression ?? '').startsWith('SET claimToken'));
    await expectOutOfTimeBeforePlan(c, 'ledger');
    // The resource's incident was opened in time; the claim of it was not answered.
    expect(c.report.reads.find((r) => r.id === `read:claim-incident:incident#${c.report.incidentId}`)).toMatchObject({ status: 'failed', error: { code: PHASE_TIMED_OUT } });
    // The claim did land (the emulator carried it out): the outcome write, conditional on its token, found it and gave it back.
    const item = (await ledgerItem(c.report.incidentId))!;
    expect(item.claimFindingId?.S).toBe(c.findingId);
    expect(item.steps!.L!.length).toBe(c.report.steps.length);
  }, 120_000);
});

describe('with AssumeRole into the member account answered late', () => {
  it('ends before the Lambda timeout, reads nothing in the member account, the report recorded, the incident left open', async () => {
    const { member } = accounts;
    const c = await runWithLateAnswer(member.seed, member.seed.instanceB, (r) => r.operation === 'AssumeRole');
    await expectOutOfTimeBeforePlan(c, 'assume-role');
    expect(c.report.reads[0]).toMatchObject({ id: `read:assume-role:${MEMBER_ACCOUNT}`, status: 'failed', error: { code: PHASE_TIMED_OUT } });
    expect(proxy.calls.filter((call) => call.operation === 'DescribeInstances')).toEqual([]);
    // Aborted at its cut-off (4.8 s in), before the client's own 5 s request timeout: sent once, never retried behind the response's back.
    expect(c.faulted).toBe(1);
  }, 120_000);
});

describe('with DescribeInstances answered late', () => {
  it('ends before the Lambda timeout, changes nothing on an instance it could not read, the report recorded, the incident left open', async () => {
    const { security } = accounts;
    const c = await runWithLateAnswer(security.seed, security.seed.instanceA, (r) => r.operation === 'DescribeInstances');
    await expectOutOfTimeBeforePlan(c, 'discovery');
    expect(c.report.blockedBy).toContain('instance-unreadable');
    expect(c.report.reads.find((r) => r.action === 'ec2:DescribeInstances')).toMatchObject({ status: 'failed', error: { code: PHASE_TIMED_OUT } });
  }, 120_000);
});
