import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GenerateMacCommand, KMSClient, KMSInvalidMacException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { DecisionDependencies } from '../../../lambda/approval/apply-decision';
import type { MacKey } from '../../../lambda/approval/mac-key';

/*
 * Shared by the approval unit tests: KMS standing in for the links' MAC key
 * (an HMAC per key id with a random secret made per test run: the
 * production key lives in KMS only), a pending approval item as the wait
 * phase writes it, and decision dependencies on SDK clients the tests mock
 * with aws-sdk-client-mock.
 */

export const LINK_KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
/** Another HMAC key: a token it signed is not one the link key made. */
export const OTHER_KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555';

const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };

/** A MAC key on a KMS client that the test's mockClient(KMSClient) answers. */
export function macKey(keyId: string = LINK_KEY_ID): MacKey {
  return { kms: new KMSClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS }), keyId };
}

/**
 * Answers GenerateMac and VerifyMac as KMS does with HMAC_256 keys: a MAC
 * that does not match is KMSInvalidMacException, never MacValid false.
 * Call after each reset of the stub.
 */
export function answerAsKms(kms: AwsClientStub<KMSClient>): void {
  const secrets = new Map<string, Buffer>();
  const secretOf = (keyId: string | undefined) => {
    if (!keyId) throw new Error('no KeyId');
    if (!secrets.has(keyId)) secrets.set(keyId, randomBytes(32));
    return secrets.get(keyId)!;
  };
  const mac = (keyId: string | undefined, message: Uint8Array | undefined) => new Uint8Array(createHmac('sha256', secretOf(keyId)).update(message ?? new Uint8Array()).digest());
  kms.on(GenerateMacCommand).callsFake((input: GenerateMacCommand['input']) => ({ KeyId: input.KeyId, MacAlgorithm: input.MacAlgorithm, Mac: mac(input.KeyId, input.Message) }));
  kms.on(VerifyMacCommand).callsFake((input: VerifyMacCommand['input']) => {
    const expected = mac(input.KeyId, input.Message);
    const tag = input.Mac ?? new Uint8Array();
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) {
      throw new KMSInvalidMacException({ message: 'The MAC does not match', $metadata: { httpStatusCode: 400 } });
    }
    return { KeyId: input.KeyId, MacAlgorithm: input.MacAlgorithm, MacValid: true };
  });
}

export const TABLE = 'incident-ledger';
export const INCIDENT = 'instance#123456789012#us-east-1#i-0abc';
export const PLAN_HASH = 'a'.repeat(64);
export const OTHER_PLAN_HASH = 'b'.repeat(64);
export const NOW = Date.parse('2026-12-06T12:00:00Z');

export function pendingItem(overrides: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    pk: { S: `approval#${INCIDENT}` },
    status: { S: 'pending' },
    planHash: { S: PLAN_HASH },
    plan: { S: JSON.stringify([{ id: 'isolate', title: 'Isolate <script>alert(1)</script>', target: 'i-0abc' }]) },
    findingId: { S: 'f-1' },
    playbook: { S: 'contain-instance' },
    accountId: { S: '123456789012' },
    region: { S: 'us-east-1' },
    requestedAt: { S: '2026-12-06T11:00:00Z' },
    deadline: { S: '2026-12-06T13:00:00.000Z' },
    onTimeout: { S: 'stand-down' },
    ...overrides,
  };
}

export function testDependencies(): DecisionDependencies {
  const options = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } };
  return {
    ledger: { dynamodb: new DynamoDBClient(options), table: TABLE },
    evidence: { bucket: 'evidence-bucket', keyArn: 'arn:aws:kms:us-east-1:123456789012:key/evidence', region: 'us-east-1', s3: () => Promise.resolve(new S3Client(options)) },
    lambda: new LambdaClient(options),
    playbookFunctions: { 'contain-instance': 'ir-contain-instance', 'revoke-credentials': 'ir-revoke-credentials', notify: 'ir-notify' },
  };
}

export function conditionFailure(item?: Record<string, AttributeValue>): Error {
  return Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 }, ...(item ? { Item: item } : {}) });
}
