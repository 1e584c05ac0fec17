import { DynamoDBClient, GetItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { DeleteFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { revokeOlderSessionsPolicy } from '../../../lambda/iam/revoke-sessions';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import { releaseFunction, type FunctionReleaseReport } from '../../../lambda/release/function';
import { iamError } from '../../support/aws-mocks/revoke-iam';

/*
 * `ir release --function`: from the ledger's restore record only. The
 * concurrency goes back exactly (none: DeleteFunctionConcurrency), only
 * while it is still the responder's 0; the revoke policy goes only where
 * the role had none before, and only while it is still the responder's.
 */

const ACCOUNT = '222222222222';
const FUNCTION = 'orders-webhook';
const KEY = `restore#${ACCOUNT}#us-east-1#function:${FUNCTION}`;
const NOW = new Date('2026-11-23T10:00:00.000Z');
const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const dynamodb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);

function record(reserved: number | null, previousDocument: string | null = null, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    pk: { S: KEY },
    kind: { S: 'function' },
    revision: { N: '1' },
    functionConcurrency: { M: { reserved: reserved === null ? { NULL: true } : { N: String(reserved) } } },
    'sessionPolicy:role:orders-webhook-exec': { M: { previousDocument: previousDocument === null ? { NULL: true } : { S: previousDocument } } },
    ...extra,
  };
}

let item: Record<string, AttributeValue> | undefined;

beforeEach(() => {
  for (const mock of [lambda, iam, dynamodb, sts, sns]) mock.reset();
  item = record(null);
  dynamodb.on(GetItemCommand).callsFake(() => ({ Item: item }));
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(ScanCommand).resolves({ Items: [] });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 0 });
  lambda.on(PutFunctionConcurrencyCommand).resolves({});
  lambda.on(DeleteFunctionConcurrencyCommand).resolves({});
  iam.on(GetRolePolicyCommand).resolves({ RoleName: 'orders-webhook-exec', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: encodeURIComponent(revokeOlderSessionsPolicy(NOW)) });
  iam.on(DeleteRolePolicyCommand).resolves({});
});
afterAll(() => [lambda, iam, dynamodb, sts, sns].forEach((mock) => mock.restore()));

function release(dryRun = false): Promise<FunctionReleaseReport> {
  const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  return releaseFunction(FUNCTION, {
    clients,
    region: 'us-east-1',
    ledger: new RestoreLedger(clients.dynamodb, 'ledger-table', () => NOW),
    dryRun,
    notify: { sns: clients.sns, topicArn: 'arn:aws:sns:us-east-1:999988887777:guardduty-ir' },
    now: () => NOW,
  });
}

const lambdaChanges = () => [...lambda.commandCalls(PutFunctionConcurrencyCommand), ...lambda.commandCalls(DeleteFunctionConcurrencyCommand)].map((c) => [c.args[0].constructor.name, c.args[0].input]);

