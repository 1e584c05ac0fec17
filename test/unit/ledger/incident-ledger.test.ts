import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { BRAKE_WINDOW_MS, ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import type { Report } from '../../../lambda/plan/document';
import { containFinding, NOW } from '../../support/aws-mocks/contain-finding';

const TABLE = 'ledger-table';
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

beforeEach(() => dynamodb.reset());

describe('IncidentLedger.claim', () => {
  const ledger = new IncidentLedger(client, TABLE, () => NOW);
  const finding = { ...containFinding(), service: { archived: false, count: 7 } };

  it('is one conditional write: no earlier answer at this level or above, and no live claim; it writes no field of the finding a forged copy could fake', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const claim = await ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 75_000 });
    expect(claim).toEqual({ status: 'claimed', token: expect.any(String), leaseUntil: NOW.getTime() + 75_000 });
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression:
        'SET claimToken = :token, claimLevel = :level, leaseUntil = :leaseUntil, incidentId = :incidentId, findingId = if_not_exists(findingId, :findingId), ' +
        'claimFindingId = :findingId, claimedAtMs = :nowMs, findingAccount = :account, findingRegion = :region, firstSeenAt = if_not_exists(firstSeenAt, :now), lastSeenAt = :now REMOVE claimActing, claimMovesEarly ADD deliveries :one',
      ConditionExpression:
        'attribute_not_exists(pk) OR ((attribute_not_exists(respondedLevel) OR respondedLevel < :level) AND ' +
        '(attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs OR claimLevel < :level))',
      ExpressionAttributeValues: {
        ':token': { S: (claim as { token: string }).token },
        ':level': { N: '2' },
        ':leaseUntil': { N: String(NOW.getTime() + 75_000) },
        ':nowMs': { N: String(NOW.getTime()) },
        ':incidentId': { S: 'ir-1' },
        ':findingId': { S: finding.id },
        ':account': { S: '222222222222' },
        ':region': { S: 'us-east-1' },
        ':now': { S: NOW.toISOString() },
        ':one': { N: '1' },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('claims a dry-run at level 1, so a dry-run answer never takes the right to act in enforce mode', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.claim({ finding, incidentId: 'ir-1', level: 'dry-run', leaseMs: 1 });
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':level']).toEqual({ N: '1' });
  });

  it('returns the record as it was when an earlier delivery holds or answered the incident', async () => {
    dynamodb.on(UpdateItemCommand).rejects(
      conditionFailed({
        pk: { S: 'incident#ir-1' },
        firstSeenAt: { S: '2026-11-22T07:00:00.000Z' },
        respondedAt: { S: '2026-11-22T07:00:05.000Z' },
        respondedLevel: { N: '2' },
        notifiedCount: { N: '3' },
        pendingNotification: { M: { subject: { S: 'the subject' }, message: { S: 'the message' } } },
      }),
    );
    const claim = await ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 1 });
    expect(claim).toEqual({
      status: 'already-claimed',
      record: {
        firstSeenAt: '2026-11-22T07:00:00.000Z',
        respondedAt: '2026-11-22T07:00:05.000Z',
        respondedMode: 'enforce',
        notifiedCount: 3,
        leaseUntil: undefined,
        claimActing: false,
        claimedAtMs: undefined,
        claimMovesEarly: false,
        pendingNotification: { subject: 'the subject', message: 'the message' },
        playbook: undefined,
        answerKind: undefined,
        findingId: undefined,
        findingIds: [],
      },
    });
  });

  it('lets any other DynamoDB error through, code intact', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 1 })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('IncidentLedger.noteRepeat', () => {
  const ledger = new IncidentLedger(client, TABLE, () => NOW);

  it('claims the report of a grown count with a conditional write', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(await ledger.noteRepeat('ir-1', { ...containFinding(), service: { count: 5 } }, 'contain-instance')).toEqual({ countGrew: true, owned: true });
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: 'incident#ir-1' } },
        UpdateExpression: 'SET lastSeenAt = :now, findingCount = :count, notifiedCount = :count, noteToken = :noteToken ADD deliveries :one',
        ConditionExpression: 'attribute_not_exists(notifiedCount) OR notifiedCount < :count',
        ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':count': { N: '5' }, ':noteToken': { S: expect.any(String) }, ':one': { N: '1' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('only counts the delivery when the count did not grow past the last report', async () => {
    dynamodb.on(UpdateItemCommand, { ConditionExpression: 'attribute_not_exists(notifiedCount) OR notifiedCount < :count' }).rejects(conditionFailed()).on(UpdateItemCommand, { UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one' }).resolves({});
    expect(await ledger.noteRepeat('ir-1', containFinding(), 'contain-instance')).toEqual({ countGrew: false, owned: true });
    expect(dynamodb.commandCalls(UpdateItemCommand)[1]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one',
      ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':one': { N: '1' } },
    });
  });
});

