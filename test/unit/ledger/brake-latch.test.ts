import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { BRAKE_WINDOW_MS, ContainmentBrake, type FullBrake } from '../../../lambda/ledger/brake';
import { brakeVerdictReason } from '../../../lambda/ledger/brake-verdict';
import { brakeAnnouncer } from '../../../lambda/notify/brake-announcement';
import { NOW } from '../../support/aws-mocks/contain-finding';

/* The latch: once the brake is full it stays engaged, whatever the hour, until an operator releases it. */

const TABLE = 'ledger-table';
const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
const nowMs = NOW.getTime();
const holder = { incidentId: 'ir-new', findingId: 'f-new', playbook: 'contain-instance' };
const full: FullBrake = { status: 'full', limit: 2, freesAt: '2026-11-22T08:30:00.000Z', latch: undefined };

const latchItem = {
  pk: { S: 'brake#latch' },
  engagementId: { S: 'first' },
  engagedAt: { S: '2026-11-22T07:00:00.000Z' },
  incidentId: { S: 'ir-flood-1' },
  findingId: { S: 'f-flood-1' },
  playbook: { S: 'revoke-credentials' },
  limit: { N: '2' },
  reason: { S: '2 containments started within an hour (blastRadius.maxContainmentsPerHour) and revoke-credentials asked for one more (incident ir-flood-1)' },
};
const slot = (index: number, reservedAt: number, incidentId = `ir-${index}`) => ({
  pk: { S: `brake#slot#${String(index).padStart(3, '0')}` },
  reservedAt: { N: String(reservedAt) },
  incidentId: { S: incidentId },
  reservationId: { S: `res-${index}` },
});
const conditionFailed = (item?: PutItemCommandInput['Item']) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

beforeEach(() => {
  dynamodb.reset();
  sns.reset();
});

describe('engaging the latch', () => {
  it('is one conditional put that keeps the first engagement, and the engaging response announces it on the topic, once', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const announce = brakeAnnouncer(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:111122223333:ir', { ledgerTable: TABLE, region: 'eu-west-1' });
    const brake = new ContainmentBrake(client, TABLE, 2, () => NOW, announce);
    const engagement = await brake.engage(full, holder);

    const latch = {
      engagementId: expect.any(String),
      engagedAt: NOW.toISOString(),
      incidentId: 'ir-new',
      findingId: 'f-new',
      playbook: 'contain-instance',
      limit: 2,
      reason: '2 containments started within an hour (blastRadius.maxContainmentsPerHour) and contain-instance asked for one more (incident ir-new)',
    };
    expect(engagement).toEqual({ status: 'latched', latch, engagedNow: true, announcement: { status: 'sent', detail: 'message m-1' } });
    expect(dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: { S: 'brake#latch' },
          engagementId: { S: (engagement as { latch: { engagementId: string } }).latch.engagementId },
          engagedAt: { S: NOW.toISOString() },
          incidentId: { S: 'ir-new' },
          findingId: { S: 'f-new' },
          playbook: { S: 'contain-instance' },
          limit: { N: '2' },
          reason: { S: latch.reason },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ TopicArn: 'arn:aws:sns:eu-west-1:111122223333:ir', Subject: '[GuardDuty IR BRAKE LATCHED] no more containments in eu-west-1: contain-instance' });
    expect(published[0]!.Message).toContain('ir brake release --region eu-west-1 --reason "<why>"');
    expect(published[0]!.Message).toContain('Engaged by finding f-new (contain-instance, incident ir-new).');
  });

  it('by a second full response finds the first engagement: it keeps its time and reason, and announces nothing', async () => {
    dynamodb.on(PutItemCommand).rejects(conditionFailed(latchItem));
    const announce = jest.fn();
    const engagement = await new ContainmentBrake(client, TABLE, 2, () => NOW, announce).engage(full, holder);
    expect(engagement).toMatchObject({ status: 'latched', engagedNow: false, latch: { engagementId: 'first', engagedAt: '2026-11-22T07:00:00.000Z', incidentId: 'ir-flood-1' } });
    expect(announce).not.toHaveBeenCalled();
  });

  it('that fails (AccessDenied) is reported, and the response is refused all the same', async () => {
    dynamodb.on(PutItemCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const engagement = await new ContainmentBrake(client, TABLE, 2, () => NOW).engage(full, holder);
    expect(engagement).toEqual({ status: 'failed', code: 'AccessDeniedException', message: 'not allowed' });
    expect(brakeVerdictReason(full, engagement)).toBe(
      '2 containments already started in the last hour (blastRadius.maxContainmentsPerHour). A flood of findings must not isolate a fleet, so this one is planned but not executed. ' +
        'The brake could not be latched (AccessDeniedException: not allowed). The next containment is possible from 2026-11-22T08:30:00.000Z. To act on this one by hand: ir respond <finding> --execute.',
    );
  });

  it('whose announcement fails says so in the verdict (every refused response still notifies)', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    const announce = jest.fn().mockRejectedValue(Object.assign(new Error('slow down'), { name: 'Throttled' }));
    const engagement = await new ContainmentBrake(client, TABLE, 2, () => NOW, announce).engage(full, holder);
    expect(engagement).toMatchObject({ status: 'latched', engagedNow: true, announcement: { status: 'failed', code: 'Throttled' } });
    expect(brakeVerdictReason(full, engagement)).toContain('This response engaged it; the notification saying so could not be published (Throttled).');
  });
});

describe('a latched brake', () => {
  it('refuses a new incident even when every slot aged out of the hour: nothing is written', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: latchItem });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, nowMs - BRAKE_WINDOW_MS - 1), slot(1, nowMs - 2 * BRAKE_WINDOW_MS)] } });
    const reservation = await new ContainmentBrake(client, TABLE, 2, () => NOW).reserve(holder);
    expect(reservation).toMatchObject({ status: 'full', limit: 2, latch: { engagementId: 'first', engagedAt: '2026-11-22T07:00:00.000Z' } });
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 0);
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: TABLE, Key: { pk: { S: 'brake#latch' } }, ConsistentRead: true });
    // Already latched: engaging again writes nothing, and the verdict names the first engagement and the release.
    const engagement = await new ContainmentBrake(client, TABLE, 2, () => NOW).engage(reservation as FullBrake, holder);
    expect(engagement).toMatchObject({ status: 'latched', engagedNow: false });
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 0);
    expect(brakeVerdictReason(reservation as FullBrake, engagement)).toMatch(
      /^The blast-radius brake is LATCHED since 2026-11-22T07:00:00\.000Z: 2 containments started .*\(incident ir-flood-1\)\. A flood .* ir brake release --reason "<why>"\. Responses already holding a slot may finish\./,
    );
  });

  it('lets an incident that already holds a slot finish: a retry of a half-done containment takes its slot over', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: latchItem });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, nowMs - 60_000, 'ir-new'), slot(1, nowMs - 30_000)] } });
    dynamodb.on(PutItemCommand).resolves({});
    expect(await new ContainmentBrake(client, TABLE, 2, () => NOW).reserve(holder)).toMatchObject({ status: 'reserved', slot: 0, reusedOwn: true });
    expect(dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input.ConditionExpression).toBe('reservationId = :previous');
  });

  it('once released (no latch item), reserves a slot that aged out again', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [slot(0, nowMs - BRAKE_WINDOW_MS - 1)] } });
    dynamodb.on(PutItemCommand).resolves({});
    expect(await new ContainmentBrake(client, TABLE, 1, () => NOW).reserve(holder)).toMatchObject({ status: 'reserved', slot: 0, reusedOwn: false });
  });
});
