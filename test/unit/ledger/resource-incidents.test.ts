import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { incidentResourceOf } from '../../../lambda/ledger/incident-resource';
import { nextIncidentId, resourceKey, ResourceIncidents } from '../../../lambda/ledger/resource-incidents';
import { containFinding, NOW } from '../../support/aws-mocks/contain-finding';

/* One incident per resource (lambda/ledger/resource-incidents.ts): the pointer item's conditional writes. */

const TABLE = 'ledger-table';
const RESOURCE = 'ec2-instance/222222222222/us-east-1/i-1';
const WINDOW_MS = 24 * 60 * 60 * 1000;
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});
const incidents = new ResourceIncidents(client, TABLE, () => NOW);
const writes = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
const open = (more: { replacing?: string } = {}) => incidents.open({ resource: RESOURCE, findingId: 'f-new', proposedId: 'ir-own', windowMs: WINDOW_MS, ...more });
const pointer = (fields: Record<string, unknown>) => ({ pk: resourceKey(RESOURCE).pk, incidentId: { S: 'ir-open' }, openedAt: { S: '2026-11-22T07:00:00.000Z' }, openedBy: { S: 'f-first' }, ...fields });
const openedAgo = (ms: number) => ({ openedAtMs: { N: String(NOW.getTime() - ms) } });

beforeEach(() => dynamodb.reset());

describe('incidentResourceOf', () => {
  const finding = containFinding();
  it('an instance, for contain-instance; nothing for notify or a sample finding', () => {
    expect(incidentResourceOf(finding, 'contain-instance')).toBe(`ec2-instance/222222222222/us-east-1/${finding.resource!.instanceDetails!.instanceId}`);
    expect(incidentResourceOf(finding, 'notify')).toBeUndefined();
    expect(incidentResourceOf({ ...finding, service: { additionalInfo: { sample: true } } }, 'contain-instance')).toBeUndefined();
  });

  it('an access key for revoke-credentials, else the principal; never a placeholder of GuardDuty', () => {
    const keyed = (accessKeyDetails: Record<string, string>) => ({ ...finding, resource: { resourceType: 'AccessKey', accessKeyDetails } });
    expect(incidentResourceOf(keyed({ accessKeyId: 'AKIA1', userName: 'alice' }), 'revoke-credentials')).toBe('access-key/222222222222/AKIA1');
    expect(incidentResourceOf(keyed({ principalId: 'AIDA1', userName: 'alice' }), 'revoke-credentials')).toBe('principal/222222222222/AIDA1');
    expect(incidentResourceOf(keyed({ accessKeyId: 'GeneratedFindingAccessKeyId', userName: 'GeneratedFindingUserName' }), 'revoke-credentials')).toBeUndefined();
  });
});