describe('ir release --function', () => {
  it('removes the reserved concurrency when the function had none, and the responder’s revoke policy; records and closes', async () => {
    const report = await release();
    expect(report.refused).toBeNull();
    expect(lambdaChanges()).toEqual([['DeleteFunctionConcurrencyCommand', { FunctionName: FUNCTION }]]);
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: 'orders-webhook-exec', PolicyName: 'AWSRevokeOlderSessions' }]);
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input.Key).toEqual({ pk: { S: KEY } });
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: true });
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ['restore-function-concurrency', 'done'],
      ['remove-session-policy:role:orders-webhook-exec', 'done'],
    ]);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toBe(`[GuardDuty IR] Released: Lambda function ${FUNCTION} (us-east-1)`);
  });

  it('puts a recorded reserved value back exactly', async () => {
    item = record(25);
    await release();
    expect(lambdaChanges()).toEqual([['PutFunctionConcurrencyCommand', { FunctionName: FUNCTION, ReservedConcurrentExecutions: 25 }]]);
  });

  it('leaves a concurrency someone changed since the response (not the responder’s 0)', async () => {
    lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 5 });
    const report = await release();
    expect(lambdaChanges()).toEqual([]);
    expect(report.warnings.join(' ')).toContain('is reserved 5, not the responder\'s 0');
  });

  it('leaves a revoke policy the role had before the response', async () => {
    item = record(null, revokeOlderSessionsPolicy(new Date('2026-01-01T00:00:00Z')));
    const report = await release();
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    expect(report.warnings.join(' ')).toContain('had a AWSRevokeOlderSessions policy before the response');
  });

  it('changes nothing on a dry-run, and shows the same steps', async () => {
    const report = await release(true);
    expect(lambdaChanges()).toEqual([]);
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    expect(report.steps.map((s) => [s.id, s.status, s.parameters])).toEqual([
      ['restore-function-concurrency', 'skipped', { FunctionName: FUNCTION }],
      ['remove-session-policy:role:orders-webhook-exec', 'skipped', { RoleName: 'orders-webhook-exec', PolicyName: 'AWSRevokeOlderSessions' }],
    ]);
  });

  it('refuses without a record, and after a release', async () => {
    item = undefined;
    expect((await release()).refused).toContain('holds no restore record of Lambda function orders-webhook');
    item = record(null, null, { closedAt: { S: '2026-11-23T09:00:00.000Z' } });
    expect((await release()).refused).toContain('was released at 2026-11-23T09:00:00.000Z');
    expect(lambdaChanges()).toEqual([]);
  });

  it('fails the step with Lambda’s code, and leaves the record open', async () => {
    lambda.on(DeleteFunctionConcurrencyCommand).rejects(iamError('ResourceNotFoundException'));
    const report = await release();
    expect(report.steps[0]).toMatchObject({ status: 'failed', error: { code: 'ResourceNotFoundException' } });
    expect(report.ledger).toMatchObject({ status: 'recorded', closed: false });
  });

  it('keeps the role’s revoke policy while another open incident revoked the same role, and names it', async () => {
    const other = `restore#${ACCOUNT}#ASIA2EXAMPLEKEY00009`;
    dynamodb
      .on(ScanCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: { S: 'restore#x' } } })
      .resolvesOnce({ Items: [{ pk: { S: other }, incidentId: { S: 'ir-00000000000000aa' }, kind: { S: 'access-key' }, resourceId: { S: 'ASIA2EXAMPLEKEY00009' } }] });
    const report = await release();
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    expect(report.steps.map((s) => s.id)).toEqual(['restore-function-concurrency']);
    expect(report.warnings).toContain(
      `AWSRevokeOlderSessions of role orders-webhook-exec is kept: another open incident revoked its sessions too (ir-00000000000000aa (access-key ASIA2EXAMPLEKEY00009, ${other})); release them first; a release removes it only where its own record says the principal had none before, so remove it by hand once none is open if no release does.`,
    );
    const scans = dynamodb.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(scans).toEqual([
      {
        TableName: 'ledger-table',
        FilterExpression: 'begins_with(pk, :prefix) AND pk <> :self AND attribute_exists(#policy) AND attribute_not_exists(closedAt)',
        ProjectionExpression: 'pk, incidentId, #kind, resourceId',
        ExpressionAttributeNames: { '#policy': 'sessionPolicy:role:orders-webhook-exec', '#kind': 'kind' },
        ExpressionAttributeValues: { ':prefix': { S: `restore#${ACCOUNT}#` }, ':self': { S: KEY } },
        ConsistentRead: true,
      },
      expect.objectContaining({ ExclusiveStartKey: { pk: { S: 'restore#x' } } }),
    ]);
    // The function itself is released: the record closes; the policy is the other incident's to release.
    expect(report.ledger).toMatchObject({ status: 'recorded' });
  });

  it('keeps the revoke policy when the ledger cannot say whether another incident needs it', async () => {
    dynamodb.on(ScanCommand).rejects(iamError('AccessDeniedException'));
    const report = await release();
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    expect(report.warnings.join(' ')).toContain('could not be read from the ledger (AccessDeniedException): AWSRevokeOlderSessions is left in place');
  });
});
