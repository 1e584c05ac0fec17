import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
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
    expect(write.UpdateExpression).toMatch(/REMOVE leaseUntil, claimToken, claimLevel, claimActing, pendingNotification ADD findingIds :findingIds$/);
    // Answered because every change is done (lambda/ledger/answered.ts), and recorded as such.
    expect(write.UpdateExpression).toContain('answerKind = :answerKind');
    expect(write.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'changes-done' });
    expect(write.ExpressionAttributeValues![':level']).toEqual({ N: '2' });
    // Confirmed: the finding's fields are written with the outcome (the claim, taken before the confirmation, writes none).
    expect(write.UpdateExpression).toMatch(/^SET findingType = :findingType, severity = :severity, playbook = :playbook, findingCount = :count, notifiedCount = :count, /);
    expect(write.ExpressionAttributeValues).toMatchObject({ ':findingType': { S: 'CryptoCurrency:EC2/BitcoinTool.B' }, ':severity': { N: '8' }, ':playbook': { S: 'contain-instance' }, ':count': { N: '1' } });
    const claim = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(claim.UpdateExpression).not.toMatch(/findingType|severity|notifiedCount|findingCount/);
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
    expect(Subject).toBe('[GuardDuty IR BRAKE ON - NOT CONTAINED] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01)');
    expect(Message!.split('\n')[0]).toMatch(/^BLAST-RADIUS BRAKE IS ON: this contain-instance response was planned but NOT executed\. The blast-radius brake is LATCHED since 2026-11-22T08:00:00\.000Z: 2 containments started within an hour .* ir brake release --reason/);
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
    // Only the claim is given back: no finding field, step or notification of a possibly forged delivery lands in the incident's record.
    expect(outcomeWrite()).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `incident#${report.incidentId}` } },
      UpdateExpression: 'SET lastUnconfirmedAt = :at, outcomeToken = :outcomeToken REMOVE leaseUntil, claimToken, claimLevel, claimActing',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': expect.objectContaining({ S: expect.any(String) }), ':outcomeToken': { S: expect.any(String) }, ':at': { S: NOW.toISOString() } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
  });

  it('changes nothing when the ledger cannot be written (fail closed), and says so', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const report = await run();
    expect(report.blockedBy).toEqual(['claim-unavailable']);
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
    expect(pending.subject).toEqual({ S: '[GuardDuty IR DONE] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us-east-1' });
    expect(pending.message!.S).toContain(`Incident id: ${report.incidentId}`);
  });
});

describe('a later delivery of the same finding', () => {
  /** The ledger as an earlier delivery left it: the claim fails with this record; the count grew or not. */
  function givenAnswered(options: { countGrew: boolean; extra?: Record<string, unknown> }) {
    const record = { respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, notifiedCount: { N: '1' }, ...options.extra };
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
      if (input.ConditionExpression === 'attribute_not_exists(notifiedCount) OR notifiedCount < :count' && !options.countGrew) throw conditionFailed();
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
    expect(Subject).toBe('[GuardDuty IR REPEAT] seen 4 times: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us-east-1');
    expect(Message!.split('\n')[0]).toBe(
      'Summary: i-0a1b2c3d4e5f60718 (web-01) in 222222222222/us-east-1: CryptoCurrency:EC2/BitcoinTool.B occurred again, seen 4 times now (1 when last reported); nothing new was done',
    );
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

describe('a delivery that loses the claim to one still answering the incident', () => {
  const LEASE_UNTIL = NOW.getTime() + 60_000;
  /**
   * Another delivery, confirmed by GuardDuty and acting on it (claimActing), holds a live claim; nobody answered the
   * incident yet. (An early claim not held to act is taken over instead: test/unit/ledger/flood-gate.test.ts.)
   */
  function givenHeld(extra: Record<string, unknown> = {}) {
    const record = { leaseUntil: { N: String(LEASE_UNTIL) }, claimLevel: { N: '2' }, claimActing: { S: 'the-holders-finding' }, ...extra };
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
      return {};
    });
  }

  it('changes, writes and sends nothing, and fails its invocation so that Lambda retries it', async () => {
    givenHeld();
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(report.guards.find((g) => g.id === 'being-answered')?.reason).toBe(
      `incident ${report.incidentId} is being answered now by a delivery GuardDuty confirmed, acting on it (its claim holds until ${new Date(LEASE_UNTIL).toISOString()} at the latest): ` +
        'this delivery changes nothing and is retried, to find the incident answered or to claim it',
    );
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([
      ['notify', 'skipped', `incident ${report.incidentId} is being answered by another delivery: it sends the notification`],
    ]);
    expect(mutatingCalls()).toEqual([]);
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    // The claim attempt only: no repeat counted, no outcome written.
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
    expect(shouldFailInvocation(report)).toEqual({
      retry: true,
      reason: `incident ${report.incidentId} is held by another delivery that has not answered it yet (being-answered): a retry finds it answered, or claims it once that delivery has given it back`,
    });
  });

  it('is retried too when only a dry-run answered the incident and an enforce delivery holds it', async () => {
    givenHeld({ respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '1' } });
    const report = await run();
    expect(report.blockedBy).toEqual(['being-answered']);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });
});

