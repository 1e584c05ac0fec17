import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { OutcomeUnknownError } from '../../../lambda/aws/at-most-once';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { respond } from '../../../lambda/respond/respond';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * A notification is published once per response. A Publish whose answer
 * did not come is not sent again within the invocation (the SDK's own
 * retries are stopped by atMostOnce, test/unit/aws/at-most-once.test.ts);
 * the ledger keeps it as owed, saying whether SNS refused it (nobody got
 * it) or its delivery is unknown, and a later delivery sends only that,
 * marked MAY REPEAT when it may have gone out already.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), item ? { Item: item } : {});

function ledgerOptions(): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

function run() {
  guardDuty.holds(containFinding());
  return respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
}

const outcomeWrite = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((i) => i.ConditionExpression === 'claimToken = :token');
const published = () => harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const timedOut = () => new OutcomeUnknownError('Publish', { code: 'TimeoutError', message: 'Connection timed out after 5000 ms', retryable: true });

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});

describe('the first delivery, when the Publish is not answered', () => {
  it('sends it once, records it owed with delivery unknown, and fails the invocation so a retry re-sends it', async () => {
    harness.mocks.sns.on(PublishCommand).rejects(timedOut());
    const report = await run();
    expect(published()).toHaveLength(1);
    expect(report.steps.find((s) => s.id === 'notify')).toMatchObject({ status: 'failed', error: { code: 'OutcomeUnknown', retryable: true } });
    const pending = outcomeWrite()!.ExpressionAttributeValues![':pending']!.M!;
    expect(pending.delivery).toEqual({ S: 'unknown' });
    expect(pending.subject).toEqual({ S: published()[0]!.Subject });
    expect(pending.message!.S).toContain(`Incident id: ${report.incidentId}`);
    expect(shouldFailInvocation(report).retry).toBe(true);
  });

  it('a refusal (nothing delivered) is recorded owed with delivery rejected', async () => {
    harness.mocks.sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException', $metadata: { httpStatusCode: 400 } }));
    await run();
    expect(published()).toHaveLength(1);
    expect(outcomeWrite()!.ExpressionAttributeValues![':pending']!.M!.delivery).toEqual({ S: 'rejected' });
  });
});

describe('a later delivery (or the Lambda retry) of an answered incident with a notification owed', () => {
  function givenPending(delivery: string | undefined) {
    const pending = { M: { subject: { S: '[GuardDuty IR DONE] contain-instance: x' }, message: { S: 'the original report' }, ...(delivery ? { delivery: { S: delivery } } : {}) } };
    const record = { respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, notifiedCount: { N: '1' }, pendingNotification: pending };
    dynamodb.on(UpdateItemCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression?.startsWith('attribute_not_exists(pk)')) throw conditionFailed(record);
      if (input.ConditionExpression === 'attribute_not_exists(notifiedCount) OR notifiedCount < :count') throw conditionFailed();
      return {};
    });
  }

  it('delivery unknown: sends only that notification, once, saying in its subject and first line that it may repeat; then clears it', async () => {
    givenPending('unknown');
    const report = await run();
    expect(published()).toEqual([
      {
        TopicArn: TOPIC,
        Subject: '[MAY REPEAT] [GuardDuty IR DONE] contain-instance: x',
        Message: expect.stringMatching(/^MAY REPEAT: an earlier attempt to send this notification was not answered by SNS[^\n]*\n\nthe original report$/),
      },
    ]);
    expect(report.steps).toEqual([expect.objectContaining({ id: 'notify', status: 'done' })]);
    expect(dynamodb.commandCalls(UpdateItemCommand).at(-1)!.args[0].input.UpdateExpression).toBe('REMOVE pendingNotification');
  });

  it('delivery rejected (or a record from before the field): sent as it was, unmarked', async () => {
    for (const delivery of ['rejected', undefined]) {
      harness.mocks.sns.resetHistory();
      givenPending(delivery);
      await run();
      expect(published()).toEqual([{ TopicArn: TOPIC, Subject: '[GuardDuty IR DONE] contain-instance: x', Message: 'the original report' }]);
    }
  });

  it('a re-send that is refused keeps an unknown delivery unknown: the next one still says it may repeat', async () => {
    givenPending('unknown');
    harness.mocks.sns.on(PublishCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottledException', Code: 'Throttled', $metadata: { httpStatusCode: 400 } }));
    await run();
    expect(published()).toHaveLength(1);
    const kept = dynamodb.commandCalls(UpdateItemCommand).at(-1)!.args[0].input;
    expect(kept.UpdateExpression).toBe('SET pendingNotification = :pending');
    expect(kept.ExpressionAttributeValues![':pending']!.M).toEqual({
      subject: { S: '[GuardDuty IR DONE] contain-instance: x' },
      message: { S: 'the original report' },
      delivery: { S: 'unknown' },
    });
  });

  it('a re-send of a refused one that times out becomes delivery unknown', async () => {
    givenPending('rejected');
    harness.mocks.sns.on(PublishCommand).rejects(timedOut());
    await run();
    expect(published()).toHaveLength(1);
    expect(dynamodb.commandCalls(UpdateItemCommand).at(-1)!.args[0].input.ExpressionAttributeValues![':pending']!.M!.delivery).toEqual({ S: 'unknown' });
  });
});
