import { DynamoDBClient, GetItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { chatDecider, handleChatDecision } from '../../../lambda/approval/chat-channel';
import { verifiedCaller, type FunctionUrlEvent } from '../../../lambda/approval/function-url-event';
import { presignIdentityProof } from '../../../cli/approval/identity-proof';
import { handleOperatorRequest, type OperatorDependencies } from '../../../lambda/approval/operator-channel';
import { fakeStsFetch } from '../../support/presigned-sts';
import { INCIDENT, NOW, PLAN_HASH, pendingItem, testDependencies } from './support';

/*
 * The operator decision function (lambda/approval/operator-channel.ts, its
 * function URL is AWS_IAM) records the identity STS proves (the identity
 * proof: identity-proof.test.ts tests it in depth), and nothing a request
 * claims; reading needs the identity Lambda verified; the chat decision
 * (chat-channel.ts) is recorded as the chat channel's.
 */

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const ALICE = 'arn:aws:sts::123456789012:assumed-role/IncidentResponders/alice';
const ALICE_KEY = { accessKeyId: 'ASIAALICE0000000', secretAccessKey: 'alice-secret' };
const sts = fakeStsFetch(new Map([[ALICE_KEY.accessKeyId, { secretAccessKey: ALICE_KEY.secretAccessKey, arn: ALICE, account: '123456789012', userId: 'AROAALICE:alice' }]]));
const deps: OperatorDependencies = { ...testDependencies(), proof: { region: 'us-east-1', stsEndpoint: new URL('https://sts.us-east-1.amazonaws.com/'), fetch: sts.fetch } };
const now = () => NOW;
const proofFor = (decision: { incidentId: string; decision: 'approve' | 'deny'; planHash: string }) =>
  presignIdentityProof({ ...decision, region: 'us-east-1', credentials: ALICE_KEY, signingDate: new Date(NOW) });

function request(method: string, options: { body?: unknown; query?: string; iam?: Record<string, string> } = {}): FunctionUrlEvent {
  return {
    rawPath: '/',
    rawQueryString: options.query ?? '',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    requestContext: {
      http: { method },
      ...(options.iam ? { authorizer: { iam: options.iam } } : {}),
    },
  };
}

const signedBy = (userArn: string) => ({ accessKey: 'ASIAEXAMPLE', accountId: '123456789012', callerId: 'AROAEXAMPLE:alice', userArn, userId: 'AROAEXAMPLE:alice' });

beforeEach(() => {
  dynamodb.reset();
  s3.reset();
  lambda.reset();
  dynamodb.on(UpdateItemCommand).resolves({ Attributes: pendingItem({ status: { S: 'approved' } }) });
  s3.on(PutObjectCommand).resolves({});
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

describe('verifiedCaller', () => {
  it("takes the signer's ARN from requestContext.authorizer.iam", () => {
    expect(verifiedCaller(request('POST', { iam: signedBy(ALICE) }))).toEqual({ arn: ALICE, accountId: '123456789012' });
  });
  it('is undefined without an IAM authorizer (AuthType NONE, or not through the URL)', () => {
    expect(verifiedCaller(request('POST'))).toBeUndefined();
  });
  it('is undefined for a userArn that is not an IAM or STS ARN', () => {
    expect(verifiedCaller(request('POST', { iam: signedBy('alice') }))).toBeUndefined();
  });
});

describe('operator requests', () => {
  const body = { incidentId: INCIDENT, decision: 'approve' as const, planHash: PLAN_HASH };

  it('records a decision as made by the ARN STS proved, through the cli channel', async () => {
    const answer = await handleOperatorRequest(deps, request('POST', { body: { ...body, proof: await proofFor(body) }, iam: signedBy(ALICE) }), now);
    expect(answer.statusCode).toBe(200);
    const decision = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':decision']!.M!;
    expect(decision.by).toEqual({ S: ALICE });
    expect(decision.channel).toEqual({ S: 'cli' });
  });

  it('refuses a decision without an identity proof, even with a URL caller', async () => {
    const answer = await handleOperatorRequest(deps, request('POST', { body: { ...body }, iam: signedBy(ALICE) }), now);
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ reason: 'unproven' });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('refuses to read without a verified identity (GET needs no proof, but an IAM caller)', async () => {
    const answer = await handleOperatorRequest(deps, request('GET'), now);
    expect(answer.statusCode).toBe(403);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('refuses a body with fields it does not know (a claimed "by")', async () => {
    const answer = await handleOperatorRequest(deps, request('POST', { body: { ...body, proof: await proofFor(body), by: 'arn:aws:iam::123456789012:user/root' }, iam: signedBy(ALICE) }), now);
    expect(answer.statusCode).toBe(400);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('refuses a denial without a reason', async () => {
    const answer = await handleOperatorRequest(deps, request('POST', { body: { ...body, decision: 'deny', proof: await proofFor({ ...body, decision: 'deny' }) }, iam: signedBy(ALICE) }), now);
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ detail: 'a denial needs a reason (--reason)' });
  });

  it('shows one approval on GET ?incident=, and decides nothing', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: pendingItem() });
    const answer = await handleOperatorRequest(deps, request('GET', { query: `incident=${encodeURIComponent(INCIDENT)}`, iam: signedBy(ALICE) }), now);
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ approval: { incidentId: INCIDENT, planHash: PLAN_HASH, status: 'pending' } });
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('lists the pending approvals on GET', async () => {
    dynamodb.on(ScanCommand).resolves({ Items: [pendingItem()] });
    const answer = await handleOperatorRequest(deps, request('GET', { iam: signedBy(ALICE) }), now);
    expect(JSON.parse(answer.body)).toMatchObject({ approvals: [{ incidentId: INCIDENT }], truncated: false });
    expect(dynamodb.commandCalls(ScanCommand)[0]!.args[0].input).toMatchObject({
      FilterExpression: 'begins_with(pk, :prefix) AND (#status = :pending OR (attribute_exists(resumedAt) AND attribute_exists(takenUntil) AND attribute_not_exists(closedAt)))',
      ExpressionAttributeValues: { ':prefix': { S: 'approval#' }, ':pending': { S: 'pending' } },
    });
  });
});

describe('chat decisions', () => {
  it('records the decision as the chat channel, with the plan hash the notification carried', async () => {
    const answer = await handleChatDecision(deps, { i: INCIDENT, d: 'deny', p: PLAN_HASH }, now, 'Slack C0123');
    expect(answer.status).toBe('recorded');
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ExpressionAttributeValues![':shown']).toEqual({ S: PLAN_HASH });
    expect(input.ExpressionAttributeValues![':decision']!.M).toMatchObject({ by: { S: chatDecider('Slack C0123') }, channel: { S: 'chat' }, decision: { S: 'deny' } });
  });

  it('refuses a chat decision that names who decided', async () => {
    const answer = await handleChatDecision(deps, { i: INCIDENT, d: 'approve', p: PLAN_HASH, by: ALICE }, now, 'Slack C0123');
    expect(answer).toMatchObject({ status: 'refused', reason: 'bad-request' });
    expect(dynamodb.calls()).toHaveLength(0);
  });
});
