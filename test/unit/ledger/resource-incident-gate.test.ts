import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { nextIncidentId, ResourceIncidents } from '../../../lambda/ledger/resource-incidents';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { incidentIdOf } from '../../../lambda/respond/incident-id';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { awsError } from '../../support/aws-mocks/contain-world';
import { containFinding, DNS_REBIND_TYPE, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * One incident per resource, and the answered rule, through the gate
 * (lambda/respond/open-incident.ts, gate.ts) with the contain playbook
 * against the mocked account and a mocked ledger table.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const OPEN = 'ir-00000000000open1';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

function ledgerOptions(): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return {
    ledger: new IncidentLedger(client, TABLE, () => NOW),
    brake: new ContainmentBrake(client, TABLE, 10, () => NOW),
    level: 'enforce',
    leaseMs: 75_000,
    incidents: { store: new ResourceIncidents(client, TABLE, () => NOW), joinWindowMs: 24 * 60 * 60 * 1000 },
  };
}

/** A second finding about the same instance: another id, another type, another severity. */
const second = () => ({ ...containFinding({ type: DNS_REBIND_TYPE }), id: 'f-second', severity: 7.5 });

function run(finding = second()) {
  guardDuty.holds(finding);
  return respond(finding, { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
}

const isPointer = (input: UpdateItemCommandInput) => input.Key?.pk?.S?.startsWith('resource#') === true;
const isClaim = (input: UpdateItemCommandInput) => input.ConditionExpression?.startsWith('attribute_not_exists(pk) OR') === true;
const livePointer = { incidentId: { S: OPEN }, openedAt: { S: '2026-11-22T07:00:00.000Z' }, openedAtMs: { N: String(NOW.getTime() - 3_600_000) }, openedBy: { S: 'f-first' } };
const answered = (answerKind: string) => ({
  respondedAt: { S: '2026-11-22T07:00:05.000Z' },
  respondedLevel: { N: '2' },
  answerKind: { S: answerKind },
  notifiedCount: { N: '1' },
  findingId: { S: 'f-first' },
  findingIds: { SS: ['f-first'] },
});
const isolationCalls = () => harness.callsOf('ModifyNetworkInterfaceAttribute');
const snapshotCalls = () => harness.callsOf('CreateSnapshots');

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
});

describe('a second finding about a contained instance', () => {
  beforeEach(() => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isPointer(input)) throw conditionFailed(livePointer);
      if (isClaim(input)) throw conditionFailed(answered('changes-done'));
      return {};
    });
  });

  it('joins its incident: no brake slot, no snapshot set, no isolation; one short note naming the finding and the incident', async () => {
    const report = await run();
    expect(report.incidentId).toBe(OPEN);
    expect(report.blockedBy).toEqual(['joined-incident']);
    expect(isolationCalls()).toEqual([]);
    expect(snapshotCalls()).toEqual([]);
    expect(harness.calls().filter((c) => !/^(Describe|Get|List)/.test(c.action) && c.service !== 'sns')).toEqual([]);
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 0);
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 0);
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 0);
    const published = harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]!.Subject).toBe(`[GuardDuty IR JOINED] ${OPEN}: HIGH 7.5 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us...`);
    expect(published[0]!.Message!.split('\n')[0]).toBe(
      `Summary: new finding ${DNS_REBIND_TYPE} about ec2-instance/222222222222/us-east-1/${containFinding().resource!.instanceDetails!.instanceId} in 222222222222/us-east-1 joined incident ${OPEN}; nothing new was done`,
    );
    expect(published[0]!.Message).toContain(`  Finding: ${DNS_REBIND_TYPE}, severity HIGH 7.5`);
    expect(published[0]!.Message).toContain('  Finding id: f-second');
    expect(published[0]!.Message).toContain('The incident was opened by finding f-first and answered at 2026-11-22T07:00:05.000Z (enforce).');
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([['notify', 'done']]);
    // The ledger: the pointer (joined, nothing written), the claim (refused), the join.
    const join = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).at(-1)!;
    expect(join).toMatchObject({
      Key: { pk: { S: `incident#${OPEN}` } },
      ConditionExpression: 'NOT contains(findingIds, :findingId) AND (attribute_not_exists(joinedFindings) OR size(joinedFindings) < :listed)',
      ExpressionAttributeValues: expect.objectContaining({ ':findingId': { S: 'f-second' }, ':findingIds': { SS: ['f-second'] } }),
    });
    expect(shouldFailInvocation(report).retry).toBe(false);
  });

  it('a later delivery of the joined finding sends no second note', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isPointer(input)) throw conditionFailed(livePointer);
      if (isClaim(input)) throw conditionFailed(answered('changes-done'));
      if (input.ConditionExpression?.startsWith('NOT contains')) throw conditionFailed({ findingIds: { SS: ['f-first', 'f-second'] }, joinToken: { S: 'earlier' } });
      return {};
    });
    const report = await run();
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([['notify', 'skipped', `finding f-second joined incident ${OPEN} before, and was announced then: nothing new to say`]]);
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('the first finding itself, delivered again, is a repeat (not a join)', async () => {
    const first = { ...containFinding(), id: 'f-first' };
    const report = await run(first);
    expect(report.blockedBy).toEqual(['already-answered']);
  });
});