describe('ResourceIncidents.open', () => {
  it("opens the resource's first incident under the finding's own id: one conditional write", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(await open()).toEqual({ incidentId: 'ir-own', opened: true, openedAt: NOW.toISOString(), openedBy: 'f-new' });
    expect(writes()).toEqual([
      {
        TableName: TABLE,
        Key: resourceKey(RESOURCE),
        UpdateExpression: 'SET incidentId = :incidentId, #resource = :resource, openedAt = :openedAt, openedAtMs = :openedAtMs, openedBy = :findingId, openToken = :token REMOVE closedAt',
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeNames: { '#resource': 'resource' },
        ExpressionAttributeValues: {
          ':incidentId': { S: 'ir-own' },
          ':resource': { S: RESOURCE },
          ':openedAt': { S: NOW.toISOString() },
          ':openedAtMs': { N: String(NOW.getTime()) },
          ':findingId': { S: 'f-new' },
          ':token': { S: expect.any(String) },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('joins the incident another finding opened within the window: nothing is written', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed(pointer(openedAgo(WINDOW_MS - 1))));
    expect(await open()).toEqual({ incidentId: 'ir-open', opened: false, openedAt: '2026-11-22T07:00:00.000Z', openedBy: 'f-first' });
    expect(writes()).toHaveLength(1);
  });

  it('an open write whose answer was lost finds its own token: opened, not joined', async () => {
    dynamodb.on(UpdateItemCommand).callsFakeOnce((input: UpdateItemCommandInput) => {
      throw conditionFailed(pointer({ incidentId: { S: 'ir-own' }, openToken: input.ExpressionAttributeValues![':token'], ...openedAgo(0) }));
    });
    expect(await open()).toMatchObject({ incidentId: 'ir-own', opened: true });
  });

  it.each([
    ['closed by `ir release`', { closedAt: { S: '2026-11-22T07:30:00.000Z' }, ...openedAgo(60_000) }],
    ['opened before the window', openedAgo(WINDOW_MS + 1)],
  ])('opens a new incident after one %s, under an id chained to it', async (_, state) => {
    dynamodb
      .on(UpdateItemCommand, { ConditionExpression: 'attribute_not_exists(pk)' })
      .rejects(conditionFailed(pointer(state)))
      .on(UpdateItemCommand, { ConditionExpression: 'contains(findingIds, :findingId)' })
      .rejects(conditionFailed())
      .on(UpdateItemCommand, { ConditionExpression: 'incidentId = :previous AND (attribute_exists(closedAt) OR openedAtMs < :windowStart)' })
      .resolves({});
    expect(await open()).toMatchObject({ incidentId: nextIncidentId('ir-own', 'ir-open'), opened: true });
    // The new finding was asked about first: it is none of the ended incident's.
    expect(writes()[1]).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'incident#ir-open' } },
      UpdateExpression: 'SET lastSeenAt = :now',
      ConditionExpression: 'contains(findingIds, :findingId)',
      ExpressionAttributeValues: { ':now': { S: NOW.toISOString() }, ':findingId': { S: 'f-new' } },
    });
    expect(nextIncidentId('ir-own', 'ir-open')).toMatch(/^ir-[0-9a-f]{16}$/);
    expect(nextIncidentId('ir-own', 'ir-open')).not.toBe('ir-own');
    expect(writes()[2]!.ExpressionAttributeValues).toMatchObject({
      ':incidentId': { S: nextIncidentId('ir-own', 'ir-open') },
      ':previous': { S: 'ir-open' },
      ':windowStart': { N: String(NOW.getTime() - WINDOW_MS) },
    });
  });

  it.each([
    ['released', { closedAt: { S: '2026-11-22T07:30:00.000Z' }, ...openedAgo(60_000) }],
    ['opened before the window', openedAgo(WINDOW_MS + 1)],
  ])('a finding of an incident %s, delivered again, stays with that incident: nothing new is opened', async (_, state) => {
    dynamodb
      .on(UpdateItemCommand, { ConditionExpression: 'attribute_not_exists(pk)' })
      .rejects(conditionFailed(pointer(state)))
      .on(UpdateItemCommand, { ConditionExpression: 'contains(findingIds, :findingId)' })
      .resolves({});
    expect(await open()).toEqual({ incidentId: 'ir-open', opened: false, openedAt: '2026-11-22T07:00:00.000Z', openedBy: 'f-first' });
    expect(writes()).toHaveLength(2);
  });

  it('joins the incident another finding opened first when both saw the old one ended', async () => {
    dynamodb
      .on(UpdateItemCommand, { ConditionExpression: 'attribute_not_exists(pk)' })
      .rejects(conditionFailed(pointer({ closedAt: { S: 'x' }, ...openedAgo(60_000) })))
      .on(UpdateItemCommand, { ConditionExpression: 'contains(findingIds, :findingId)' })
      .rejects(conditionFailed())
      .on(UpdateItemCommand, { ConditionExpression: 'incidentId = :previous AND (attribute_exists(closedAt) OR openedAtMs < :windowStart)' })
      .rejects(conditionFailed(pointer({ incidentId: { S: 'ir-racer' }, ...openedAgo(0) })));
    expect(await open()).toMatchObject({ incidentId: 'ir-racer', opened: false });
  });

  it('replaces a live incident it must not join (answered with no change needed), conditional on that incident', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    expect(await open({ replacing: 'ir-open' })).toMatchObject({ incidentId: nextIncidentId('ir-own', 'ir-open'), opened: true });
    expect(writes()).toHaveLength(1);
    expect(writes()[0]).toMatchObject({ ConditionExpression: 'incidentId = :previous', ExpressionAttributeValues: expect.objectContaining({ ':previous': { S: 'ir-open' } }) });
  });

  it('gives up, loudly, when the pointer keeps moving', async () => {
    let n = 0;
    dynamodb.on(UpdateItemCommand).callsFake(() => {
      n += 1;
      throw conditionFailed(pointer({ incidentId: { S: `ir-ended-${n}` }, closedAt: { S: 'x' }, ...openedAgo(0) }));
    });
    // (Each ended incident is asked whether the finding is its own, and says no: the same refusal.)
    await expect(open()).rejects.toThrow(`the incident of ${RESOURCE} moved on 4 times while it was opened`);
  });
});

