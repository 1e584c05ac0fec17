import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { ResourceIncidents } from '../../../lambda/ledger/resource-incidents';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, DNS_REBIND_TYPE, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The count in the JOINED note (lambda/notify/join-message.ts) is the one the
 * ledger's own join write left (lambda/ledger/incident-ledger.ts noteJoin):
 * a joined finding delivered again, or whose join write the SDK sent again
 * after its answer was lost, is never counted twice.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const OPEN = 'ir-00000000000open1';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const conditionFailed = (item: Record<string, unknown>) => Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), { Item: item });

function run() {
  const finding = { ...containFinding({ type: DNS_REBIND_TYPE }), id: 'f-second', severity: 7.5 };
  guardDuty.holds(finding);
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  const ledger: LedgerOptions = {
    ledger: new IncidentLedger(client, TABLE, () => NOW),
    brake: new ContainmentBrake(client, TABLE, 10, () => NOW),
    level: 'enforce',
    leaseMs: 75_000,
    incidents: { store: new ResourceIncidents(client, TABLE, () => NOW), joinWindowMs: 24 * 60 * 60 * 1000 },
  };
  return respond(finding, { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger });
}

const isPointer = (input: UpdateItemCommandInput) => input.Key?.pk?.S?.startsWith('resource#') === true;
const isClaim = (input: UpdateItemCommandInput) => input.ConditionExpression?.startsWith('attribute_not_exists(pk) OR') === true;
const isJoin = (input: UpdateItemCommandInput) => input.ConditionExpression?.startsWith('NOT contains(findingIds') === true;
const livePointer = { incidentId: { S: OPEN }, openedAt: { S: '2026-11-22T07:00:00.000Z' }, openedAtMs: { N: String(NOW.getTime() - 3_600_000) }, openedBy: { S: 'f-first' } };
const contained = { respondedAt: { S: '2026-11-22T07:00:05.000Z' }, respondedLevel: { N: '2' }, answerKind: { S: 'changes-done' }, findingId: { S: 'f-first' }, findingIds: { SS: ['f-first'] } };
const notes = () => harness.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Message ?? '');

/** The ledger: a contained incident of the instance, joined; `join` answers the join write. */
function ledgerWith(join: (input: UpdateItemCommandInput) => unknown) {
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    if (isPointer(input)) throw conditionFailed(livePointer);
    if (isClaim(input)) throw conditionFailed(contained);
    if (isJoin(input)) return join(input);
    return {};
  });
}

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
});

describe('the JOINED note counts the findings of the incident as the join wrote them', () => {
  it('a new finding: the incident now holds 2 findings', async () => {
    ledgerWith(() => ({ Attributes: { findingIds: { SS: ['f-first', 'f-second'] } } }));
    await run();
    expect(notes()).toHaveLength(1);
    expect(notes()[0]).toContain('The incident now holds 2 findings, this one included.');
  });

  it('its join write sent again by the SDK (the answer lost) finds its own write: still 2, not 3', async () => {
    let sent = 0;
    ledgerWith((input) => {
      sent += 1;
      // The first attempt landed (its answer lost); the SDK's second meets it, holding this delivery's joinToken.
      throw conditionFailed({ joinToken: input.ExpressionAttributeValues![':token']!, findingIds: { SS: ['f-first', 'f-second'] } });
    });
    await run();
    expect(sent).toBe(1);
    expect(notes()).toHaveLength(1);
    expect(notes()[0]).toContain('The incident now holds 2 findings, this one included.');
  });

  it('the joined finding re-sent by GuardDuty (an earlier delivery joined it): no second note, nothing counted again', async () => {
    ledgerWith(() => {
      throw conditionFailed({ joinToken: { S: 'an-earlier-delivery' }, findingIds: { SS: ['f-first', 'f-second'] } });
    });
    await run();
    expect(notes()).toEqual([]);
    // Only a delivery statistic is added: findingIds is not written again.
    const plain = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).at(-1)!;
    expect(plain.UpdateExpression).toBe('SET lastSeenAt = :now ADD deliveries :one');
  });
});