describe('IncidentLedger.noteRepeat for notify (which confirms nothing with GuardDuty)', () => {
  const ledger = new IncidentLedger(client, TABLE, () => NOW);
  const notifyOwns = 'playbook = :reportOnly AND (attribute_not_exists(notifiedCount) OR notifiedCount < :count)';

  it("a genuine notify incident's grown count is claimed only in a record whose playbook is notify", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(await ledger.noteRepeat('ir-1', { ...containFinding(), service: { count: 5 } }, 'notify')).toEqual({ countGrew: true, owned: true });
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: 'incident#ir-1' } },
        UpdateExpression: 'SET lastSeenAt = :now, findingCount = :count, notifiedCount = :count, noteToken = :noteToken ADD deliveries :one',
        ConditionExpression: notifyOwns,
        ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':count': { N: '5' }, ':noteToken': { S: expect.any(String) }, ':one': { N: '1' }, ':reportOnly': { S: 'notify' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it("a forged notify copy of an acting playbook's incident touches neither notifiedCount nor the delivery count, and says the record is not its own", async () => {
    // DynamoDB refuses both writes: the record's playbook is contain-instance.
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    expect(await ledger.noteRepeat('ir-1', { ...containFinding(), service: { count: 1_000_000 } }, 'notify')).toEqual({ countGrew: false, owned: false });
    expect(dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ ConditionExpression: notifyOwns }),
      {
        TableName: TABLE,
        Key: { pk: { S: 'incident#ir-1' } },
        UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one',
        ConditionExpression: 'playbook = :reportOnly',
        ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':one': { N: '1' }, ':reportOnly': { S: 'notify' } },
      },
    ]);
  });

  it('a notify incident whose count did not grow only counts the delivery', async () => {
    dynamodb.on(UpdateItemCommand, { ConditionExpression: notifyOwns }).rejects(conditionFailed()).on(UpdateItemCommand, { ConditionExpression: 'playbook = :reportOnly' }).resolves({});
    expect(await ledger.noteRepeat('ir-1', containFinding(), 'notify')).toEqual({ countGrew: false, owned: true });
  });

  it('lets any other DynamoDB error through', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(ledger.noteRepeat('ir-1', containFinding(), 'notify')).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });
});

describe('IncidentLedger.settleNotification', () => {
  const ledger = new IncidentLedger(client, TABLE, () => NOW);

  it('notify settles a pending notification only in a notify record; a refused write changes nothing and is not an error', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await ledger.settleNotification('ir-1', { sent: true }, 'notify');
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression: 'REMOVE pendingNotification',
      ConditionExpression: 'playbook = :reportOnly',
      ExpressionAttributeValues: { ':reportOnly': { S: 'notify' } },
    });
  });

  it('an acting playbook settles it unconditionally', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.settleNotification('ir-1', { pending: { subject: 'sub', message: 'msg' } }, 'contain-instance');
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression: 'SET pendingNotification = :pending',
      ExpressionAttributeValues: { ':pending': { M: { subject: { S: 'sub' }, message: { S: 'msg' } } } },
    });
  });
});

