import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { sendSigned } from '../../../lambda/aws/signed-request';

/*
 * The one request the project signs itself (lambda/aws/signed-request.ts):
 * `ir approve`'s call to the AWS_IAM decision function URL. A local server
 * takes what arrives, and the test signs that again with an independent
 * SHA-256 (node:crypto) at the same time: the same signature proves the
 * request arrived as it was signed (path, query, headers, body) and that
 * the SDK hash it uses is SHA-256.
 */

const CREDENTIALS = { accessKeyId: 'AKIAOPERATOR', secretAccessKey: 'operator-secret', sessionToken: 'operator-session' };

class NodeCryptoSha256 implements Checksum {
  private hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as Uint8Array | string);
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not used');
  }
}

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let server: Server;
let base: string;
let received: Received[];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (received = []));

/** The Authorization an independent signer computes for the request as it arrived. */
async function resign(request: Received): Promise<string> {
  const url = new URL(request.url, base);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))![1]!.split(';');
  const headers: Record<string, string> = {};
  // The signer adds these itself: the date from signingDate, the token from the credentials.
  for (const name of signedHeaders.filter((h) => h !== 'x-amz-date' && h !== 'x-amz-security-token')) headers[name] = String(request.headers[name]);
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const signer = new SignatureV4({ service: 'lambda', region: 'eu-west-1', credentials: CREDENTIALS, sha256: NodeCryptoSha256 });
  const signed = await signer.sign(
    { method: request.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, ...(request.body ? { body: request.body } : {}) },
    { signingDate },
  );
  return String(signed.headers.authorization);
}

it('signs a POST for the service "lambda" in the function’s region, and it arrives as signed', async () => {
  const body = JSON.stringify({ incidentId: 'i-1', decision: 'approve', planHash: 'a'.repeat(64) });
  const answer = await sendSigned({ url: new URL('/decide', base), method: 'POST', region: 'eu-west-1', credentials: CREDENTIALS, headers: { 'content-type': 'application/json' }, body });
  expect(answer).toEqual({ status: 200, body: '{"ok":true}' });
  const [request] = received;
  expect(request!.method).toBe('POST');
  expect(request!.body).toBe(body);
  expect(request!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAOPERATOR\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  expect(request!.headers['x-amz-security-token']).toBe('operator-session');
  // The signed payload hash is the body's: the signature covers what arrived.
  expect(request!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
  await expect(resign(request!)).resolves.toBe(request!.headers.authorization);
});

it('signs a GET with its query string', async () => {
  await sendSigned({ url: new URL('/?incident=instance%23123456789012%23us-east-1%23i-0abc', base), method: 'GET', region: 'eu-west-1', credentials: CREDENTIALS });
  const [request] = received;
  expect(new URL(request!.url, base).searchParams.get('incident')).toBe('instance#123456789012#us-east-1#i-0abc');
  await expect(resign(request!)).resolves.toBe(request!.headers.authorization);
});