describe('an unconfirmed delivery (perhaps forged) of an answered incident', () => {
  it('sends no REPEAT note and leaves the ledger alone: its own notification says it was not confirmed', async () => {
    const record = { respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, notifiedCount: { N: '1' } };
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
      return {};
    });
    // GuardDuty holds no such finding; the forged copy claims a higher count, which would otherwise send a REPEAT note.
    guardDuty.holds();
    const report = await respond(
      { ...containFinding(), service: { archived: false, resourceRole: 'TARGET', count: 9 } },
      { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() },
    );
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(mutatingCalls()).toEqual([]);
    // Only the claim attempt: no count, no outcome, no pending notification written to the genuine incident.
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(report.ledger).toBeUndefined();
    const published = harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.Subject)).toEqual(['[GuardDuty IR PLAN ONLY] contain-instance: HIGH 8.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us...']);
    expect(published[0]!.Message).toContain('finding-confirmation');
  });
});

describe('notify deliveries, which GuardDuty never confirms', () => {
  /** A notify-routed copy of the contain finding: same id, account and region, so the same incident. */
  const notifyCopy = (count = 1) => ({ ...containFinding(), type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 5, service: { archived: false, count } });
  const respondNotify = (finding: ReturnType<typeof notifyCopy>) =>
    respond(finding, { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: { ...ledgerOptions(), level: 'dry-run' } });
  /** The record an answered incident left; the claim (and any write DynamoDB's conditions refuse) fails. */
  function givenRecord(record: Record<string, unknown>, refuses: (input: { ConditionExpression?: string }) => boolean = () => false) {
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
      if (refuses(input)) throw conditionFailed();
      return {};
    });
  }
  const answeredBy = (playbook: string) => ({ respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, notifiedCount: { N: '1' }, playbook: { S: playbook } });
  const laterWrites = () => dynamodb.commandCalls(UpdateItemCommand).slice(1);

  it("a forged notify delivery after an acting playbook answered sends no REPEAT note and leaves notifiedCount alone", async () => {
    givenRecord(answeredBy('contain-instance'));
    const report = await respondNotify(notifyCopy(1_000_000));
    expect(report.blockedBy).toEqual(['already-answered']);
    expect(report.steps.map((s) => [s.id, s.status, s.reason])).toEqual([
      ['notify', 'skipped', `incident ${report.incidentId} belongs to contain-instance: notify sends no REPEAT note for it`],
    ]);
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    // Only the claim was tried: no count, no delivery, no pending notification written.
    expect(laterWrites()).toEqual([]);
  });

  it('sends nothing for a record with no playbook either (an acting one may still come)', async () => {
    givenRecord({ ...answeredBy('x'), playbook: undefined, pendingNotification: { M: { subject: { S: 's' }, message: { S: 'm' } } } });
    const report = await respondNotify(notifyCopy(5));
    expect(report.blockedBy).toEqual(['already-answered']);
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(laterWrites()).toEqual([]);
  });

  it('a genuine notify incident still gets its REPEAT note when the count grows, claimed under the notify condition', async () => {
    givenRecord(answeredBy('notify'));
    const report = await respondNotify(notifyCopy(4));
    const { Subject } = harness.mocks.sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(Subject).toBe('[GuardDuty IR REPEAT] seen 4 times: MEDIUM 5.0 i-0a1b2c3d4e5f60718 (web-01) 222222222222/us-east-1');
    expect(report.steps[0]).toMatchObject({ id: 'notify', status: 'done', detail: 'count 1 -> 4: message m-1' });
    expect(laterWrites().map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: `incident#${report.incidentId}` } },
        UpdateExpression: 'SET lastSeenAt = :now, findingCount = :count, notifiedCount = :count, noteToken = :noteToken ADD deliveries :one',
        ConditionExpression: 'playbook = :reportOnly AND (attribute_not_exists(notifiedCount) OR notifiedCount < :count)',
        ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':count': { N: '4' }, ':noteToken': { S: expect.any(String) }, ':one': { N: '1' }, ':reportOnly': { S: 'notify' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('sends no note when the record became an acting playbook\'s after the claim was read (DynamoDB refuses the count)', async () => {
    givenRecord(answeredBy('notify'), (input) => input.ConditionExpression?.startsWith('playbook = :reportOnly') === true);
    const report = await respondNotify(notifyCopy(4));
    expect(harness.mocks.sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(report.steps[0]).toMatchObject({ id: 'notify', status: 'skipped', reason: `incident ${report.incidentId} now belongs to another playbook: notify sends no REPEAT note for it` });
  });

  it('a forged notify delivery before the genuine acting one writes its outcome only under the ownership condition', async () => {
    const report = await respondNotify(notifyCopy(999));
    const outcome = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).at(-1)!;
    expect(report.playbook).toBe('notify');
    expect(outcome.ConditionExpression).toBe('claimToken = :token AND (attribute_not_exists(playbook) OR playbook = :reportOnly)');
    expect(outcome.ExpressionAttributeValues).toMatchObject({ ':reportOnly': { S: 'notify' }, ':level': { N: '1' } });
  });
});