describe('IncidentLedger.recordOutcome', () => {
  const ledger = new IncidentLedger(client, TABLE, () => NOW);
  const finding = { ...containFinding(), service: { archived: false, count: 7 } };
  const report = {
    resource: { instanceId: 'i-1' },
    blockedBy: [],
    steps: [],
    reads: [],
    summary: { done: 0, skipped: 0, failed: 0 },
  } as unknown as Report;

  it('a confirmed delivery writes the finding fields, its steps and its answer, and gives the claim back', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(
      await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'enforce', answered: true, answerKind: 'changes-done', confirmed: { finding, playbook: 'contain-instance' } }),
    ).toBe('recorded');
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression:
        'SET findingType = :findingType, severity = :severity, playbook = :playbook, findingCount = :count, notifiedCount = :count, resourceSummary = :resource, ' +
        'responseMode = :mode, blockedBy = :blockedBy, steps = :steps, failedReads = :failedReads, summary = :summary, lastResponseAt = :at, outcomeToken = :outcomeToken, ' +
        'respondedLevel = :level, respondedAt = :at, answerKind = :answerKind REMOVE leaseUntil, claimToken, claimLevel, claimActing, pendingNotification ADD findingIds :findingIds',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: {
        ':token': { S: 't-1' },
        ':outcomeToken': { S: expect.any(String) },
        ':findingIds': { SS: [finding.id] },
        ':answerKind': { S: 'changes-done' },
        ':findingType': { S: finding.type },
        ':severity': { N: '8' },
        ':playbook': { S: 'contain-instance' },
        ':count': { N: '7' },
        ':resource': { S: '{"instanceId":"i-1"}' },
        ':mode': { S: 'enforce' },
        ':blockedBy': { L: [] },
        ':steps': { L: [] },
        ':failedReads': { L: [] },
        ':summary': { M: { done: { N: '0' }, skipped: { N: '0' }, failed: { N: '0' } } },
        ':at': { S: NOW.toISOString() },
        ':level': { N: '2' },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('an unconfirmed delivery (maybe a forged copy) only gives the claim back: no finding field, step, or pending notification of the genuine incident is touched', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const unconfirmed = { ...report, blockedBy: ['finding-confirmation'] } as Report;
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report: unconfirmed, level: 'enforce', answered: false })).toBe('recorded');
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression: 'SET lastUnconfirmedAt = :at, outcomeToken = :outcomeToken REMOVE leaseUntil, claimToken, claimLevel, claimActing',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': { S: 't-1' }, ':outcomeToken': { S: expect.any(String) }, ':at': { S: NOW.toISOString() } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  /** The attribute names an update's SET and REMOVE clauses name. */
  const namesOf = (expression: string) => {
    const [, set = '', remove = ''] = /^SET (.*?)(?: REMOVE (.*?))?(?: ADD .*)?$/.exec(expression) ?? [];
    return { set: set.split(', ').map((a) => a.split(' = ')[0]!), remove: remove ? remove.split(', ') : [] };
  };

  it("notify's outcome is written only into a record no other playbook owns", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'dry-run', answered: true, confirmed: { finding, playbook: 'notify' } })).toBe('recorded');
    const write = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(write.ConditionExpression).toBe('claimToken = :token AND (attribute_not_exists(playbook) OR playbook = :reportOnly)');
    expect(write.ExpressionAttributeValues).toMatchObject({ ':token': { S: 't-1' }, ':reportOnly': { S: 'notify' }, ':playbook': { S: 'notify' }, ':level': { N: '1' } });
  });

  it("a forged notify delivery before the genuine acting one writes no finding field the acting one's confirmed outcome does not overwrite", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const forged = { ...finding, type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2, service: { archived: false, count: 999 } };
    await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'dry-run', answered: true, confirmed: { finding: forged, playbook: 'notify' } });
    // The genuine delivery, even one that does not answer (the brake, a retry), at the level notify never answers at.
    await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-2', report, level: 'enforce', answered: false, confirmed: { finding, playbook: 'contain-instance' } });
    const [byNotify, byActing] = dynamodb.commandCalls(UpdateItemCommand).map((c) => namesOf(c.args[0].input.UpdateExpression!));
    const overwritten = new Set([...byActing!.set, ...byActing!.remove]);
    // Only notify's dry-run answer stays (respondedLevel 1 never ends the matter for enforce): no field of the finding.
    expect(byNotify!.set.filter((name) => !overwritten.has(name))).toEqual(['respondedLevel', 'respondedAt']);
    expect(byNotify!.set).toEqual(expect.arrayContaining(['findingType', 'severity', 'playbook', 'findingCount', 'notifiedCount', 'steps', 'summary']));
    // The acting playbook's write has no playbook condition: it takes over whatever notify wrote.
    expect(dynamodb.commandCalls(UpdateItemCommand)[1]!.args[0].input.ConditionExpression).toBe('claimToken = :token');
  });

  it("a notify delivery that holds the claim of an acting playbook's record only gives the claim back: no finding field, no count, no answer", async () => {
    dynamodb
      .on(UpdateItemCommand, { ConditionExpression: 'claimToken = :token AND (attribute_not_exists(playbook) OR playbook = :reportOnly)' })
      .rejects(conditionFailed())
      .on(UpdateItemCommand, { ConditionExpression: 'claimToken = :token' })
      .resolves({});
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'dry-run', answered: true, confirmed: { finding, playbook: 'notify' } })).toBe('recorded');
    expect(dynamodb.commandCalls(UpdateItemCommand)[1]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression: 'SET lastUnconfirmedAt = :at, outcomeToken = :outcomeToken REMOVE leaseUntil, claimToken, claimLevel, claimActing',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': { S: 't-1' }, ':outcomeToken': { S: expect.any(String) }, ':at': { S: NOW.toISOString() } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('a notify delivery whose claim was taken over is superseded', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'dry-run', answered: true, confirmed: { finding, playbook: 'notify' } })).toBe('superseded');
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
  });

  it('says superseded when another delivery took the claim over', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'enforce', answered: false })).toBe('superseded');
  });
});

