import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { sendSigned } from './signed-request';

/*
 * KMS HMAC (GenerateMac / VerifyMac, key spec HMAC_256, algorithm
 * HMAC_SHA_256): the key never leaves KMS, so no secret is ever in code,
 * configuration or the Lambda's memory. The two calls are KMS's JSON 1.1
 * protocol, signed with SigV4 (signed-request.ts): the dependencies hold no
 * KMS SDK client. Adding @aws-sdk/client-kms would replace this file's
 * transport, not its interface.
 */

export const MAC_ALGORITHM = 'HMAC_SHA_256';

/** What the approval tokens need of a MAC key: a tag, and a check of one. */
export interface MacKey {
  generateMac(message: Uint8Array): Promise<Uint8Array>;
  verifyMac(message: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

export class KmsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export interface KmsMacKeyOptions {
  readonly keyId: string;
  readonly region: string;
  /** The emulator's endpoint, or a VPC endpoint; defaults to AWS_ENDPOINT_URL, then KMS's public endpoint. */
  readonly endpoint?: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function kmsMacKey(options: KmsMacKeyOptions): MacKey {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? `https://kms.${options.region}.amazonaws.com`;
  async function call(operation: 'GenerateMac' | 'VerifyMac', body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await sendSigned({
      url: new URL('/', endpoint),
      method: 'POST',
      service: 'kms',
      region: options.region,
      credentials: options.credentials,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` },
      body: JSON.stringify(body),
      timeoutMs: 5_000,
    });
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(answer.body) as Record<string, unknown>;
    } catch {
      throw new KmsCallError('UnparseableResponse', `KMS ${operation} answered HTTP ${answer.status} with a body that is not JSON`, answer.status);
    }
    if (answer.status >= 300) {
      const type = typeof json.__type === 'string' ? json.__type.split('#').pop()! : 'KmsError';
      const message = typeof json.message === 'string' ? json.message : typeof json.Message === 'string' ? json.Message : `HTTP ${answer.status}`;
      throw new KmsCallError(type, `KMS ${operation}: ${message}`, answer.status);
    }
    return json;
  }
  return {
    async generateMac(message) {
      const answer = await call('GenerateMac', { KeyId: options.keyId, MacAlgorithm: MAC_ALGORITHM, Message: b64(message) });
      if (typeof answer.Mac !== 'string') throw new KmsCallError('UnparseableResponse', 'KMS GenerateMac answered without a Mac', 200);
      return new Uint8Array(Buffer.from(answer.Mac, 'base64'));
    },
    async verifyMac(message, mac) {
      try {
        const answer = await call('VerifyMac', { KeyId: options.keyId, MacAlgorithm: MAC_ALGORITHM, Message: b64(message), Mac: b64(mac) });
        return answer.MacValid === true;
      } catch (error) {
        // KMS answers a MAC that does not match with this error, not with MacValid false.
        if (error instanceof KmsCallError && error.code === 'KMSInvalidMacException') return false;
        throw error;
      }
    },
  };
}
