import { Logger } from '@aws-lambda-powertools/logger';
import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ResponderError } from '../../../../lambda/aws/errors';
import type { Finding } from '../../../../lambda/finding/schema';
import { ContainmentBrake } from '../../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../../lambda/ledger/incident-ledger';
import type { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import type { Report, StepReport } from '../../../../lambda/plan/document';
import * as groupMemory from '../../../../lambda/playbooks/contain-instance/early/group-memory';
import { forgetEverything, rememberGroups } from '../../../../lambda/playbooks/contain-instance/early/group-memory';
import { stepSpecsOf } from '../../../../lambda/playbooks/registry';
import type { LedgerOptions } from '../../../../lambda/respond/gate';
import { respond } from '../../../../lambda/respond/respond';
import { shouldFailInvocation } from '../../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../../support/aws-mocks/guardduty';
import { ACCOUNT_ID, awsError, defaultInstance, INSTANCE_ID, ISOLATION_SG_A, PRIMARY_ENI, UNTRACK_SG_A, VPC_A } from '../../../support/aws-mocks/contain-world';

/*
 * The early move never leaves an instance more open than it was found
 * (lambda/playbooks/contain-instance/early/early-move.ts, steps/early-isolate.ts):
 * once the instance-level move to the allow-all untrack group landed, or may
 * have (not answered), the instance ends on the isolation group or on the
 * groups a read made before the move saw, never on the untrack group; and a
 * delivery that does not hold the incident never puts an interface back.
 */

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const TABLE = 'ledger-table';
const h = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const guardDuty = useGuardDuty();
const dynamodb = mockClient(DynamoDBClient);
const ORIGINAL_GROUPS = ['sg-0web000000000001', 'sg-0ssh000000000001'];
const CLOSED = 'LeftClosedOwnGroupsUnknown';

/** The default instance with its primary ENI only, on these groups as DescribeInstances shows them. */
function singleEniInstance(groupIds: readonly string[] = ORIGINAL_GROUPS) {
  const instance = defaultInstance();
  const primary = instance.NetworkInterfaces!.filter((eni) => eni.NetworkInterfaceId === PRIMARY_ENI).map((eni) => ({ ...eni, Groups: groupIds.map((GroupId) => ({ GroupId })) }));
  return { ...instance, NetworkInterfaces: primary, SecurityGroups: groupIds.map((GroupId) => ({ GroupId })) };
}

beforeEach(() => {
  forgetEverything();
  dynamodb.reset();
  h.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  h.world.instance = singleEniInstance();
  rememberGroups({ accountId: ACCOUNT_ID, region: 'us-east-1', vpcId: VPC_A }, { untrackGroupId: UNTRACK_SG_A, isolationGroupId: ISOLATION_SG_A });
});

afterAll(() => dynamodb.restore());

function run(options: { finding?: Finding; held?: boolean; restoreLedger?: RestoreLedger; ledger?: LedgerOptions } = {}): Promise<Report> {
  const finding = options.finding ?? containFinding();
  if (options.held === false) guardDuty.holds();
  else guardDuty.holds(finding);
  return respond(finding, {
    config: enforceConfig(),
    clients: h.clients,
    dryRun: false,
    topicArn: TOPIC,
    responder: RESPONDER,
    now: () => NOW,
    earlyMove: true,
    ...(options.restoreLedger ? { restoreLedger: options.restoreLedger } : {}),
    ...(options.ledger ? { ledger: options.ledger } : {}),
  });
}

function step(report: Report, id: string): StepReport {
  const found = report.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(', ')}`);
  return found;
}

const groupMoves = () =>
  h.world.log
    .map((entry) => ({ command: entry.command, input: entry.input }))
    .filter((c) => c.command === 'ModifyNetworkInterfaceAttribute' || (c.command === 'ModifyInstanceAttribute' && 'Groups' in c.input));
const toUntrack = { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [UNTRACK_SG_A] } };
const closeOnIsolation = { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: [ISOLATION_SG_A] } };
const subjects = () => h.mocks.sns.commandCalls(PublishCommand).map((c) => (c.args[0].input as PublishCommandInput).Subject ?? '');

/** The early-untrack step failed as closed (not exposed), named in the subject, and the invocation fails to be retried. */
function expectClosedLoudly(report: Report): void {
  const untrack = step(report, `early-untrack:${INSTANCE_ID}`);
  expect(untrack).toMatchObject({ status: 'failed', error: { code: CLOSED, retryable: true } });
  expect(untrack.error!.message).toContain(`moved to the isolation group ${ISOLATION_SG_A} instead (closed), NOT left on the allow-all group`);
  // The finding's groups, said UNVERIFIED: only a hint for the release by hand.
  expect(untrack.error!.message).toContain(`the finding lists ${ORIGINAL_GROUPS.join(', ')} (UNVERIFIED`);
  expect(report.steps.some((s) => s.exposed !== undefined)).toBe(false);
  expect(subjects().some((s) => s.includes('ISOLATED - OWN GROUPS UNKNOWN'))).toBe(true);
  expect(shouldFailInvocation(report).retry).toBe(true);
  expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
}

describe('N1: the instance-level move landed (or may have) and no read made before it saw the groups', () => {
  it('the instance and group reads are throttled: closed on the isolation group by the instance-level call, the finding’s groups logged as a hint', async () => {
    h.world.failures.set('DescribeInstances', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    h.world.failures.set('DescribeSecurityGroups', awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const report = await run();
      expect(groupMoves()).toEqual([toUntrack, closeOnIsolation]);
      expectClosedLoudly(report);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/not known from any read made before the move.*UNVERIFIED/), {
        instanceId: INSTANCE_ID,
        seenGroupIds: null,
        findingListedGroupIds: ORIGINAL_GROUPS,
      });
    } finally {
      warn.mockRestore();
    }
  });

  it('the read was answered after the move (it shows the untrack group) and GuardDuty does not hold the finding: closed, never left on untrack', async () => {
    h.world.instance = singleEniInstance([UNTRACK_SG_A]);
    const report = await run({ held: false });
    expect(report.blockedBy.length).toBeGreaterThan(0);
    expect(groupMoves()).toEqual([toUntrack, closeOnIsolation]);
    expectClosedLoudly(report);
  });

  it('the move is not answered in time (MoveNotAnswered: EC2 may apply it) and GuardDuty does not hold the finding: put back at once on the groups the read saw', async () => {
    h.world.failures.set('ModifyInstanceAttribute', (input) =>
      (input.Groups as string[] | undefined)?.[0] === UNTRACK_SG_A ? new ResponderError('MoveNotAnswered', 'not answered within 12 s; EC2 may still apply it', true) : undefined,
    );
    const report = await run({ held: false });
    expect(report.blockedBy.length).toBeGreaterThan(0);
    expect(groupMoves()).toEqual([toUntrack, { command: 'ModifyInstanceAttribute', input: { InstanceId: INSTANCE_ID, Groups: ORIGINAL_GROUPS } }]);
    expect(step(report, `early-untrack:${INSTANCE_ID}`)).toMatchObject({ status: 'done' });
    expect(step(report, `early-untrack:${INSTANCE_ID}`).detail).toMatch(
      /may have been moved to sg-0untrack0000000a1 \(MoveNotAnswered: not answered\) before any read, then put back at once on sg-0web000000000001, sg-0ssh000000000001/,
    );
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
  });

  it('the move is not answered (a 5xx), the read after it shows the untrack group, and a guard says stop: closed on the isolation group', async () => {
    h.world.instance = singleEniInstance([UNTRACK_SG_A]);
    h.world.failures.set('ModifyInstanceAttribute', (input) => ((input.Groups as string[] | undefined)?.[0] === UNTRACK_SG_A ? awsError('InternalError', 'x', 500) : undefined));
    // The mock does not apply a move it fails: EC2 may have; the read shows it did.
    const report = await run({ held: false });
    expect(groupMoves()).toEqual([toUntrack, closeOnIsolation]);
    expect(step(report, `early-untrack:${INSTANCE_ID}`)).toMatchObject({ status: 'failed', error: { code: CLOSED } });
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
  });

  it('a refusal EC2 answered (a 4xx) is not a move that may have landed: the normal path runs, nothing is closed', async () => {
    h.world.failures.set('ModifyInstanceAttribute', (input) => ((input.Groups as string[] | undefined)?.[0] === UNTRACK_SG_A ? awsError('UnauthorizedOperation') : undefined));
    const report = await run();
    expect(report.steps.some((s) => s.id.startsWith('early-untrack:'))).toBe(false);
    expect(groupMoves().filter((m) => m.command === 'ModifyInstanceAttribute')).toEqual([toUntrack]);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
  });

  it('the read after the move shows the untrack group, the checks say go, then the restore record fails: the interface stays on the isolation group, never put back on untrack', async () => {
    h.world.instance = singleEniInstance([UNTRACK_SG_A]);
    const failing = { tableName: TABLE, record: () => Promise.reject(awsError('InternalServerError', 'x', 500)) } as unknown as RestoreLedger;
    const report = await run({ restoreLedger: failing });
    expect(step(report, `isolate:${PRIMARY_ENI}`).status).toBe('done');
    expect(step(report, `put-back:${PRIMARY_ENI}`)).toMatchObject({ status: 'failed', error: { code: CLOSED } });
    expect(groupMoves()).toEqual([toUntrack, { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] } }]);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });
});

describe('N4: two deliveries of one finding at once, the second loses the claim', () => {
  const conditionFailed = (item: Record<string, unknown>) =>
    Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), { Item: item });

  function ledgerOptions(): LedgerOptions {
    const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
    return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
  }

  beforeEach(() => {
    // The first claim wins; the second finds it held by a confirmed delivery acting on it.
    let claims = 0;
    const held = { leaseUntil: { N: String(NOW.getTime() + 60_000) }, claimLevel: { N: '2' }, claimActing: { S: 'the-holders-finding' } };
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) {
        claims += 1;
        if (claims > 1) throw conditionFailed(held);
      }
      return {};
    });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).resolves({});
  });

  it('both send their early moves; the one that lost the claim never puts the interface back: it ends isolated, and a notification says what the second did', async () => {
    const logged: unknown[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(line));
    // Each delivery in a container of its own: neither knows that the other is moving the instance (one process here shares that memory).
    const otherContainers = jest.spyOn(groupMemory, 'movedRecently').mockReturnValue(false);
    const [first, second] = await Promise.all([run({ ledger: ledgerOptions() }), run({ ledger: ledgerOptions() })]).finally(() => {
      error.mockRestore();
      otherContainers.mockRestore();
    });
    expect(logged).toEqual(expect.arrayContaining([expect.stringContaining('left to the holder, never put back')]));
    const [holder, repeat] = first.blockedBy.includes('being-answered') ? [second, first] : [first, second];
    expect(holder.blockedBy).toEqual([]);
    expect(repeat.blockedBy).toEqual(['being-answered']);
    const moves = groupMoves();
    // Both deliveries moved early (the reads of both answered before either move): two untrack moves, two isolation moves.
    expect(moves.filter((m) => JSON.stringify(m) === JSON.stringify(toUntrack))).toHaveLength(2);
    expect(moves.filter((m) => m.command === 'ModifyNetworkInterfaceAttribute' && JSON.stringify(m.input.Groups) === JSON.stringify([ISOLATION_SG_A]))).toHaveLength(2);
    // No move ever goes back to the groups the instance had.
    expect(moves.some((m) => JSON.stringify(m.input.Groups) === JSON.stringify(ORIGINAL_GROUPS))).toBe(false);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    expect(step(holder, `put-back:${PRIMARY_ENI}`).status).toBe('skipped');
    // The second delivery's early moves are in a notification of their own, not only in the log.
    const note = h.mocks.sns
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input as PublishCommandInput)
      .find((i) => i.Subject?.startsWith('EARLY MOVES OF A SECOND DELIVERY'));
    expect(note?.Subject).toBe(`EARLY MOVES OF A SECOND DELIVERY: incident ${holder.incidentId}`);
    expect(note?.Message).toContain(`- put-back:${PRIMARY_ENI}: SKIPPED: another delivery holds the incident: ${PRIMARY_ENI} is left to it on the isolation group ${ISOLATION_SG_A}, NOT put back`);
    expect(note?.Message).toContain(`- isolate:${PRIMARY_ENI}: DONE`);
  });

  it('the delivery that lost the claim had its isolation move fail: it sends the interface to the isolation group again, never back', async () => {
    // Another delivery holds the claim: this one is the repeat.
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) {
        throw conditionFailed({ leaseUntil: { N: String(NOW.getTime() + 60_000) }, claimLevel: { N: '2' }, claimActing: { S: 'the-holders-finding' } });
      }
      return {};
    });
    let isolationMoves = 0;
    h.world.failures.set('ModifyNetworkInterfaceAttribute', (input) =>
      (input.Groups as string[])[0] === ISOLATION_SG_A && ++isolationMoves === 1 ? awsError('InternalError', 'x', 500) : undefined,
    );
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const report = await run({ ledger: ledgerOptions() }).finally(() => error.mockRestore());
    expect(report.blockedBy).toEqual(['being-answered']);
    const toIsolation = { command: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] } };
    expect(groupMoves()).toEqual([toUntrack, toIsolation, toIsolation]);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    const note = h.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput)[0];
    expect(note?.Subject).toBe(`EARLY MOVES OF A SECOND DELIVERY: incident ${report.incidentId}`);
    expect(note?.Message).toContain(`- isolate:${PRIMARY_ENI}: FAILED: InternalError`);
    expect(note?.Message).toContain(`- put-back:${PRIMARY_ENI}: DONE: another delivery holds the incident; this delivery's isolation move had failed, so ${PRIMARY_ENI} was moved to ${ISOLATION_SG_A} again, NOT put back`);
  });
});

