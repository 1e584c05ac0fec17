import { BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { renderReport } from '../../../cli/render/plan-text';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * A 'superseded' outcome write (lambda/ledger/incident-ledger.ts: another
 * delivery took the claim over before this one wrote its outcome) is never
 * dropped: the report says so (ledger.superseded), `ir invoke` prints it,
 * and a response that changed the account fails its invocation, loudly,
 * naming it; one that changed nothing (a forged copy whose early claim the
 * genuine delivery took over) has nothing to record and is not retried.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const harness = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const dynamodb = mockClient(DynamoDBClient);
const guardDuty = useGuardDuty();
const taken = () =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), {
    Item: { claimToken: { S: 'another-delivery/1' }, claimActing: { S: 'f-other' }, outcomeToken: { S: 'not-ours' } },
  });
const isOutcome = (input: UpdateItemCommandInput) => input.ConditionExpression === 'claimToken = :token';

beforeEach(() => {
  dynamodb.reset();
  harness.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(DeleteItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    if (isOutcome(input)) throw taken();
    return {};
  });
});

function run(confirmed: boolean) {
  if (confirmed) guardDuty.holds(containFinding());
  else guardDuty.holds();
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  const ledger: LedgerOptions = { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
  return respond(containFinding(), { config: enforceConfig(), clients: harness.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger });
}

describe('an outcome write superseded by another delivery', () => {
  it('that changed the account: the report says superseded, ir invoke prints it, and the invocation fails naming it', async () => {
    const report = await run(true);
    expect(report.steps.some((s) => s.mutating && s.status === 'done')).toBe(true);
    expect(report.ledger).toEqual({ table: TABLE, key: `incident#${report.incidentId}`, recorded: false, superseded: true });
    const decision = shouldFailInvocation(report);
    expect(decision.retry).toBe(true);
    expect(decision.reason).toContain(`the outcome was SUPERSEDED in the incident ledger ${TABLE} (pk "incident#${report.incidentId}")`);
    expect(renderReport(report)).toContain(`SUPERSEDED ${TABLE} incident#${report.incidentId}: another delivery took the incident's claim over first`);
  });

  it('that changed nothing (a delivery GuardDuty did not confirm): said in the report, nothing to retry', async () => {
    const report = await run(false);
    expect(report.blockedBy).toEqual(['finding-confirmation']);
    expect(report.ledger).toEqual({ table: TABLE, key: `incident#${report.incidentId}`, recorded: false, superseded: true });
    expect(shouldFailInvocation(report).retry).toBe(false);
    expect(renderReport(report)).toContain('SUPERSEDED');
  });

  it('a recorded outcome is printed as recorded', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    const report = await run(true);
    expect(report.ledger).toEqual({ table: TABLE, key: `incident#${report.incidentId}`, recorded: true });
    expect(renderReport(report)).toContain(`recorded ${TABLE} incident#${report.incidentId}`);
  });
});
