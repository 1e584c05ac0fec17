import { createServer, type Server } from 'node:http';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { startLatencyProxy, type LatencyProxy } from '../../../bench/latency-proxy';
import { FaultRules } from '../../../bench/proxy-faults';

/*
 * The proxy's faults as the SDK sees them: a refusal is parsed as the
 * service's own error, and a lost or late answer comes after the upstream
 * carried the request out. The upstream is a stub that counts requests and
 * answers every one with an empty success.
 */

let upstream: Server;
let hits: string[];
let proxy: LatencyProxy;

const credentials = { accessKeyId: 'AKIAPROXYTEST0000001', secretAccessKey: 'secret' };

beforeAll(async () => {
  hits = [];
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      hits.push(String(request.headers['x-amz-target'] ?? new URLSearchParams(body).get('Action') ?? ''));
      if (request.headers['x-amz-target']) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{}');
      } else {
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end('<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>');
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  const address = upstream.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  proxy = await startLatencyProxy({ target: `http://127.0.0.1:${port}`, latencyMs: 0 });
});

afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

beforeEach(() => {
  hits.length = 0;
  proxy.clear();
  proxy.clearFaults();
});

/*
 * Timing on a loaded machine: the stub, the proxy and the client share this
 * one process, so a call that should succeed gets a generous timeout (a slow
 * answer must not become a TimeoutError and a retry), and what the stub saw
 * is waited for rather than read at once (the proxy may forward a request
 * after the client has given up on it).
 */
const dynamodb = (maxAttempts: number, requestTimeout = 30_000) =>
  new DynamoDBClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts, requestHandler: { requestTimeout, throwOnRequestTimeout: true } });
const update = new UpdateItemCommand({ TableName: 't', Key: { pk: { S: 'incident#x' } }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: '1' } } });

test('a lost answer: the service carried the write out, the caller sees the connection drop, and the SDK retry goes through', async () => {
  proxy.addFault({ kind: 'lost-answer', matches: (r) => r.operation === 'DynamoDB_20120810.UpdateItem', times: 1 });
  await expect(dynamodb(2).send(update)).resolves.toBeDefined();
  expect(hits).toEqual(['DynamoDB_20120810.UpdateItem', 'DynamoDB_20120810.UpdateItem']);
  expect(proxy.calls.map((c) => [c.fault, c.params.pk])).toEqual([
    ['lost-answer', 'incident#x'],
    [undefined, 'incident#x'],
  ]);
});

test('a lost answer with no retry left fails the call, though the write landed', async () => {
  proxy.addFault({ kind: 'lost-answer', matches: () => true });
  await expect(dynamodb(1).send(update)).rejects.toThrow(/socket hang up|ECONNRESET/);
  expect(hits).toEqual(['DynamoDB_20120810.UpdateItem']);
});

/** Waits (bounded) until the stub has seen `count` requests. */
async function stubSaw(count: number): Promise<void> {
  const until = Date.now() + 20_000;
  while (hits.length < count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('a late answer: carried out, then held past the client timeout', async () => {
  // The hold is far past the timeout, so the client gives up however slowly the stub answers.
  proxy.addFault({ kind: 'late-answer', matches: () => true, holdMs: 3_000, times: 1 });
  await expect(dynamodb(1, 500).send(update)).rejects.toMatchObject({ name: 'TimeoutError' });
  await stubSaw(1);
  expect(hits).toEqual(['DynamoDB_20120810.UpdateItem']);
});

test('throttling past every retry: never forwarded, the SDK gives up with the throttling error', async () => {
  proxy.addFault({ kind: 'throttling', matches: () => true });
  await expect(dynamodb(2).send(update)).rejects.toMatchObject({ name: 'ThrottlingException' });
  expect(hits).toEqual([]);
  expect(proxy.calls.map((c) => c.fault)).toEqual(['throttling', 'throttling']);
});

test('AccessDenied in each protocol is parsed as the service names it, and not retried', async () => {
  proxy.addFault({ kind: 'access-denied', matches: () => true });
  await expect(dynamodb(3).send(update)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts: 3 });
  await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
  const sns = new SNSClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts: 3 });
  await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:t', Message: 'm' }))).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
  expect(hits).toEqual([]);
  expect(proxy.calls).toHaveLength(3);
});

test('a server error is refused before the service and retried by the SDK', async () => {
  proxy.injectFaults((r) => r.operation === 'Publish');
  const sns = new SNSClient({ region: 'us-east-1', endpoint: proxy.endpoint, credentials, maxAttempts: 2 });
  await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:t', Message: 'm' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  expect(hits).toEqual([]);
  expect(proxy.calls.map((c) => c.fault)).toEqual(['server-error', 'server-error']);
});

describe('FaultRules', () => {
  test('the first matching rule with faults left applies, and counts', () => {
    const rules = new FaultRules();
    rules.add({ kind: 'lost-answer', matches: (r) => r.operation === 'A', times: 1 });
    rules.add({ kind: 'access-denied', matches: () => true });
    const request = (operation: string) => ({ operation, params: {} });
    expect([rules.take(request('A'))?.kind, rules.take(request('A'))?.kind, rules.take(request('B'))?.kind]).toEqual(['lost-answer', 'access-denied', 'access-denied']);
    rules.clear();
    expect(rules.take(request('A'))).toBeUndefined();
  });

  test('times must be a positive integer', () => {
    expect(() => new FaultRules().add({ kind: 'throttling', matches: () => true, times: 0 })).toThrow('times must be a positive integer');
  });
});
