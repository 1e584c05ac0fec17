import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { recordDecision, type Decision } from '../../lambda/approval/decisions';
import { handleLinkRequest, type EmailChannelDependencies } from '../../lambda/approval/email-channel';
import { consumeNonce } from '../../lambda/approval/nonces';
import { presignIdentityProof } from '../../cli/approval/identity-proof';
import { handleOperatorRequest } from '../../lambda/approval/operator-channel';
import type { FunctionUrlEvent } from '../../lambda/approval/function-url-event';
import type { MacKey } from '../../lambda/approval/mac-key';
import { signToken, verifyToken, type ApprovalToken } from '../../lambda/approval/token';
import { sdkClientConfig } from '../../lambda/aws/clients';
import { EMULATOR_REGION, emulatorClientOptions, emulatorKms } from '../../emulator/clients';
import { fakeStsFetch } from '../support/presigned-sts';
import { freshEmulator } from './support/account';

/*
 * The decision side of approvals against the emulator: the one conditional
 * write on a real DynamoDB table (moto), the single-use nonce, and the
 * approval link's MAC made and checked by KMS itself (moto implements
 * GenerateMac/VerifyMac with HMAC_256 keys). The playbook function does not
 * exist in moto, so resuming it is reported failed: the decision stands.
 */

const TABLE = 'incident-ledger';
const BUCKET = 'ir-evidence';
const INCIDENT = 'instance#123456789012#us-east-1#i-0approval';
const PLAN_HASH = '1'.repeat(64);

let endpoint: string;
let dynamodb: DynamoDBClient;
let s3: S3Client;
let kms: KMSClient;
let key: MacKey;

/** An HMAC key as the stack makes it (lib/approval/approval-channels.ts), named by its ARN as IR_APPROVAL_MAC_KEY names it. */
async function createHmacKey(): Promise<string> {
  const answer = await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Description: 'approval links (test)' }));
  return answer.KeyMetadata!.Arn!;
}

async function putPending(incidentId: string): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        pk: { S: `approval#${incidentId}` },
        status: { S: 'pending' },
        planHash: { S: PLAN_HASH },
        plan: { S: JSON.stringify([{ id: 'isolate', target: 'i-0approval' }]) },
        findingId: { S: 'finding-1' },
        playbook: { S: 'contain-instance' },
        accountId: { S: '123456789012' },
        region: { S: 'us-east-1' },
        requestedAt: { S: '2026-12-06T11:00:00Z' },
        deadline: { S: '2026-12-06T13:00:00.000Z' },
        onTimeout: { S: 'stand-down' },
      },
    }),
  );
}

async function approvalItem(incidentId: string) {
  return (await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `approval#${incidentId}` } }, ConsistentRead: true }))).Item;
}

beforeAll(async () => {
  ({ endpoint } = await freshEmulator());
  const options = emulatorClientOptions(endpoint);
  dynamodb = new DynamoDBClient(sdkClientConfig(options));
  s3 = new S3Client({ ...sdkClientConfig(options), forcePathStyle: true });
  kms = emulatorKms(endpoint);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  key = { kms, keyId: await createHmacKey() };
});

