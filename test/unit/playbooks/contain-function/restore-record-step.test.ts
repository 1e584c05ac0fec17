import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConcurrencyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { RestoreLedger } from '../../../../lambda/ledger/restore-record';
import type { ExecutionContext } from '../../../../lambda/plan/types';
import type { FunctionConfiguration } from '../../../../lambda/playbooks/contain-function/facts';
import { functionRestoreRecordStep } from '../../../../lambda/playbooks/contain-function/restore-record-step';
import { iamError } from '../../../support/aws-mocks/revoke-iam';

const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const dynamodb = mockClient(DynamoDBClient);
const NOW = new Date('2026-11-22T10:00:07Z');

const CONFIGURATION: FunctionConfiguration = {
  functionArn: 'arn:aws:lambda:us-east-1:222222222222:function:orders-webhook',
  functionName: 'orders-webhook',
  version: '$LATEST',
  codeSha256: 'hash=',
  codeSize: 1,
  revisionId: null,
  lastModified: null,
  runtime: 'nodejs22.x',
  packageType: 'Zip',
  handler: 'index.handler',
  state: 'Active',
  role: 'arn:aws:iam::222222222222:role/orders-webhook-exec',
  vpc: null,
  environmentVariableNames: ['STRIPE_KEY'],
};

function step(roleName: string | null = 'orders-webhook-exec') {
  return functionRestoreRecordStep({
    accountId: '222222222222',
    region: 'us-east-1',
    functionName: 'orders-webhook',
    incidentId: 'ir-1',
    findingId: 'f-1',
    configuration: CONFIGURATION,
    roleName,
  });
}

function context(): ExecutionContext {
  const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
  return { clients, outputs: new Map(), outcomes: [], now: () => NOW, restoreLedger: new RestoreLedger(clients.dynamodb, 'ledger', () => NOW) };
}

/** The facts the one UpdateItem wrote, by attribute name. */
function written(): Record<string, unknown> {
  const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  return Object.fromEntries(Object.entries(names).filter(([alias]) => alias.startsWith('#f')).map(([alias, name]) => [name, values[`:${alias.slice(1)}`]]));
}

beforeEach(() => {
  for (const mock of [lambda, iam, dynamodb]) mock.reset();
  dynamodb.on(UpdateItemCommand).resolves({});
  iam.on(GetRolePolicyCommand).rejects(iamError('NoSuchEntity'));
});
afterAll(() => [lambda, iam, dynamodb].forEach((mock) => mock.restore()));

describe('the restore record of a function', () => {
  it('records "unreserved" (NULL), the role without a revoke policy and the configuration, under the function key, read when the step runs', async () => {
    lambda.on(GetFunctionConcurrencyCommand).resolves({});
    await expect(step().run(context())).resolves.toMatchObject({ status: 'done' });
    expect(lambda.commandCalls(GetFunctionConcurrencyCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: 'orders-webhook' }]);
    expect(iam.commandCalls(GetRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: 'orders-webhook-exec', PolicyName: 'AWSRevokeOlderSessions' }]);
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.Key).toEqual({ pk: { S: 'restore#222222222222#us-east-1#function:orders-webhook' } });
    expect(written()).toEqual({
      functionConcurrency: { M: { reserved: { NULL: true } } },
      functionConfiguration: { S: JSON.stringify(CONFIGURATION) },
      'sessionPolicy:role:orders-webhook-exec': { M: { previousDocument: { NULL: true } } },
    });
  });

  it('records a reserved value as a number, and no session policy when no role is revoked', async () => {
    lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 25 });
    await step(null).run(context());
    expect(iam.calls()).toHaveLength(0);
    expect(written()).toEqual({ functionConcurrency: { M: { reserved: { N: '25' } } }, functionConfiguration: { S: JSON.stringify(CONFIGURATION) } });
  });

  it('fails, so that nothing is changed, when the concurrency cannot be read', async () => {
    lambda.on(GetFunctionConcurrencyCommand).rejects(iamError('AccessDeniedException'));
    await expect(step().run(context())).rejects.toMatchObject({ code: 'AccessDeniedException' });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('plans the key and what it records, for the dry-run to show', () => {
    expect(step().parameters).toEqual({
      Key: 'restore#222222222222#us-east-1#function:orders-webhook',
      record: {
        functionConcurrency: '<ReservedConcurrentExecutions when the step runs, or none (unreserved)>',
        sessionPolicies: [{ principal: { kind: 'role', name: 'orders-webhook-exec' }, previousDocument: '<AWSRevokeOlderSessions of the role when the step runs, or none>' }],
        functionConfiguration: CONFIGURATION,
      },
    });
  });
});
