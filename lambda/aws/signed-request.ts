import { createHash, createHmac, type BinaryLike } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

/*
 * A SigV4-signed HTTPS request, for the two calls the project makes without
 * an SDK client: KMS's GenerateMac/VerifyMac (no @aws-sdk/client-kms in the
 * dependencies; kms-mac.ts) and the decision function's URL, which `ir
 * approve` calls with the operator's own credentials (a Lambda function URL
 * with AuthType AWS_IAM is signed for the service "lambda").
 */

function bytesOf(data: SourceData): BinaryLike {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** SHA-256 (and HMAC-SHA-256 with a secret) from node:crypto, in the shape the signer asks for. */
export class NodeSha256 implements Checksum {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
}

export interface SignedRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Abandons the request after this long. */
  readonly timeoutMs?: number;
}

export interface SignedResponse {
  readonly status: number;
  readonly body: string;
}

export async function sendSigned(request: SignedRequest): Promise<SignedResponse> {
  const signer = new SignatureV4({ service: request.service, region: request.region, credentials: request.credentials, sha256: NodeSha256 });
  const query: Record<string, string> = {};
  request.url.searchParams.forEach((value, key) => (query[key] = value));
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port ? { port: Number(request.url.port) } : {}),
    path: request.url.pathname,
    query,
    headers: { host: request.url.host, ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const headers = { ...signed.headers };
  // fetch sets Host itself, from the URL it is given.
  delete headers.host;
  const answer = await fetch(request.url, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
  });
  return { status: answer.status, body: await answer.text() };
}
