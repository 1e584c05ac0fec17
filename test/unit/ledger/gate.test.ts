import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The gate around a response (lambda/respond/gate.ts), with the contain
 * playbook against the mocked account and a mocked ledger table.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
// The whole role: these responses notify and write the ledger too.
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
// The security account's detector holds each finding a test responds to: confirmed, so the playbook may act.
const guardDuty = useGuardDuty();
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

function ledgerOptions(limit = 10): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, limit, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

function run(options: { ledger?: LedgerOptions } = {}) {
  guardDuty.holds(containFinding());
  return respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: options.ledger ?? ledgerOptions() });
}

const mutatingCalls = () => harness.calls().filter((c) => !/^(Describe|Get|List)/.test(c.action) && c.service !== 'sns');
const outcomeWrite = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((i) => i.ConditionExpression === 'claimToken = :token');

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});

describe('the first delivery of a finding', () => {
  it('claims the incident and reserves a containment alongside discovery, acts, and records the outcome as answered', async () => {
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    expect(report.reads.filter((r) => r.id.startsWith('read:claim-incident') || r.id.startsWith('read:reserve-containment-slot'))).toEqual([
      expect.objectContaining({ id: `read:claim-incident:incident#${report.incidentId}`, action: 'dynamodb:UpdateItem', status: 'done' }),
      expect.objectContaining({ id: `read:reserve-containment-slot:${TABLE}`, action: 'dynamodb:BatchGetItem', status: 'done' }),
    ]);
    expect(mutatingCalls().length).toBeGreaterThan(0);
    const write = outcomeWrite()!;
    expect(write.UpdateExpression).toContain('respondedLevel = :level');
    expect(write.UpdateExpression).toMatch(/REMOVE leaseUntil, claimToken, claimLevel, pendingNotification$/);
    expect(write.ExpressionAttributeValues![':level']).toEqual({ N: '2' });
    expect(report.ledger).toEqual({ table: TABLE, key: `incident#${report.incidentId}`, recorded: true });
    // It acted: the slot stays reserved for the hour.
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 0);
  });

  it('is blocked by the blast-radius brake when the hour is used up: the plan is shown, every change skipped, LOUDLY notified', async () => {
    const fresh = (i: number) => ({ pk: { S: `brake#slot#00${i}` }, reservedAt: { N: String(NOW.getTime() - 60_000) }, incidentId: { S: `ir-other-${i}` }, reservationId: { S: `r${i}` } });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [fresh(0), fresh(1)] } });
    const report = await run({ ledger: ledgerOptions(2) });
    expect(report.blockedBy).toEqual(['blast-radius-brake']);
    const mutating = report.steps.filter((s) => s.mutating);
    expect(mutating.length).toBeGreaterThan(5);
    for (const step of mutating) expect(step).toMatchObject({ status: 'skipped', reason: 'blocked by blast-radius-brake' });
    expect(mutatingCalls()).toEqual([]);
    const { Subject, Message } = harness.mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(Subject).toBe('[GuardDuty IR BRAKE ON - NOT CONTAINED] contain-instance: CryptoCurrency:EC2/BitcoinTool.B sev 8');
    expect(Message!.split('\n')[0]).toMatch(/^BLAST-RADIUS BRAKE IS ON: this contain-instance response was planned but NOT executed\. 2 containments already started in the last hour/);
    // The brake does not answer the incident: a later delivery, once a slot is free, may still act.
    expect(outcomeWrite()!.UpdateExpression).not.toContain('respondedLevel');
  });

  it('gives its slot back when the plan ends up not acting (the exempt tag, read now)', async () => {
    const instance = harness.world.instance!;
    instance.Tags = [...(instance.Tags ?? []), { Key: 'ir:exempt', Value: 'honeypot' }];
    const report = await run();
    expect(report.blockedBy).toEqual(['exempt-tag']);
    const put = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: put.Item!.pk ? { pk: put.Item!.pk } : {}, ConditionExpression: 'reservationId = :reservationId', ExpressionAttributeValues: { ':reservationId': put.Item!.reservationId } },
    ]);
  });

  it('does not answer the incident when GuardDuty did not confirm the finding: the genuine delivery keeps its right to act, and the slot is given back', async () => {
    const respondUnconfirmed = () => {
      guardDuty.holds();
      return respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
    };
    const report = await respondUnconfirmed();
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(mutatingCalls()).toEqual([]);
    expect(outcomeWrite()!.UpdateExpression).not.toContain('respondedLevel');
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
  });

  it('changes nothing when the ledger cannot be written (fail closed), and says so', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const report = await run();
    expect(report.blockedBy).toEqual(['ledger-unavailable']);
    expect(report.reads.find((r) => r.id.startsWith('read:claim-incident'))).toMatchObject({ status: 'failed', error: { code: 'ThrottlingException', retryable: true } });
    expect(mutatingCalls()).toEqual([]);
    // The slot reserved alongside is given back.
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
  });

  it('keeps the notification in the ledger when SNS fails, with the actions recorded as done', async () => {
    harness.mocks.sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException', $metadata: { httpStatusCode: 400 } }));
    const report = await run();
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'failed', error: { code: 'KMSDisabledException' } });
    const write = outcomeWrite()!;
    expect(write.UpdateExpression).toContain('respondedLevel = :level');
    expect(write.UpdateExpression).toContain('pendingNotification = :pending');
    const pending = write.ExpressionAttributeValues![':pending']!.M!;
    expect(pending.subject).toEqual({ S: '[GuardDuty IR DONE] contain-instance: CryptoCurrency:EC2/BitcoinTool.B sev 8' });
    expect(pending.message!.S).toContain(`Incident id: ${report.incidentId}`);
  });
});

