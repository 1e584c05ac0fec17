import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/* Who latches the brake: a response with the brake full that GuardDuty confirmed, never a delivery it did not. */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const fresh = (i: number) => ({ pk: { S: `brake#slot#00${i}` }, reservedAt: { N: String(NOW.getTime() - 60_000) }, incidentId: { S: `ir-other-${i}` }, reservationId: { S: `r${i}` } });

function ledgerOptions(): LedgerOptions {
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  return { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 2, () => NOW), level: 'enforce', leaseMs: 75_000 };
}

const respondTo = () => respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger: ledgerOptions() });
const latchPuts = () => dynamodb.commandCalls(PutItemCommand).filter((c) => c.args[0].input.Item?.pk?.S === 'brake#latch');

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [fresh(0), fresh(1)] } });
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});

describe('a full brake', () => {
  it('is latched by a confirmed response, which is refused with the latch in its verdict', async () => {
    guardDuty.holds(containFinding());
    const report = await respondTo();
    expect(report.blockedBy).toEqual(['blast-radius-brake']);
    expect(latchPuts()).toHaveLength(1);
    expect(latchPuts()[0]!.args[0].input).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)', Item: { incidentId: { S: report.incidentId }, findingId: { S: containFinding().id } } });
    expect(report.guards.find((g) => g.id === 'blast-radius-brake')!.reason).toMatch(/^The blast-radius brake is LATCHED since 2026-11-22T08:00:00\.000Z: /);
  });

  it('is not latched by a delivery GuardDuty did not confirm (perhaps forged): it only keeps that one from acting', async () => {
    guardDuty.holds();
    const report = await respondTo();
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(latchPuts()).toHaveLength(0);
  });
});
