import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { MacKey } from '../../../lambda/aws/kms-mac';
import type { DecisionDependencies } from '../../../lambda/approval/apply-decision';

/*
 * Shared by the approval unit tests: a MAC key standing in for KMS (an HMAC
 * with a random secret made per test run: the production key lives in KMS
 * only), a pending approval item as the wait phase writes it, and decision
 * dependencies on SDK clients the tests mock with aws-sdk-client-mock.
 */

export function testMacKey(secret: Buffer = randomBytes(32)): MacKey & { readonly calls: { generate: number; verify: number } } {
  const calls = { generate: 0, verify: 0 };
  const mac = (message: Uint8Array) => new Uint8Array(createHmac('sha256', secret).update(message).digest());
  return {
    calls,
    generateMac(message) {
      calls.generate += 1;
      return Promise.resolve(mac(message));
    },
    verifyMac(message, tag) {
      calls.verify += 1;
      const expected = mac(message);
      return Promise.resolve(tag.length === expected.length && timingSafeEqual(tag, expected));
    },
  };
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
    deadline: { S: '2026-12-06T13:00:00Z' },
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