describe('a later delivery of the same finding', () => {
  /** The ledger as an earlier delivery left it: the claim fails with this record; the count grew or not. */
  function givenAnswered(options: { countGrew: boolean; extra?: Record<string, unknown> }) {
    const record = { respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, notifiedCount: { N: '1' }, ...options.extra };
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
      if (input.ConditionExpression === 'notifiedCount < :count' && !options.countGrew) throw conditionFailed();
      return {};
    });
  }

  it('changes nothing and sends nothing when the count did not grow', async () => {
    givenAnswered({ countGrew: false });
    const report = await run();
    expect(report.blockedBy).toEqual(['already-answered']);
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([['notify', 'skipped', 'already reported at count 1: nothing new to say']]);
    expect(mutatingCalls()).toEqual([]);
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    // Its own slot, reserved alongside the claim, is given back.
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
  });

  it('sends a short note when GuardDuty counted the finding again', async () => {
    givenAnswered({ countGrew: true });
    guardDuty.holds(containFinding());
    const report = await respond(
      { ...containFinding(), service: { archived: false, resourceRole: 'TARGET', count: 4 } },
      { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() },
    );
    expect(mutatingCalls()).toEqual([]);
    const { Subject, Message } = harness.mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(Subject).toBe('[GuardDuty IR REPEAT] contain-instance: CryptoCurrency:EC2/BitcoinTool.B seen 4 times');
    expect(Message).toContain('seen 4 times now, 1 when last reported');
    expect(Message).toContain('It was answered at 2026-11-22T07:00:05.000Z (enforce) by the first delivery. This delivery changed nothing.');
    expect(report.steps[0]).toMatchObject({ id: 'notify', status: 'done', detail: 'count 1 -> 4: message m-1' });
  });

  it('re-sends the notification an earlier delivery could not send, then clears it; never acts again', async () => {
    const pending = { M: { subject: { S: 'the original subject' }, message: { S: 'the original report' } } };
    givenAnswered({ countGrew: false, extra: { pendingNotification: pending } });
    const report = await run();
    expect(mutatingCalls()).toEqual([]);
    expect(harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([{ TopicArn: TOPIC, Subject: 'the original subject', Message: 'the original report' }]);
    expect(report.steps[0]).toMatchObject({ id: 'notify', status: 'done' });
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).at(-1)).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${report.incidentId}` } },
      UpdateExpression: 'REMOVE pendingNotification',
    });
  });
});
