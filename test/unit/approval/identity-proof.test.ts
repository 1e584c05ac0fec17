import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { mockClient } from 'aws-sdk-client-mock';
import { presignIdentityProof, type ProofRequest } from '../../../cli/approval/identity-proof';
import type { FunctionUrlEvent } from '../../../lambda/approval/function-url-event';
import { decisionBinding, type IdentityProof } from '../../../lambda/approval/identity-proof';
import { handleOperatorRequest, type OperatorDependencies } from '../../../lambda/approval/operator-channel';
import { principalOf } from '../../../lambda/approval/verify-identity-proof';
import { fakeStsFetch, stsErrorXml, type StsPrincipal } from '../../support/presigned-sts';
import { conditionFailure, INCIDENT, NOW, OTHER_PLAN_HASH, PLAN_HASH, pendingItem, testDependencies } from './support';

/*
 * Who decides an `ir approve` / `ir deny` is the principal STS names for the
 * identity proof the decision carries (lambda/approval/verify-identity-proof.ts),
 * whatever the event says: the proof is made by the CLI's own code
 * (cli/approval/identity-proof.ts) with fixed credentials, and a stand-in
 * for STS (test/support/presigned-sts.ts) checks its SigV4 signature the way
 * STS does, over the request the function rebuilt.
 */

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);

