import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { accessKeyRestoreKey, instanceRestoreKey, RestoreLedger, type RestoreWrite } from '../../../lambda/ledger/restore-record';
import { NOW } from '../../support/aws-mocks/contain-finding';

/*
 * The restore record's writes, as sent. What DynamoDB does with them (first
 * wins, a closed record replaced) is proven against the emulator in
 * test/integration/restore-record.test.ts.
 */

const TABLE = 'ledger-table';
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
const ledger = new RestoreLedger(client, TABLE, () => NOW);
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

const KEY = instanceRestoreKey('222222222222', 'us-east-1', 'i-0a1b2c3d4e5f60718');
const WRITE: RestoreWrite = {
  key: KEY,
  kind: 'instance',
  resourceId: 'i-0a1b2c3d4e5f60718',
  accountId: '222222222222',
  region: 'us-east-1',
  incidentId: 'ir-1',
  findingId: 'f-1',
  facts: {
    networkInterfaces: [{ networkInterfaceId: 'eni-1', groupIds: ['sg-web', 'sg-ssh'] }],
    volumes: [{ deviceName: '/dev/xvda', volumeId: 'vol-1', deleteOnTermination: true }],
    instanceProfileArn: 'arn:aws:iam::222222222222:instance-profile/web',
    autoScalingGroup: 'web-asg',
    targetGroups: [{ targetGroupArn: 'arn:tg/web', ports: [80, 8080] }],
    terminationProtection: false,
  },
};

beforeEach(() => dynamodb.reset());

describe('restore record keys', () => {
  it('are per resource: an instance by account, region and id; an access key by account and id', () => {
    expect(KEY).toBe('restore#222222222222#us-east-1#i-0a1b2c3d4e5f60718');
    expect(accessKeyRestoreKey('222222222222', 'AKIAEXAMPLE')).toBe('restore#222222222222#AKIAEXAMPLE');
  });
});