describe('ResourceIncidents.close (`ir release`)', () => {
  it('closes the incident, then the pointer if it still names the incident', async () => {
    dynamodb.on(UpdateItemCommand, { Key: { pk: { S: 'incident#ir-open' } } }).resolves({ Attributes: { resource: { S: RESOURCE } } });
    dynamodb.on(UpdateItemCommand, { Key: resourceKey(RESOURCE) }).rejects(conditionFailed());
    expect(await incidents.close('ir-open')).toEqual({ resource: RESOURCE });
    expect(writes()).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: 'incident#ir-open' } },
        UpdateExpression: 'SET closedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': { S: NOW.toISOString() } },
        ReturnValues: 'ALL_NEW',
      },
      {
        TableName: TABLE,
        Key: resourceKey(RESOURCE),
        UpdateExpression: 'SET closedAt = :at',
        ConditionExpression: 'incidentId = :incidentId',
        ExpressionAttributeValues: { ':at': { S: NOW.toISOString() }, ':incidentId': { S: 'ir-open' } },
      },
    ]);
  });
});

describe('ResourceIncidents.closeResource (`ir release` of a whole containment)', () => {
  it('closes the incident the pointer names (read strongly consistent), and the pointer', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: pointer(openedAgo(60_000)) });
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { resource: { S: RESOURCE } } });
    expect(await incidents.closeResource(RESOURCE)).toEqual({ incidentId: 'ir-open' });
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: resourceKey(RESOURCE), ConsistentRead: true });
    expect(writes().map((w) => w.Key)).toEqual([{ pk: { S: 'incident#ir-open' } }, resourceKey(RESOURCE)]);
  });

  it('closes the pointer even when the incident has no item (its claim never landed)', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: pointer(openedAgo(60_000)) });
    dynamodb.on(UpdateItemCommand, { Key: { pk: { S: 'incident#ir-open' } } }).rejects(conditionFailed());
    dynamodb.on(UpdateItemCommand, { Key: resourceKey(RESOURCE) }).resolves({});
    expect(await incidents.closeResource(RESOURCE)).toEqual({ incidentId: 'ir-open' });
    expect(writes().map((w) => [w.Key, w.ConditionExpression])).toEqual([
      [{ pk: { S: 'incident#ir-open' } }, 'attribute_exists(pk)'],
      [resourceKey(RESOURCE), 'incidentId = :incidentId'],
    ]);
  });

  it('no pointer (never contained, or before incidents per resource): nothing to close, nothing written', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    expect(await incidents.closeResource(RESOURCE)).toEqual({ incidentId: undefined });
    expect(writes()).toEqual([]);
  });

  it('lets a DynamoDB error through, code intact', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: pointer(openedAgo(60_000)) });
    dynamodb.on(UpdateItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(incidents.closeResource(RESOURCE)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