const ACCOUNT = '123456789012';
const ALICE: StsPrincipal = { secretAccessKey: 'alice-secret', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/IncidentResponders/alice`, account: ACCOUNT, userId: 'AROAALICE:alice' };
const MALLORY: StsPrincipal = { secretAccessKey: 'mallory-secret', arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, account: ACCOUNT, userId: 'AIDAMALLORY' };
const CISO = `arn:aws:iam::${ACCOUNT}:user/ciso`;
const ALICE_KEY = { accessKeyId: 'ASIAALICE0000000', secretAccessKey: ALICE.secretAccessKey, sessionToken: 'alice+session/token==' };
const MALLORY_KEY = { accessKeyId: 'AKIAMALLORY00000', secretAccessKey: MALLORY.secretAccessKey };
const STS_ENDPOINT = new URL('https://sts.us-east-1.amazonaws.com/');

let sts: ReturnType<typeof fakeStsFetch>;
let deps: OperatorDependencies;

beforeEach(() => {
  dynamodb.reset();
  s3.reset();
  lambda.reset();
  dynamodb.on(UpdateItemCommand).resolves({ Attributes: pendingItem({ status: { S: 'approved' } }) });
  dynamodb.on(PutItemCommand).resolves({});
  s3.on(PutObjectCommand).resolves({});
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  sts = fakeStsFetch(
    new Map([
      [ALICE_KEY.accessKeyId, ALICE],
      [MALLORY_KEY.accessKeyId, MALLORY],
    ]),
  );
  deps = { ...testDependencies(), proof: { region: 'us-east-1', stsEndpoint: STS_ENDPOINT, fetch: sts.fetch } };
});

const decisionOf = { incidentId: INCIDENT, decision: 'approve' as const, planHash: PLAN_HASH };

function proofFor(overrides: Partial<ProofRequest> = {}): Promise<IdentityProof> {
  return presignIdentityProof({ ...decisionOf, region: 'us-east-1', credentials: ALICE_KEY, signingDate: new Date(NOW), ...overrides });
}

/** A POST as the function receives it; `caller` is the authorizer Lambda (or a forger) put in it, absent for a plain direct invoke. */
function post(body: Record<string, unknown>, caller?: string): FunctionUrlEvent {
  return {
    rawPath: '/',
    body: JSON.stringify(body),
    requestContext: { http: { method: 'POST' }, ...(caller ? { authorizer: { iam: { userArn: caller, accountId: ACCOUNT } } } : {}) },
  };
}

async function decide(event: FunctionUrlEvent, now = NOW): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const answer = await handleOperatorRequest(deps, event, () => now);
  return { statusCode: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
}

function recordedBy(): string | undefined {
  return dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':decision']?.M?.by?.S;
}

function expectNothingRecorded(): void {
  expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  expect(s3.calls()).toHaveLength(0);
  expect(lambda.calls()).toHaveLength(0);
}

describe('a decision with a valid identity proof', () => {
  it('is recorded as the ARN STS answers, exactly; the nonce is spent in its own key space', async () => {
    const proof = await proofFor();
    const answer = await decide(post({ ...decisionOf, proof }, ALICE.arn));
    expect(answer.statusCode).toBe(200);
    expect(recordedBy()).toBe(ALICE.arn);
    expect(dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 'incident-ledger',
        Item: {
          pk: { S: `approval-proof#${proof.nonce}` },
          incidentId: { S: INCIDENT },
          usedAt: { S: new Date(NOW).toISOString() },
          // The proof's expiry (60 s) and clock skew (30 s), then a day.
          deleteAfter: { N: String(NOW / 1000 + 60 + 30 + 24 * 60 * 60) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('is sent to the fixed STS endpoint as GET with only the SigV4 parameters and the binding it computes, no redirect followed', async () => {
    const proof = await proofFor();
    await decide(post({ ...decisionOf, proof }));
    expect(sts.calls).toHaveLength(1);
    const [call] = sts.calls;
    expect(call!.url.origin + call!.url.pathname).toBe('https://sts.us-east-1.amazonaws.com/');
    expect(Object.fromEntries(call!.url.searchParams)).toEqual({ Action: 'GetCallerIdentity', Version: '2011-06-15', ...proof.query });
    expect(Object.keys(proof.query).sort()).toEqual(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token', 'X-Amz-Signature', 'X-Amz-SignedHeaders']);
    expect(proof.query).toMatchObject({ 'X-Amz-Expires': '60', 'X-Amz-SignedHeaders': 'host;x-ir-decision', 'X-Amz-Credential': `${ALICE_KEY.accessKeyId}/20261206/us-east-1/sts/aws4_request` });
    expect(call!.headers['x-ir-decision']).toBe(decisionBinding({ ...decisionOf, nonce: proof.nonce }));
    expect(call!.init).toMatchObject({ method: 'GET', redirect: 'error' });
  });

  it('is recorded as the STS ARN when the function was invoked directly, with no URL caller at all', async () => {
    const answer = await decide(post({ ...decisionOf, proof: await proofFor() }));
    expect(answer.statusCode).toBe(200);
    expect(recordedBy()).toBe(ALICE.arn);
  });

  it('accepts a URL caller that is the same principal written otherwise (role name case, user path)', async () => {
    expect(principalOf(ALICE.arn)).toBe(principalOf(`arn:aws:sts::${ACCOUNT}:assumed-role/incidentresponders/alice`));
    expect(principalOf(`arn:aws:iam::${ACCOUNT}:user/team/mallory`)).toBe(principalOf(MALLORY.arn));
    expect(principalOf(ALICE.arn)).not.toBe(principalOf(`arn:aws:sts::${ACCOUNT}:assumed-role/IncidentResponders/Alice`));
    expect(principalOf(ALICE.arn)).not.toBe(principalOf(`arn:aws:sts::999999999999:assumed-role/IncidentResponders/alice`));
    const answer = await decide(post({ ...decisionOf, proof: await proofFor() }, `arn:aws:sts::${ACCOUNT}:assumed-role/incidentresponders/alice`));
    expect(answer.statusCode).toBe(200);
    expect(recordedBy()).toBe(ALICE.arn);
  });

  it('denies with a proof bound to the denial', async () => {
    const deny = { ...decisionOf, decision: 'deny' as const, reason: 'known scanner' };
    const answer = await decide(post({ ...deny, proof: await proofFor({ decision: 'deny', reason: 'known scanner' }) }));
    expect(answer.statusCode).toBe(200);
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':decision']!.M).toMatchObject({ by: { S: ALICE.arn }, decision: { S: 'deny' } });
  });
});