describe('recordDecision on DynamoDB', () => {
  const decision: Decision = { incidentId: INCIDENT, planHash: PLAN_HASH, decision: 'approve', by: 'arn:aws:iam::123456789012:user/alice', channel: 'cli', at: '2026-12-06T12:00:00.000Z' };

  it('refuses another plan and a missing approval, changing nothing; records once; refuses the second decision', async () => {
    await putPending(INCIDENT);
    await expect(recordDecision({ dynamodb, table: TABLE }, { ...decision, planHash: '2'.repeat(64) })).resolves.toMatchObject({ status: 'refused', reason: 'plan-changed' });
    expect((await approvalItem(INCIDENT))?.status).toEqual({ S: 'pending' });
    await expect(recordDecision({ dynamodb, table: TABLE }, { ...decision, incidentId: 'no-such-incident' })).resolves.toMatchObject({ status: 'refused', reason: 'no-pending' });

    await expect(recordDecision({ dynamodb, table: TABLE }, decision)).resolves.toEqual({ status: 'recorded' });
    const item = await approvalItem(INCIDENT);
    expect(item?.status).toEqual({ S: 'approved' });
    expect(item?.decision).toEqual({
      M: { decision: { S: 'approve' }, by: { S: decision.by }, at: { S: decision.at }, channel: { S: 'cli' }, planHash: { S: PLAN_HASH } },
    });

    const second = await recordDecision({ dynamodb, table: TABLE }, { ...decision, decision: 'deny', by: 'arn:aws:iam::123456789012:user/bob', reason: 'no' });
    expect(second).toMatchObject({ status: 'refused', reason: 'already-decided' });
    expect((await approvalItem(INCIDENT))?.status).toEqual({ S: 'approved' });
  });
});

describe('approval links with a KMS HMAC key', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  const token: ApprovalToken = { incidentId: `${INCIDENT}-link`, planHash: PLAN_HASH, decision: 'approve', expiresAt: now / 1000 + 3600, nonce: 'integration-nonce-0001' };

  it('verifies a token KMS signed, and refuses one signed by another KMS key', async () => {
    const signed = await signToken(key, token);
    await expect(verifyToken(key, signed, now)).resolves.toEqual({ status: 'valid', token });
    const other: MacKey = { kms, keyId: await createHmacKey() };
    await expect(verifyToken(other, signed, now)).resolves.toMatchObject({ status: 'refused', reason: 'forged' });
  });

  it('puts in the token the MAC KMS makes of the context line and payload with HMAC_SHA_256: the exact message token.ts sends', async () => {
    const signed = await signToken(key, token);
    const [, payloadPart, macPart] = signed.split('.') as [string, string, string];
    const again = await kms.send(
      new GenerateMacCommand({ KeyId: key.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: new TextEncoder().encode(`ir-approval-link-v1\n${payloadPart}`) }),
    );
    expect(Buffer.from(again.Mac!).toString('base64url')).toBe(macPart);
  });

  it('does not call a token forged when KMS cannot check it: a key KMS does not have is KMS’s error, thrown with its name', async () => {
    // moto neither refuses a disabled key's VerifyMac nor disables a key named by ARN: a missing key stands for KMS failing.
    const missing: MacKey = { kms, keyId: `${key.keyId.slice(0, key.keyId.lastIndexOf('/'))}/00000000-0000-4000-8000-000000000000` };
    await expect(verifyToken(missing, await signToken(key, token), now)).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('decides once through the link (nonce consumed in the ledger, evidence kept) and refuses the replay', async () => {
    await putPending(token.incidentId);
    const deps: EmailChannelDependencies = {
      ledger: { dynamodb, table: TABLE },
      evidence: { bucket: BUCKET, region: EMULATOR_REGION, s3: () => Promise.resolve(s3) },
      lambda: new LambdaClient(sdkClientConfig(emulatorClientOptions(endpoint))),
      playbookFunctions: { 'contain-instance': 'ir-contain-instance' },
      key,
      now: () => now,
    };
    const signed = await signToken(key, token);
    const post: FunctionUrlEvent = {
      rawPath: '/',
      body: new URLSearchParams({ t: signed }).toString(),
      requestContext: { http: { method: 'POST', sourceIp: '198.51.100.7', userAgent: 'test' } },
    };

    const first = await handleLinkRequest(deps, post);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('evidence: done');
    // No such function in the emulator: reported, and the decision stands.
    expect(first.body).toContain('resuming the response: failed');
    expect((await approvalItem(token.incidentId))?.status).toEqual({ S: 'approved' });
    const nonce = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `approval-nonce#${token.nonce}` } }, ConsistentRead: true }));
    expect(nonce.Item?.incidentId).toEqual({ S: token.incidentId });

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'incidents/123456789012/us-east-1/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key);
    expect(keys).toEqual([expect.stringMatching(/\/finding-1\/decisions\/2026-12-06T12_00_00\.000Z-approve\.json$/)]);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[0]! }))).Body!.transformToString();
    expect(JSON.parse(body)).toMatchObject({ decision: 'approve', channel: 'email', planHash: PLAN_HASH });

    const replay = await handleLinkRequest(deps, post);
    expect(replay.statusCode).toBe(409);
    expect(replay.body).toMatch(/no longer waiting|already used/);
  });
});

