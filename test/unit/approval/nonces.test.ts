import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { consumeNonce, LEDGER_TTL_ATTRIBUTE } from '../../../lambda/approval/nonces';
import { conditionFailure, INCIDENT, TABLE, testDependencies } from './support';

/*
 * lambda/approval/nonces.ts: one conditional PutItem per link use, the item
 * expiring (ledger TTL) only a day after the token could still be presented.
 */

const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => dynamodb.reset());

const EXPIRES_AT = Date.parse('2026-12-06T13:00:00.000Z') / 1000;

it('writes the nonce once, with the TTL attribute a day after the token expires', async () => {
  dynamodb.on(PutItemCommand).resolves({});
  await expect(consumeNonce(testDependencies().ledger, 'n'.repeat(24), INCIDENT, '2026-12-06T12:00:00.000Z', EXPIRES_AT)).resolves.toEqual({ status: 'consumed' });
  expect(LEDGER_TTL_ATTRIBUTE).toBe('deleteAfter');
  expect(dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
    {
      TableName: TABLE,
      Item: {
        pk: { S: `approval-nonce#${'n'.repeat(24)}` },
        incidentId: { S: INCIDENT },
        usedAt: { S: '2026-12-06T12:00:00.000Z' },
        deleteAfter: { N: String(Date.parse('2026-12-07T13:00:00.000Z') / 1000) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  ]);
});

it('refuses a replay, naming when the nonce was used', async () => {
  dynamodb.on(PutItemCommand).rejects(conditionFailure({ pk: { S: 'approval-nonce#x' }, usedAt: { S: '2026-12-06T12:00:00.000Z' } }));
  await expect(consumeNonce(testDependencies().ledger, 'x', INCIDENT, '2026-12-06T12:05:00.000Z', EXPIRES_AT)).resolves.toEqual({
    status: 'replayed',
    detail: 'this link was already used at 2026-12-06T12:00:00.000Z: a link decides once',
  });
});