describe('the ledger cannot say who holds the incident (its claim throttled past every retry) after the early moves', () => {
  function ledgerOptions(): LedgerOptions {
    const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
    return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
  }

  it('the interface is left on the isolation group, never put back: another delivery may have taken the claim over and rely on it', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      return {};
    });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).resolves({});
    const report = await run({ ledger: ledgerOptions() });
    expect(report.blockedBy).toEqual(['claim-unavailable']);
    expect(groupMoves().some((m) => JSON.stringify(m.input.Groups) === JSON.stringify(ORIGINAL_GROUPS))).toBe(false);
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual([ISOLATION_SG_A]);
    const putBack = step(report, `put-back:${PRIMARY_ENI}`);
    expect(putBack).toMatchObject({ status: 'failed', error: { code: 'LeftClosedOwnGroupsUnknown' } });
    expect(putBack.error?.message).toContain(`NOT put back: the ledger could not say whether another delivery holds the incident (claim-unavailable)`);
    expect(putBack.error?.message).toContain(`Its groups before the moves: ${ORIGINAL_GROUPS.join(', ')}`);
    expect(shouldFailInvocation(report).retry).toBe(true);
    const note = h.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput)[0]!;
    expect(note.Subject).toMatch(/ISOLATED - OWN GROUPS UNKNOWN/);
    expect(note.Message).toMatch(/^ISOLATED - NOT PUT BACK: eni-\S+ was moved beside the incident's claim, which could not be written or answered/);
  });

  it('the brake cannot be read while this delivery holds the claim: the early moves are put back as for any stop (no slot was taken)', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    dynamodb.on(BatchGetItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const report = await run({ ledger: ledgerOptions() });
    expect(report.blockedBy).toEqual(['ledger-unavailable']);
    expect(step(report, `put-back:${PRIMARY_ENI}`)).toMatchObject({ status: 'done' });
    expect(h.world.movedTo.get(PRIMARY_ENI)).toEqual(ORIGINAL_GROUPS);
  });
});

describe('N2: cheap evidence, from the finding alone, that another container may have isolated the instance already', () => {
  const movedEarly = () => groupMoves().some((m) => JSON.stringify(m) === JSON.stringify(toUntrack));
  const updatedAgo = (minutes: number): Finding => {
    const at = new Date(NOW.getTime() - minutes * 60_000).toISOString();
    return { ...containFinding(), createdAt: at, updatedAt: at };
  };

  it('a finding last updated 16 minutes ago (a late delivery: a retry, a redrive, a replay) is read first', async () => {
    const report = await run({ finding: updatedAgo(16) });
    expect(movedEarly()).toBe(false);
    expect(step(report, `untrack:${PRIMARY_ENI}`).status).toBe('done');
  });

  it('a finding updated 14 minutes ago is still moved early', async () => {
    await run({ finding: updatedAgo(14) });
    expect(movedEarly()).toBe(true);
  });

  it('a finding that shows the instance with the responder’s incident tag is read first', async () => {
    await run({ finding: containFinding({ tags: { Name: 'web-01', 'ir:incident-id': 'ir-0123456789abcdef' } }) });
    expect(movedEarly()).toBe(false);
  });
});
