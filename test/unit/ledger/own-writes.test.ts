import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { IncidentLedger, JOINED_FINDINGS_LISTED } from '../../../lambda/ledger/incident-ledger';
import type { Report } from '../../../lambda/plan/document';
import { containFinding, NOW } from '../../support/aws-mocks/contain-finding';

/*
 * The ledger knows its own writes. The SDK retries a write whose answer was
 * lost (a dropped connection, a timeout) after the write landed: the retry,
 * the same request, then fails its condition against its own first write.
 * Each write carries a token and asks for the old item on conflict
 * (ALL_OLD): finding its own token there, it is this delivery's write.
 * Here the mock answers every write the way DynamoDB answers that retry:
 * condition failed, with the item its own first attempt wrote.
 */

const TABLE = 'ledger-table';
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});
const ledger = new IncidentLedger(client, TABLE, () => NOW);
const finding = { ...containFinding(), service: { archived: false, count: 3 } };
const writes = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
/** The value the request itself sent for a placeholder. */
const sent = (input: UpdateItemCommandInput, name: string) => input.ExpressionAttributeValues![name]!;

/** Answers the first write as its lost-answer retry is answered: it landed, so the condition now fails against it. */
function lostAnswer(fields: (input: UpdateItemCommandInput) => Record<string, unknown>) {
  dynamodb.on(UpdateItemCommand).callsFakeOnce((input: UpdateItemCommandInput) => {
    throw conditionFailed({ pk: input.Key!.pk, ...fields(input) });
  });
}

beforeEach(() => dynamodb.reset());

describe('the claim', () => {
  it("whose answer was lost is recognised by its token: 'claimed', never already answered or being answered", async () => {
    lostAnswer((input) => ({ claimToken: sent(input, ':token'), claimLevel: { N: '2' }, leaseUntil: sent(input, ':leaseUntil') }));
    const claim = await ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 75_000 });
    expect(claim).toEqual({ status: 'claimed', token: sent(writes()[0]!, ':token').S, leaseUntil: NOW.getTime() + 75_000 });
    expect(writes()).toHaveLength(1);
    expect(writes()[0]!.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it("another delivery's live claim is not taken for its own", async () => {
    lostAnswer(() => ({ claimToken: { S: 'someone-else' }, claimLevel: { N: '2' }, leaseUntil: { N: String(NOW.getTime() + 60_000) } }));
    expect(await ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 75_000 })).toMatchObject({ status: 'already-claimed', record: { leaseUntil: NOW.getTime() + 60_000 } });
  });

  it("a retry of the same invocation (Lambda's request id) takes over the claim its earlier attempt left: the condition lets it in", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const claim = await ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 75_000, deliveryId: 'req-1' });
    const input = writes()[0]!;
    expect(input.ConditionExpression).toBe(
      'attribute_not_exists(pk) OR ((attribute_not_exists(respondedLevel) OR respondedLevel < :level) AND ' +
        '(attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs OR claimLevel < :level OR (begins_with(claimToken, :delivery) AND claimToken <> :token)))',
    );
    expect(sent(input, ':delivery')).toEqual({ S: 'req-1/' });
    expect(claim).toMatchObject({ status: 'claimed', token: expect.stringMatching(/^req-1\/[0-9a-f-]{36}$/) });
  });

  it('a resource incident keeps its resource in the record, for `ir release`', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.claim({ finding, incidentId: 'ir-1', level: 'enforce', leaseMs: 1, resource: 'ec2-instance/222222222222/us-east-1/i-1' });
    const input = writes()[0]!;
    expect(input.UpdateExpression).toMatch(/lastSeenAt = :now, #resource = :resource REMOVE claimActing, claimMovesEarly ADD deliveries :one$/);
    expect(input.ExpressionAttributeNames).toEqual({ '#resource': 'resource' });
    expect(sent(input, ':resource')).toEqual({ S: 'ec2-instance/222222222222/us-east-1/i-1' });
  });
});

describe('the outcome write', () => {
  const report = { resource: {}, blockedBy: [], steps: [], reads: [], summary: { done: 0, skipped: 0, failed: 0 } } as unknown as Report;

  it("whose answer was lost is 'recorded' (its own outcomeToken is in the record), not 'superseded'", async () => {
    lostAnswer((input) => ({ outcomeToken: sent(input, ':outcomeToken'), respondedLevel: { N: '2' } }));
    const written = await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'enforce', answered: true, answerKind: 'changes-done', confirmed: { finding, playbook: 'contain-instance' } });
    expect(written).toBe('recorded');
    expect(writes()).toHaveLength(1);
    expect(writes()[0]).toMatchObject({ ConditionExpression: 'claimToken = :token', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });

  it('an unconfirmed delivery giving the claim back is recorded the same way', async () => {
    lostAnswer((input) => ({ outcomeToken: sent(input, ':outcomeToken') }));
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'enforce', answered: false })).toBe('recorded');
  });

  it("another delivery's outcome in the record means this one was superseded", async () => {
    lostAnswer(() => ({ outcomeToken: { S: 'another-write' }, claimToken: { S: 't-2' } }));
    expect(await ledger.recordOutcome({ incidentId: 'ir-1', token: 't-1', report, level: 'enforce', answered: false })).toBe('superseded');
  });
});

