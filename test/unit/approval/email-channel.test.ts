import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handleLinkRequest, type EmailChannelDependencies } from '../../../lambda/approval/email-channel';
import type { FunctionUrlEvent } from '../../../lambda/approval/function-url-event';
import { signToken, type ApprovalToken } from '../../../lambda/approval/token';
import { answerAsKms, conditionFailure, INCIDENT, LINK_KEY_ID, macKey, NOW, OTHER_KEY_ID, OTHER_PLAN_HASH, PLAN_HASH, pendingItem, testDependencies } from './support';

/*
 * The approval link's function (lambda/approval/email-channel.ts): a GET
 * shows and never decides; a POST decides once; every refusal is a page and
 * changes nothing. The token's MAC is checked by KMS (mocked: support.ts
 * answers as KMS does).
 */

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const kms = mockClient(KMSClient);

const key = macKey();
const deps: EmailChannelDependencies = { ...testDependencies(), key, now: () => NOW };
const TOKEN: ApprovalToken = { incidentId: INCIDENT, planHash: PLAN_HASH, decision: 'approve', expiresAt: NOW / 1000 + 3600, nonce: 'n'.repeat(24) };

function request(method: string, options: { query?: string; body?: string } = {}): FunctionUrlEvent {
  return {
    rawPath: '/',
    rawQueryString: options.query ?? '',
    headers: {},
    ...(options.body === undefined ? {} : { body: Buffer.from(options.body).toString('base64'), isBase64Encoded: true }),
    requestContext: { http: { method, sourceIp: '198.51.100.7', userAgent: 'Mail client' } },
  };
}

const get = async (token: string) => handleLinkRequest(deps, request('GET', { query: `t=${encodeURIComponent(token)}` }));
const post = async (token: string, reason?: string) =>
  handleLinkRequest(deps, request('POST', { body: new URLSearchParams({ t: token, ...(reason === undefined ? {} : { reason }) }).toString() }));

/** The one KMS call that checks a token: its MAC, of the context line and payload, with the link key. */
function verifyMacInput(token: string) {
  const [, payload, mac] = token.split('.') as [string, string, string];
  return {
    KeyId: LINK_KEY_ID,
    MacAlgorithm: 'HMAC_SHA_256',
    Message: new TextEncoder().encode(`ir-approval-link-v1\n${payload}`),
    Mac: new Uint8Array(Buffer.from(mac, 'base64url')),
  };
}

/** Every write the channel could make: none may happen on a refusal or a GET. */
function writes() {
  return [...dynamodb.commandCalls(PutItemCommand), ...dynamodb.commandCalls(UpdateItemCommand), ...s3.calls(), ...lambda.calls()];
}

