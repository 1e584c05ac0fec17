import { BatchGetItemCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { answerOf } from '../../../lambda/ledger/answered';
import { ContainmentBrake } from '../../../lambda/ledger/brake';
import { IncidentLedger } from '../../../lambda/ledger/incident-ledger';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import { stepSpecsOf } from '../../../lambda/playbooks/registry';
import { respond } from '../../../lambda/respond/respond';
import type { LedgerOptions } from '../../../lambda/respond/gate';
import { shouldFailInvocation } from '../../../lambda/runtime/retry-policy';
import { useContainHarness } from '../../support/aws-mocks/contain-harness';
import { containFinding, enforceConfig, NOW, RESPONDER } from '../../support/aws-mocks/contain-finding';
import { awsError, isReadOnlyAction } from '../../support/aws-mocks/contain-world';
import { useGuardDuty } from '../../support/aws-mocks/guardduty';

/*
 * The restore record (lambda/ledger/restore-record.ts) is written before the
 * first change. Denied (AccessDenied on its UpdateItem), nothing is changed:
 * that is "before any change" for the answered rule (lambda/ledger/answered.ts),
 * so the incident stays open and its brake slot goes back, and the delivery
 * after the permission is fixed acts. With the gate, a mocked ledger table
 * and the mocked account.
 */

const TABLE = 'ledger-table';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';
const h = useContainHarness(new Set(stepSpecsOf('contain-instance').flatMap((spec) => spec.iamActions)));
const guardDuty = useGuardDuty();
const dynamodb = mockClient(DynamoDBClient);
afterAll(() => dynamodb.restore());

const isRestoreWrite = (input: UpdateItemCommandInput) => input.Key?.pk?.S?.startsWith('restore#') === true;
const outcomeWrite = () => dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).find((i) => i.ConditionExpression === 'claimToken = :token');
const accountChanges = () => h.world.log.filter((c) => !c.command.startsWith('dynamodb:') && !isReadOnlyAction(c.command));

let recordDenied = true;

beforeEach(() => {
  dynamodb.reset();
  recordDenied = true;
  h.mocks.sns.reset().on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(DeleteItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    if (isRestoreWrite(input) && recordDenied) throw awsError('AccessDeniedException', 'not authorized to perform dynamodb:UpdateItem on resource', 400);
    return {};
  });
});

function run() {
  guardDuty.holds(containFinding());
  const client = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 });
  const ledger: LedgerOptions = { ledger: new IncidentLedger(client, TABLE, () => NOW), brake: new ContainmentBrake(client, TABLE, 10, () => NOW), level: 'enforce', leaseMs: 75_000 };
  return respond(containFinding(), { config: enforceConfig(), clients: h.clients, dryRun: false, topicArn: TOPIC, responder: RESPONDER, now: () => NOW, ledger, restoreLedger: new RestoreLedger(client, TABLE, () => NOW) });
}

describe('a restore record that cannot be written (AccessDenied)', () => {
  it('changes nothing, leaves the incident open (the claim given back, no answer) and gives its brake slot back', async () => {
    const report = await run();
    expect(accountChanges()).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:network')).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException', retryable: false } });
    expect(answerOf(report)).toEqual({
      answered: false,
      reason: 'record-restore:network (AccessDeniedException) failed before any change: nothing was changed, and the delivery after it is fixed acts',
    });
    const outcome = outcomeWrite()!;
    expect(outcome.UpdateExpression).not.toContain('respondedLevel');
    expect(outcome.UpdateExpression).not.toContain('answerKind');
    expect(outcome.UpdateExpression).toContain('REMOVE leaseUntil, claimToken, claimLevel, claimActing');
    // The slot it reserved goes back: nothing was contained.
    const put = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: put.Item!.pk }, ConditionExpression: 'reservationId = :reservationId', ExpressionAttributeValues: { ':reservationId': put.Item!.reservationId } },
    ]);
    // A lasting denial: Lambda does not retry it (it would be denied again); the next delivery acts.
    expect(shouldFailInvocation(report).retry).toBe(false);
    expect(report.ledger).toEqual({ table: TABLE, key: `incident#${report.incidentId}`, recorded: true });
  });

  it('the delivery after the permission is fixed claims the open incident and contains', async () => {
    await run();
    dynamodb.resetHistory();
    recordDenied = false;
    const report = await run();
    expect(report.blockedBy).toEqual([]);
    expect(report.steps.find((s) => s.id === 'record-restore:network')?.status).toBe('done');
    expect(accountChanges().length).toBeGreaterThan(0);
    expect(outcomeWrite()!.ExpressionAttributeValues![':answerKind']).toEqual({ S: 'changes-done' });
  });
});