describe('the REPEAT note of a grown count', () => {
  it('whose answer was lost still notifies (its noteToken is in the record), and the delivery is counted once', async () => {
    lostAnswer((input) => ({ noteToken: sent(input, ':noteToken'), notifiedCount: { N: '3' } }));
    expect(await ledger.noteRepeat('ir-1', finding, 'contain-instance')).toEqual({ countGrew: true, owned: true });
    // No second write: the plain count of a delivery whose count did not grow is not made.
    expect(writes()).toHaveLength(1);
  });
});

describe('a finding joining an incident', () => {
  const joined = { ...containFinding(), id: 'joined-finding', type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 5 };

  it('adds the finding to the incident once: one conditional write, the claim of its one note', async () => {
    // DynamoDB answers with the attributes the write changed: the incident's findings, this one included.
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { findingIds: { SS: ['opener', 'joined-finding'] } } });
    expect(await ledger.noteJoin('ir-1', joined)).toEqual({ joined: true, findings: 2 });
    expect(writes()).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: 'incident#ir-1' } },
        UpdateExpression:
          'SET lastSeenAt = :now, joinToken = :token, joinedFindings = list_append(if_not_exists(joinedFindings, :none), :entry) ADD findingIds :findingIds, deliveries :one',
        ConditionExpression: 'NOT contains(findingIds, :findingId) AND (attribute_not_exists(joinedFindings) OR size(joinedFindings) < :listed)',
        ExpressionAttributeValues: {
          ':now': { S: NOW.toISOString() },
          ':token': { S: expect.any(String) },
          ':findingId': { S: 'joined-finding' },
          ':findingIds': { SS: ['joined-finding'] },
          ':one': { N: '1' },
          ':none': { L: [] },
          ':entry': { L: [{ M: { findingId: { S: 'joined-finding' }, findingType: { S: 'UnauthorizedAccess:EC2/SSHBruteForce' }, severity: { N: '5' }, joinedAt: { S: NOW.toISOString() } } }] },
          ':listed': { N: String(JOINED_FINDINGS_LISTED) },
        },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('whose answer was lost still joins (and notes): its joinToken is in the record, and the finding is counted once', async () => {
    lostAnswer((input) => ({ joinToken: sent(input, ':token'), findingIds: { SS: ['opener', 'joined-finding'] } }));
    // Two findings, not three: the retry found its own write, which had already added this one.
    expect(await ledger.noteJoin('ir-1', joined)).toEqual({ joined: true, findings: 2 });
    expect(writes()).toHaveLength(1);
  });

  it('a later delivery of a finding that joined before is only counted', async () => {
    lostAnswer(() => ({ joinToken: { S: 'an-earlier-delivery' }, findingIds: { SS: ['opener', 'joined-finding'] } }));
    dynamodb.on(UpdateItemCommand, { UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one' }).resolves({});
    expect(await ledger.noteJoin('ir-1', joined)).toEqual({ joined: false });
    expect(writes()[1]).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-1' } },
      UpdateExpression: 'SET lastSeenAt = :now ADD deliveries :one',
      ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':one': { N: '1' } },
    });
  });

  it(`past ${JOINED_FINDINGS_LISTED} listed findings, a new one is counted (not listed), and still noted`, async () => {
    const full = { L: Array.from({ length: JOINED_FINDINGS_LISTED }, (_, i) => ({ M: { findingId: { S: `f-${i}` } } })) };
    lostAnswer(() => ({ joinedFindings: full, findingIds: { SS: ['opener'] } }));
    dynamodb.on(UpdateItemCommand, { ConditionExpression: 'NOT contains(findingIds, :findingId)' }).resolves({});
    expect(await ledger.noteJoin('ir-1', joined)).toEqual({ joined: true });
    expect(writes()[1]).toMatchObject({
      UpdateExpression: 'SET lastSeenAt = :now, joinToken = :token ADD findingIds :findingIds, joinedBeyondList :one, deliveries :one',
      ConditionExpression: 'NOT contains(findingIds, :findingId)',
    });
  });
});

describe('a later delivery\'s settled notification', () => {
  it('is idempotent, so its retry needs no token: the same write twice', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.settleNotification('ir-1', { sent: true }, 'contain-instance');
    await ledger.settleNotification('ir-1', { sent: true }, 'contain-instance');
    expect(writes()[0]).toEqual(writes()[1]);
    expect(writes()[0]).toEqual({ TableName: TABLE, Key: { pk: { S: 'incident#ir-1' } }, UpdateExpression: 'REMOVE pendingNotification' });
  });
});
