import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { NOW } from '../../support/aws-mocks/contain-finding';

/*
 * The SDK retries a conditional write whose answer was lost (the write
 * landed, the connection dropped). The retry then fails its condition
 * against that first write; DynamoDB hands the item back (ALL_OLD), and the
 * brake must recognise its own reservation in it: exactly one slot, never a
 * second one, never "full". The fake below answers a put as that retry
 * would: condition failed, with the very item the put wrote.
 */

const TABLE = 'ledger-table';
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
const nowMs = NOW.getTime();
const holder = { incidentId: 'ir-new', findingId: 'f-new', playbook: 'contain-instance' };
const brake = (limit: number) => new ContainmentBrake(client, TABLE, limit, () => NOW);

const conditionFailedWith = (item: PutItemCommandInput['Item']) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), { Item: item });

/** The put landed, its answer was lost, and the SDK's retry meets it. */
const lostAnswer = (input: PutItemCommandInput) => Promise.reject(conditionFailedWith(input.Item));

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(GetItemCommand).resolves({});
});

describe('a slot put whose answer was lost', () => {
  it('is this reservation: one slot, one put, no second slot tried and no latch', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).callsFake(lostAnswer);
    const reservation = await brake(3).reserve(holder);
    expect(reservation).toEqual({ status: 'reserved', slot: expect.any(Number), reservationId: expect.any(String), reusedOwn: false });
    const puts = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk) OR reservedAt < :hourAgo',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      Item: { reservationId: { S: (reservation as { reservationId: string }).reservationId }, incidentId: { S: 'ir-new' } },
    });
    expect(puts[0]!.Item!.pk).toEqual({ S: `brake#slot#${String((reservation as { slot: number }).slot).padStart(3, '0')}` });
  });

  it('on the last slot is still reserved, not full', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb.on(PutItemCommand).callsFake(lostAnswer);
    expect(await brake(1).reserve(holder)).toMatchObject({ status: 'reserved', slot: 0, reusedOwn: false });
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });

  it('differs from a race lost to another response: that one tries the next slot', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    dynamodb
      .on(PutItemCommand)
      .callsFakeOnce((input: PutItemCommandInput) => Promise.reject(conditionFailedWith({ ...input.Item, reservationId: { S: 'someone-else' } })))
      .resolves({});
    expect(await brake(2).reserve(holder)).toMatchObject({ status: 'reserved', reusedOwn: false });
    const slots = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!.pk!.S);
    expect(new Set(slots).size).toBe(2);
  });

  it('taking over its own incident\'s slot, is the take-over: reused, one put', async () => {
    const reservedAt = nowMs - 60_000;
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [{ pk: { S: 'brake#slot#000' }, reservedAt: { N: String(reservedAt) }, incidentId: { S: 'ir-new' }, reservationId: { S: 'first-attempt' } }] },
    });
    dynamodb.on(PutItemCommand).callsFake(lostAnswer);
    const reservation = await brake(1).reserve(holder);
    expect(reservation).toMatchObject({ status: 'reserved', slot: 0, reusedOwn: true });
    const [put] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({
      ConditionExpression: 'reservationId = :previous',
      ExpressionAttributeValues: { ':previous': { S: 'first-attempt' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      Item: { reservedAt: { N: String(reservedAt) } },
    });
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });
});

describe('a release whose answer was lost', () => {
  it('is done when its retry finds the slot gone', async () => {
    dynamodb
      .on(DeleteItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(brake(1).release({ slot: 2, reservationId: 'mine' })).resolves.toBeUndefined();
    expect(dynamodb.commandCalls(DeleteItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'brake#slot#002' } },
      ConditionExpression: 'reservationId = :reservationId',
      ExpressionAttributeValues: { ':reservationId': { S: 'mine' } },
    });
  });
});

describe('a latch put whose answer was lost', () => {
  it('is this engagement: it engaged the brake now, and announces it once', async () => {
    dynamodb.on(PutItemCommand).callsFake(lostAnswer);
    const announce = jest.fn().mockResolvedValue('message m-1');
    const latching = new ContainmentBrake(client, TABLE, 2, () => NOW, announce);
    const engagement = await latching.engage({ status: 'full', limit: 2, freesAt: undefined, latch: undefined }, holder);
    expect(engagement).toMatchObject({ status: 'latched', engagedNow: true, announcement: { status: 'sent', detail: 'message m-1' } });
    expect(announce).toHaveBeenCalledTimes(1);
  });
});