beforeEach(() => {
  dynamodb.reset();
  s3.reset();
  lambda.reset();
  kms.reset();
  answerAsKms(kms);
  dynamodb.on(GetItemCommand).resolves({ Item: pendingItem() });
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({ Attributes: pendingItem({ status: { S: 'approved' } }) });
  s3.on(PutObjectCommand).resolves({});
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

describe('GET (opening the link)', () => {
  it('shows the plan, escaped, with a confirmation form posting the token in its body, and decides nothing', async () => {
    const token = await signToken(key, TOKEN);
    const page = await get(token);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Isolate &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('<form method="post" action="/">');
    expect(page.body).toContain(`<input type="hidden" name="t" value="${token}">`);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(writes()).toHaveLength(0);
    expect(kms.commandCalls(VerifyMacCommand).map((call) => call.args[0].input)).toEqual([verifyMacInput(token)]);
  });

  it('keeps a hostile incident id and plan inert', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: pendingItem({ findingId: { S: '"><img src=x onerror=alert(1)>' }, plan: { S: '</pre><script>x()</script>' } }) });
    const page = await get(await signToken(key, TOKEN));
    expect(page.body).not.toMatch(/<img|<script|<\/pre><script/);
    expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it.each([
    ['forged', async () => signToken(macKey(OTHER_KEY_ID), TOKEN), 403],
    ['expired', async () => signToken(key, { ...TOKEN, expiresAt: NOW / 1000 - 1 }), 410],
    ['malformed', () => Promise.resolve('v1.nonsense'), 403],
  ])('answers a %s token with a refusal page', async (_what, make, status) => {
    const page = await get(await make());
    expect(page.statusCode).toBe(status);
    expect(page.body).toContain('Nothing was changed.');
    expect(writes()).toHaveLength(0);
  });

  it('says a token signed with another key is not valid, having asked KMS with the link key', async () => {
    const token = await signToken(macKey(OTHER_KEY_ID), TOKEN);
    const page = await get(token);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('This approval link is not valid');
    expect(page.body).toContain('the approval token was not signed by this stack, or was changed after signing');
    expect(kms.commandCalls(VerifyMacCommand).map((call) => call.args[0].input)).toEqual([verifyMacInput(token)]);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('does not call the link invalid when KMS fails: the error goes up, typed (the function answers 500), and nothing is read or written', async () => {
    kms.on(VerifyMacCommand).rejects(Object.assign(new Error('not authorized to perform: kms:VerifyMac'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(get(await signToken(key, TOKEN))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(post(await signToken(key, TOKEN))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(dynamodb.calls()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
  });

  it('refuses a token for a plan that has changed', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: pendingItem({ planHash: { S: OTHER_PLAN_HASH } }) });
    const page = await get(await signToken(key, TOKEN));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('The plan has changed');
  });
});

describe('POST (the confirmation form)', () => {
  it('checks the token with KMS, consumes the nonce, then records the decision as made by the link holder through email', async () => {
    const token = await signToken(key, TOKEN);
    const page = await post(token, 'checked with the owner');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Approved');
    expect(kms.commandCalls(VerifyMacCommand).map((call) => call.args[0].input)).toEqual([verifyMacInput(token)]);
    const nonce = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(nonce).toEqual({
      TableName: 'incident-ledger',
      // Kept (TTL attribute deleteAfter) a day past the token's expiry: until then a replay is refused by this nonce.
      Item: { pk: { S: `approval-nonce#${TOKEN.nonce}` }, incidentId: { S: INCIDENT }, usedAt: { S: new Date(NOW).toISOString() }, deleteAfter: { N: String(TOKEN.expiresAt + 86_400) } },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.ExpressionAttributeValues![':shown']).toEqual({ S: PLAN_HASH });
    expect(update.ExpressionAttributeValues![':decision']!.M).toMatchObject({
      decision: { S: 'approve' },
      channel: { S: 'email' },
      by: { S: 'holder of the emailed link (from 198.51.100.7, Mail client)' },
      reason: { S: 'checked with the owner' },
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it('refuses a replayed link (its nonce already consumed) and records nothing', async () => {
    dynamodb.on(PutItemCommand).rejects(conditionFailure({ pk: { S: 'approval-nonce#x' }, usedAt: { S: '2026-12-06T11:59:00Z' } }));
    const page = await post(await signToken(key, TOKEN));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('already used at 2026-12-06T11:59:00Z');
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
  });

  it.each([
    ['forged', async () => signToken(macKey(OTHER_KEY_ID), TOKEN)],
    ['expired', async () => signToken(key, { ...TOKEN, expiresAt: NOW / 1000 })],
  ])('refuses a %s token before any write', async (_what, make) => {
    const page = await post(await make());
    expect(page.statusCode).toBeGreaterThanOrEqual(400);
    expect(writes()).toHaveLength(0);
  });

  it('refuses a token for another plan before consuming its nonce', async () => {
    const page = await post(await signToken(key, { ...TOKEN, planHash: OTHER_PLAN_HASH }));
    expect(page.statusCode).toBe(409);
    expect(writes()).toHaveLength(0);
  });

  it('refuses a denial without a reason before consuming its nonce', async () => {
    const page = await post(await signToken(key, { ...TOKEN, decision: 'deny' }), '  ');
    expect(page.statusCode).toBe(400);
    expect(writes()).toHaveLength(0);
  });

  it('answers the refusal of the conditional write (decided in between) with a page', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailure(pendingItem({ status: { S: 'denied' } })));
    const page = await post(await signToken(key, TOKEN));
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('no longer waiting');
    expect(lambda.calls()).toHaveLength(0);
  });
});

it('answers other methods with 405 and no write', async () => {
  const page = await handleLinkRequest(deps, request('DELETE'));
  expect(page.statusCode).toBe(405);
  expect(writes()).toHaveLength(0);
});