describe('ContainmentBrake', () => {
  const nowMs = NOW.getTime();
  const holder = { incidentId: 'ir-new', findingId: 'f-new', playbook: 'contain-instance' };
  const slot = (index: number, reservedAt: number, incidentId = `ir-${index}`) => ({
    pk: { S: `brake#slot#${String(index).padStart(3, '0')}` },
    reservedAt: { N: String(reservedAt) },
    incidentId: { S: incidentId },
    reservationId: { S: `res-${index}` },
  });
  const brake = (limit: number) => new ContainmentBrake(client, TABLE, limit, () => NOW);

  it('reads every slot strongly consistent, then reserves a free one with a conditional put', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, nowMs - 60_000)] } });
    dynamodb.on(PutItemCommand).resolves({});
    const reservation = await brake(2).reserve(holder);
    expect(reservation).toEqual({ status: 'reserved', slot: 1, reservationId: expect.any(String), reusedOwn: false });
    expect(dynamodb.commandCalls(BatchGetItemCommand)[0]!.args[0].input).toEqual({
      RequestItems: { [TABLE]: { Keys: [{ pk: { S: 'brake#slot#000' } }, { pk: { S: 'brake#slot#001' } }], ConsistentRead: true } },
    });
    expect(dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: { S: 'brake#slot#001' },
          reservedAt: { N: String(nowMs) },
          reservedAtIso: { S: NOW.toISOString() },
          reservationId: { S: (reservation as { reservationId: string }).reservationId },
          incidentId: { S: 'ir-new' },
          findingId: { S: 'f-new' },
          playbook: { S: 'contain-instance' },
        },
        ConditionExpression: 'attribute_not_exists(pk) OR reservedAt < :hourAgo',
        ExpressionAttributeValues: { ':hourAgo': { N: String(nowMs - BRAKE_WINDOW_MS) } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('is full for the N+1th containment of the hour: nothing is written, and it says when a slot frees', async () => {
    const oldest = nowMs - 50 * 60_000;
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, nowMs - 1_000), slot(1, oldest), slot(2, nowMs - 30_000)] } });
    expect(await brake(3).reserve(holder)).toEqual({ status: 'full', limit: 3, freesAt: new Date(oldest + BRAKE_WINDOW_MS).toISOString() });
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 0);
  });

  it('reuses a slot reserved more than an hour ago (rolling hour)', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, nowMs - BRAKE_WINDOW_MS - 1)] } });
    dynamodb.on(PutItemCommand).resolves({});
    expect(await brake(1).reserve(holder)).toMatchObject({ status: 'reserved', slot: 0 });
    expect(dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.pk).toEqual({ S: 'brake#slot#000' });
  });

  it('tries the next free slot when another playbook took one since the read, and is full when it took the last', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    expect(await brake(2).reserve(holder)).toMatchObject({ status: 'reserved' });
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 2);

    dynamodb.reset();
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).rejects(conditionFailed());
    expect(await brake(1).reserve(holder)).toEqual({ status: 'full', limit: 1, freesAt: undefined });
  });

  it('takes over the slot an earlier attempt of the same incident holds: same reservation time, a new reservation id, conditional on the old one', async () => {
    const reservedAt = nowMs - 1_000;
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, reservedAt, 'ir-new')] } });
    dynamodb.on(PutItemCommand).resolves({});
    const reservation = await brake(1).reserve(holder);
    expect(reservation).toEqual({ status: 'reserved', slot: 0, reservationId: expect.any(String), reusedOwn: true });
    expect((reservation as { reservationId: string }).reservationId).not.toBe('res-0');
    expect(dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: { S: 'brake#slot#000' },
          reservedAt: { N: String(reservedAt) },
          reservedAtIso: { S: new Date(reservedAt).toISOString() },
          reservationId: { S: (reservation as { reservationId: string }).reservationId },
          incidentId: { S: 'ir-new' },
          findingId: { S: 'f-new' },
          playbook: { S: 'contain-instance' },
        },
        ConditionExpression: 'reservationId = :previous',
        ExpressionAttributeValues: { ':previous': { S: 'res-0' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('two deliveries of one incident racing for the last slot: the one that lost the put reads again and takes the slot over', async () => {
    dynamodb.on(BatchGetItemCommand).resolvesOnce({ Responses: { [TABLE]: [] } }).resolves({ Responses: { [TABLE]: [slot(0, nowMs, 'ir-new')] } });
    dynamodb.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    expect(await brake(1).reserve(holder)).toMatchObject({ status: 'reserved', slot: 0, reusedOwn: true });
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 2);
    expect(dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input.ConditionExpression)).toEqual([
      'attribute_not_exists(pk) OR reservedAt < :hourAgo',
      'reservationId = :previous',
    ]);
  });

  it('a race lost to another incident for the last slot leaves the brake full after one more read', async () => {
    dynamodb.on(BatchGetItemCommand).resolvesOnce({ Responses: { [TABLE]: [] } }).resolves({ Responses: { [TABLE]: [slot(0, nowMs, 'ir-other')] } });
    dynamodb.on(PutItemCommand).rejects(conditionFailed());
    expect(await brake(1).reserve(holder)).toEqual({ status: 'full', limit: 1, freesAt: new Date(nowMs + BRAKE_WINDOW_MS).toISOString() });
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 2);
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });

  it('releases only its own reservation', async () => {
    dynamodb.on(DeleteItemCommand).rejects(conditionFailed());
    await brake(1).release({ slot: 4, reservationId: 'res-mine' });
    expect(dynamodb.commandCalls(DeleteItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'brake#slot#004' } },
      ConditionExpression: 'reservationId = :reservationId',
      ExpressionAttributeValues: { ':reservationId': { S: 'res-mine' } },
    });
  });
});
