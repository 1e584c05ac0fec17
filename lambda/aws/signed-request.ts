import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/*
 * A SigV4-signed HTTPS request to a Lambda function URL with AuthType
 * AWS_IAM: `ir approve`, `ir deny` and `ir pending` call the decision
 * function's URL with the operator's own credentials
 * (cli/approval/decision-client.ts). No SDK client calls a function URL, so
 * the request is signed with the SDK's own signer and hash, for the service
 * "lambda", and sent with fetch. Every AWS API call goes through an SDK
 * client instead (lambda/aws/clients.ts).
 */

/** A function URL is signed for the service "lambda", whatever its host name says. */
const FUNCTION_URL_SERVICE = 'lambda';

/** The SDK's SHA-256 (and HMAC-SHA-256 with a secret) on node:crypto, as its own clients use it in Node. */
const sha256 = Hash.bind(null, 'sha256');

export interface SignedRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  /** The region of the function. */
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
  const signer = new SignatureV4({ service: FUNCTION_URL_SERVICE, region: request.region, credentials: request.credentials, sha256 });
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