describe('refused, changing nothing', () => {
  it('a forged URL event naming the CISO, without a proof (what a direct lambda:InvokeFunction can send)', async () => {
    const answer = await decide(post({ ...decisionOf }, CISO));
    expect(answer).toMatchObject({ statusCode: 403, body: { status: 'refused', reason: 'unproven' } });
    expect(sts.calls).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
    expectNothingRecorded();
  });

  it('a forged URL event naming the CISO, with the forger’s own valid proof: the signer is not the caller named', async () => {
    const answer = await decide(post({ ...decisionOf, proof: await proofFor({ credentials: MALLORY_KEY }) }, CISO));
    expect(answer).toMatchObject({ statusCode: 403, body: { reason: 'identity-mismatch', detail: `the request was sent as ${CISO} but its identity proof is signed by ${MALLORY.arn}: both must be the same principal` } });
    // Checked before the nonce is spent: nothing is written at all.
    expect(dynamodb.calls()).toHaveLength(0);
    expectNothingRecorded();
  });

  it.each([
    ['another incident', { incidentId: `${INCIDENT}-other` }],
    ['another plan', { planHash: OTHER_PLAN_HASH }],
    ['the other decision (a denial presented as an approval)', { decision: 'deny' as const }],
    ['another reason (the approval sent with a reason it was not made with)', { reason: 'approved after the call with the owner' }],
  ])('a proof bound to %s', async (_, boundTo) => {
    const answer = await decide(post({ ...decisionOf, proof: await proofFor(boundTo) }));
    expect(answer).toMatchObject({ statusCode: 403, body: { reason: 'proof-mismatch' } });
    expect(sts.calls).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('a proof whose binding was rewritten to match: STS finds the signature does not cover it (SignatureDoesNotMatch)', async () => {
    const proof = await proofFor({ planHash: OTHER_PLAN_HASH });
    const rewritten = { ...proof, binding: decisionBinding({ ...decisionOf, nonce: proof.nonce }) };
    const answer = await decide(post({ ...decisionOf, proof: rewritten }));
    expect(answer).toMatchObject({ statusCode: 403, body: { reason: 'sts-refused', code: 'SignatureDoesNotMatch' } });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('an expired proof (signed more than its 60 s and 30 s of clock skew ago), and one dated in the future', async () => {
    const old = await decide(post({ ...decisionOf, proof: await proofFor({ signingDate: new Date(NOW - 91_000) }) }));
    expect(old).toMatchObject({ statusCode: 403, body: { reason: 'proof-expired' } });
    const future = await decide(post({ ...decisionOf, proof: await proofFor({ signingDate: new Date(NOW + 31_000) }) }));
    expect(future).toMatchObject({ statusCode: 403, body: { reason: 'proof-expired' } });
    expect(sts.calls).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
    // Within the window it holds.
    await expect(decide(post({ ...decisionOf, proof: await proofFor({ signingDate: new Date(NOW - 89_000) }) }))).resolves.toMatchObject({ statusCode: 200 });
  });

  it('a replayed proof: its nonce was spent', async () => {
    dynamodb.on(PutItemCommand).rejects(conditionFailure({ usedAt: { S: '2026-12-06T11:59:50.000Z' } }));
    const answer = await decide(post({ ...decisionOf, proof: await proofFor() }));
    expect(answer).toMatchObject({
      statusCode: 409,
      body: { reason: 'proof-replayed', detail: 'this identity proof was already used at 2026-12-06T11:59:50.000Z: an identity proof decides once' },
    });
    expectNothingRecorded();
  });

  it.each([
    ['InvalidClientTokenId (a key STS does not know)', { credentials: { accessKeyId: 'AKIAUNKNOWN00000', secretAccessKey: 'x' } }, 'InvalidClientTokenId'],
    ['SignatureDoesNotMatch (signed with another secret)', { credentials: { ...ALICE_KEY, secretAccessKey: 'not-alice-secret' } }, 'SignatureDoesNotMatch'],
  ])('a proof STS refuses: %s, carrying its code', async (_, overrides, code) => {
    const answer = await decide(post({ ...decisionOf, proof: await proofFor(overrides) }));
    expect(answer).toMatchObject({ statusCode: 403, body: { status: 'refused', reason: 'sts-refused', code } });
    expect(String(answer.body.detail)).toMatch(new RegExp(`^STS refused the identity proof: ${code}: `));
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('a proof presigned for another endpoint: the function still asks its own, where the signature does not hold', async () => {
    const proof = await proofFor();
    const elsewhere = new URL('https://sts.attacker.example/');
    const forOtherHost = await presignFor(elsewhere, proof.nonce);
    const answer = await decide(post({ ...decisionOf, proof: forOtherHost }));
    expect(sts.calls.map((c) => c.url.host)).toEqual(['sts.us-east-1.amazonaws.com']);
    expect(answer).toMatchObject({ statusCode: 403, body: { reason: 'sts-refused', code: 'SignatureDoesNotMatch' } });
  });

  it.each([
    ['a URL to fetch', (p: IdentityProof) => ({ ...p, url: 'http://169.254.169.254/latest/meta-data/' })],
    ['another query parameter', (p: IdentityProof) => ({ ...p, query: { ...p.query, Action: 'AssumeRole' } })],
    ['a credential scoped to another region', (p: IdentityProof) => ({ ...p, query: { ...p.query, 'X-Amz-Credential': p.query['X-Amz-Credential'].replace('us-east-1', 'eu-west-1') } })],
    ['a credential scoped to another service', (p: IdentityProof) => ({ ...p, query: { ...p.query, 'X-Amz-Credential': p.query['X-Amz-Credential'].replace('/sts/', '/lambda/') } })],
    ['an expiry longer than 60 s', (p: IdentityProof) => ({ ...p, query: { ...p.query, 'X-Amz-Expires': '3600' } })],
    ['the binding header not signed', (p: IdentityProof) => ({ ...p, query: { ...p.query, 'X-Amz-SignedHeaders': 'host' } })],
    ['another header signed', (p: IdentityProof) => ({ ...p, query: { ...p.query, 'X-Amz-SignedHeaders': 'host;x-forwarded-for;x-ir-decision' } })],
    ['another algorithm', (p: IdentityProof) => ({ ...p, query: { ...p.query, 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256' } })],
    ['a short nonce', (p: IdentityProof) => ({ ...p, nonce: 'short' })],
  ])('a malformed proof: %s', async (_, change) => {
    const answer = await decide(post({ ...decisionOf, proof: change(await proofFor()) }));
    expect(answer).toMatchObject({ statusCode: 400, body: { status: 'refused', reason: 'bad-proof' } });
    expect(sts.calls).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('when STS cannot be reached (503, nothing written: try again)', async () => {
    deps = { ...deps, proof: { ...deps.proof, fetch: () => Promise.reject(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' })) } };
    const answer = await decide(post({ ...decisionOf, proof: await proofFor() }));
    expect(answer).toMatchObject({ statusCode: 503, body: { reason: 'sts-unavailable' } });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('when STS answers a server error, with its code', async () => {
    deps = { ...deps, proof: { ...deps.proof, fetch: () => Promise.resolve(new Response(stsErrorXml('InternalFailure', 'oops'), { status: 500 })) } };
    const answer = await decide(post({ ...decisionOf, proof: await proofFor() }));
    expect(answer).toMatchObject({ statusCode: 503, body: { reason: 'sts-unavailable', code: 'InternalFailure' } });
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

/** A proof for the same decision and nonce, presigned for another host (what a proof meant for another endpoint looks like). */
async function presignFor(endpoint: URL, nonce: string): Promise<IdentityProof> {
  const binding = decisionBinding({ ...decisionOf, nonce });
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: ALICE_KEY, sha256: Hash.bind(null, 'sha256') });
  const presigned = await signer.presign(
    { method: 'GET', protocol: endpoint.protocol, hostname: endpoint.hostname, path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: endpoint.host, 'x-ir-decision': binding } },
    { expiresIn: 60, signingDate: new Date(NOW) },
  );
  const query = Object.fromEntries(Object.entries(presigned.query ?? {}).filter(([name]) => name.startsWith('X-Amz-'))) as IdentityProof['query'];
  return { nonce, binding, query };
}