it('consumes a nonce once: the second use is refused, naming when the first was', async () => {
  const ledger = { dynamodb, table: TABLE };
  await expect(consumeNonce(ledger, 'single-use-nonce-0001', INCIDENT, '2026-12-06T12:00:00.000Z', Date.parse('2026-12-06T13:00:00.000Z') / 1000)).resolves.toEqual({ status: 'consumed' });
  await expect(consumeNonce(ledger, 'single-use-nonce-0001', INCIDENT, '2026-12-06T12:05:00.000Z', Date.parse('2026-12-06T13:00:00.000Z') / 1000)).resolves.toEqual({
    status: 'replayed',
    detail: 'this link was already used at 2026-12-06T12:00:00.000Z: a link decides once',
  });
});

describe('the operator decision function on the ledger', () => {
  const incidentId = `${INCIDENT}-operator`;
  const alice = 'arn:aws:sts::123456789012:assumed-role/IncidentResponders/alice';
  const request = (method: string, options: { query?: string; body?: unknown } = {}) => ({
    rawPath: '/',
    rawQueryString: options.query ?? '',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    requestContext: { http: { method }, authorizer: { iam: { userArn: alice, accountId: '123456789012' } } },
  });

  // STS stands in (test/support/presigned-sts.ts): approval-identity-proof.test.ts takes the proof to moto's STS through the CLI.
  const aliceKey = { accessKeyId: 'ASIAALICE0000000', secretAccessKey: 'alice-secret' };
  const sts = fakeStsFetch(new Map([[aliceKey.accessKeyId, { secretAccessKey: aliceKey.secretAccessKey, arn: alice, account: '123456789012', userId: 'AROAALICE:alice' }]]));

  it('lists what is pending (not what is decided), then records a denial by the ARN STS proved', async () => {
    await putPending(incidentId);
    const deps = {
      ledger: { dynamodb, table: TABLE },
      evidence: undefined,
      lambda: new LambdaClient(sdkClientConfig(emulatorClientOptions(endpoint))),
      playbookFunctions: {},
      proof: { region: EMULATOR_REGION, stsEndpoint: new URL('https://sts.us-east-1.amazonaws.com/'), fetch: sts.fetch },
    };
    const now = () => Date.parse('2026-12-06T12:30:00Z');
    const proof = await presignIdentityProof({ incidentId, decision: 'deny', planHash: PLAN_HASH, reason: 'owner is patching', region: EMULATOR_REGION, credentials: aliceKey, signingDate: new Date(now()) });
    const listed = JSON.parse((await handleOperatorRequest(deps, request('GET'), now)).body) as { approvals: { incidentId: string }[] };
    expect(listed.approvals.map((a) => a.incidentId)).toEqual([incidentId]);

    const answer = await handleOperatorRequest(deps, request('POST', { body: { incidentId, decision: 'deny', planHash: PLAN_HASH, reason: 'owner is patching', proof } }), now);
    expect(answer.statusCode).toBe(200);
    expect((await approvalItem(incidentId))?.decision?.M).toMatchObject({ by: { S: alice }, channel: { S: 'cli' }, reason: { S: 'owner is patching' } });
    const after = JSON.parse((await handleOperatorRequest(deps, request('GET'), now)).body) as { approvals: unknown[] };
    expect(after.approvals).toEqual([]);
  });
});