describe('no finding can spare a later one about the same resource its response', () => {
  it('an incident answered with no change needed (a low finding under the severity floor, say) is not joined: the new finding gets an incident of its own, and acts', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isPointer(input) && input.ConditionExpression === 'attribute_not_exists(pk)') throw conditionFailed(livePointer);
      if (isClaim(input) && input.Key!.pk!.S === `incident#${OPEN}`) throw conditionFailed(answered('no-change-needed'));
      return {};
    });
    const report = await run();
    const own = nextIncidentId(incidentIdOf(second()), OPEN);
    expect(report.incidentId).toBe(own);
    expect(report.blockedBy).toEqual([]);
    expect(isolationCalls().length).toBeGreaterThan(0);
    const replaced = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).filter(isPointer)[1]!;
    expect(replaced).toMatchObject({ ConditionExpression: 'incidentId = :previous', ExpressionAttributeValues: expect.objectContaining({ ':previous': { S: OPEN }, ':incidentId': { S: own } }) });
    // The snapshots carry the new incident's id, as the ledger key does.
    expect(JSON.stringify(snapshotCalls()[0])).toContain(own);
    expect(report.ledger).toEqual({ table: TABLE, key: `incident#${own}`, recorded: true });
  });

  it('an incident a forged (unconfirmed) finding opened and never answered is claimed by the genuine finding that joins it, which acts', async () => {
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isPointer(input)) throw conditionFailed(livePointer);
      return {};
    });
    const report = await run();
    expect(report.incidentId).toBe(OPEN);
    expect(report.blockedBy).toEqual([]);
    expect(isolationCalls().length).toBeGreaterThan(0);
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });
});

describe('a lasting AccessDenied on a discovery read', () => {
  it('leaves the incident open (no answer recorded, no retry); the delivery after the permission is fixed claims it and acts', async () => {
    let respondedLevel: string | undefined;
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isClaim(input) && respondedLevel !== undefined) throw conditionFailed({ respondedLevel: { N: respondedLevel }, respondedAt: { S: NOW.toISOString() } });
      if (input.ConditionExpression === 'claimToken = :token') respondedLevel = input.ExpressionAttributeValues![':level']?.N;
      return {};
    });
    harness.world.failures.set('DescribeInstances', awsError('UnauthorizedOperation', 'not allowed', 403));
    const denied = await run();
    expect(denied.blockedBy).toContain('instance-unreadable');
    expect(isolationCalls()).toEqual([]);
    const outcome = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((i) => i.ConditionExpression === 'claimToken = :token')!;
    expect(outcome.UpdateExpression).not.toContain('respondedLevel');
    expect(respondedLevel).toBeUndefined();
    // Lasting: Lambda does not retry it; the incident stays open for the next delivery.
    expect(shouldFailInvocation(denied).retry).toBe(false);

    harness.world.failures.clear();
    const later = await run();
    expect(later.blockedBy).toEqual([]);
    expect(isolationCalls().length).toBeGreaterThan(0);
    expect(respondedLevel).toBe('2');
  });
});

describe('a finding that joins an unanswered incident, which another finding answers with no change needed while this one waits to take its claim over', () => {
  it('does not join that answer: it changes nothing, sends nothing, and is retried to open an incident of its own', async () => {
    const isTakeOver = (input: UpdateItemCommandInput) => isClaim(input) && (input.UpdateExpression ?? '').includes('claimActing = :findingId');
    dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      if (isPointer(input)) throw conditionFailed(livePointer);
      // The first finding's early claim, taken 1.9 s ago (by the ledger's clock), not acting: this one waits out its grace.
      if (isTakeOver(input)) throw conditionFailed(answered('no-change-needed'));
      if (isClaim(input)) throw conditionFailed({ claimToken: { S: 'first/1' }, claimLevel: { N: '2' }, leaseUntil: { N: String(NOW.getTime() + 60_000) }, claimedAtMs: { N: String(NOW.getTime() - 1_900) }, findingId: { S: 'f-first' } });
      return {};
    });
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(report.guards.find((g) => g.id === 'being-answered')?.reason).toContain('with no change needed (no-change-needed) while this delivery was joining it');
    expect(isolationCalls()).toEqual([]);
    expect(snapshotCalls()).toEqual([]);
    // Not added to the incident's findings (a join would make every later delivery of it a repeat of that answer).
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.UpdateExpression ?? '').some((e) => e.includes('joinedFindings') || e.includes('findingIds'))).toBe(false);
    expect(harness.mocks.sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });
});