describe('RestoreLedger.record', () => {
  it('merges into an open record: every original its own attribute, written only where none is recorded (the first record wins)', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.record(WRITE);
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(closedAt)');
    expect(input.Key).toEqual({ pk: { S: KEY } });
    const names = input.ExpressionAttributeNames!;
    const values = input.ExpressionAttributeValues!;
    // Each fact: `#fN = if_not_exists(#fN, :fN)`.
    const facts = Object.fromEntries(Object.entries(names).filter(([alias]) => alias.startsWith('#f')).map(([alias, name]) => [name, values[`:${alias.slice(1)}`]]));
    expect(facts).toEqual({
      'sgs:eni-1': { L: [{ S: 'sg-web' }, { S: 'sg-ssh' }] },
      'volume:/dev/xvda': { M: { volumeId: { S: 'vol-1' }, deleteOnTermination: { BOOL: true } } },
      instanceProfileArn: { S: 'arn:aws:iam::222222222222:instance-profile/web' },
      autoScalingGroup: { S: 'web-asg' },
      'tg:arn:tg/web': { L: [{ N: '80' }, { N: '8080' }] },
      terminationProtection: { BOOL: false },
    });
    for (const alias of Object.keys(names).filter((a) => a.startsWith('#f'))) {
      expect(input.UpdateExpression).toContain(`${alias} = if_not_exists(${alias}, :${alias.slice(1)})`);
    }
    expect(input.UpdateExpression).toContain('recordedAt = if_not_exists(recordedAt, :now)');
    expect(input.UpdateExpression).toContain('revision = if_not_exists(revision, :zero) + :one');
  });

  it('replaces a released (closed) record with a fresh one, only while it is still closed', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    dynamodb.on(PutItemCommand).resolves({});
    await ledger.record(WRITE);
    const put = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('attribute_exists(closedAt)');
    expect(put.Item).toMatchObject({
      pk: { S: KEY },
      revision: { N: '1' },
      'sgs:eni-1': { L: [{ S: 'sg-web' }, { S: 'sg-ssh' }] },
      terminationProtection: { BOOL: false },
    });
    expect(put.Item!.closedAt).toBeUndefined();
  });

  it('gives up after three rounds of losing both races, and throws (the step fails, nothing is changed)', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    dynamodb.on(PutItemCommand).rejects(conditionFailed());
    await expect(ledger.record(WRITE)).rejects.toThrow(/changed between every attempt/);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(3);
  });

  it('throws any other error as it came (its code reaches the report)', async () => {
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(ledger.record(WRITE)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('RestoreLedger.read', () => {
  it('reads strongly consistently and parses every fact back', async () => {
    dynamodb.on(GetItemCommand).resolves({
      Item: {
        pk: { S: KEY },
        kind: { S: 'instance' },
        revision: { N: '3' },
        'sgs:eni-2': { L: [{ S: 'sg-db' }] },
        'sgs:eni-1': { L: [{ S: 'sg-web' }] },
        'tg:arn:tg/web': { L: [{ N: '80' }] },
        autoScalingGroup: { S: 'web-asg' },
        terminationProtection: { BOOL: false },
      },
    });
    const record = await ledger.read(KEY);
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: { pk: { S: KEY } }, ConsistentRead: true });
    expect(record).toMatchObject({
      revision: 3,
      networkInterfaces: [
        { networkInterfaceId: 'eni-1', groupIds: ['sg-web'] },
        { networkInterfaceId: 'eni-2', groupIds: ['sg-db'] },
      ],
      targetGroups: [{ targetGroupArn: 'arn:tg/web', ports: [80] }],
      autoScalingGroup: 'web-asg',
      terminationProtection: false,
      closedAt: undefined,
    });
  });
});

describe('RestoreLedger.recordRelease', () => {
  const entry = { by: 'arn:aws:iam::222222222222:user/alice', restored: ['restore-groups:eni-1'], revision: 3, close: true, resource: { kind: 'instance' as const, resourceId: 'i-1' } };

  it('closes the record, on the revision read and only if no release came first', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(await ledger.recordRelease(KEY, entry)).toEqual({ status: 'recorded', at: NOW.toISOString() });
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('revision = :revision AND attribute_not_exists(closedAt)');
    expect(input.UpdateExpression).toContain(', releasedAt = :at, closedAt = :at');
    expect(input.ExpressionAttributeValues![':revision']).toEqual({ N: '3' });
    expect(input.ExpressionAttributeValues![':released']!.M).toMatchObject({ by: { S: entry.by }, restored: { L: [{ S: 'restore-groups:eni-1' }] }, closed: { BOOL: true } });
  });

  it('a partial release (--only) is recorded but leaves the record open', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.recordRelease(KEY, { ...entry, close: false });
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.UpdateExpression).not.toContain('closedAt');
  });

  it('with no record (revision 0) creates a closed one, only if none exists', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger.recordRelease(KEY, { ...entry, revision: 0 });
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('another release first: a conflict naming it; its own write found after a lost answer: recorded', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed({ released: { M: { at: { S: '2026-11-22T09:00:00.000Z' }, by: { S: 'bob' }, token: { S: 'other' } } }, closedAt: { S: '2026-11-22T09:00:00.000Z' } }));
    expect(await ledger.recordRelease(KEY, entry)).toMatchObject({ status: 'conflict', record: { released: { by: 'bob' } } });

    dynamodb.reset();
    dynamodb.on(UpdateItemCommand).callsFake((input: { ExpressionAttributeValues: Record<string, { M?: Record<string, { S?: string }> }> }) => {
      // The write landed and its answer was lost: the SDK's retry meets this release's own token.
      const token = input.ExpressionAttributeValues[':released']!.M!.token!.S!;
      throw conditionFailed({ released: { M: { at: { S: NOW.toISOString() }, by: { S: entry.by }, token: { S: token } } } });
    });
    expect(await ledger.recordRelease(KEY, entry)).toEqual({ status: 'recorded', at: NOW.toISOString() });
  });
});
