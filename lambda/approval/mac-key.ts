import { GenerateMacCommand, KMSInvalidMacException, MacAlgorithmSpec, VerifyMacCommand, type KMSClient } from '@aws-sdk/client-kms';

/*
 * The approval links' MAC key: a KMS HMAC key (key spec HMAC_256, algorithm
 * HMAC_SHA_256). The key never leaves KMS, so no secret is ever in code,
 * configuration or the Lambda's memory. The KMS client comes from the
 * caller, made with the project's one client configuration
 * (lambda/aws/clients.ts, sdkClientConfig): the link function's own
 * (runtime.ts), or the emulator's in the tests.
 */

export const MAC_ALGORITHM = MacAlgorithmSpec.HMAC_SHA_256;

/** The length of an HMAC-SHA-256 tag: a token carrying any other length was not made by KMS with this key. */
export const MAC_LENGTH = 32;

export interface MacKey {
  readonly kms: KMSClient;
  /** The key's ARN (the stack passes IR_APPROVAL_MAC_KEY), id or alias. */
  readonly keyId: string;
}

/** KMS answered a GenerateMac without the MAC: nothing to sign a link with. */
export class MacAnswerError extends Error {
  readonly code = 'UnparseableResponse';
  constructor(message: string) {
    super(message);
    this.name = 'UnparseableResponse';
  }
}

export async function generateMac(key: MacKey, message: Uint8Array): Promise<Uint8Array> {
  const answer = await key.kms.send(new GenerateMacCommand({ KeyId: key.keyId, MacAlgorithm: MAC_ALGORITHM, Message: message }));
  if (!answer.Mac || answer.Mac.length === 0) throw new MacAnswerError('KMS GenerateMac answered without a Mac');
  return answer.Mac;
}

/**
 * Whether KMS made `mac` for `message` with this key. A MAC that does not
 * match is false; any other KMS failure (throttled, key disabled, access
 * denied) is thrown as the SDK's typed error: it says nothing about the
 * token, and must not be shown as a forgery.
 */
export async function verifyMac(key: MacKey, message: Uint8Array, mac: Uint8Array): Promise<boolean> {
  try {
    const answer = await key.kms.send(new VerifyMacCommand({ KeyId: key.keyId, MacAlgorithm: MAC_ALGORITHM, Message: message, Mac: mac }));
    return answer.MacValid === true;
  } catch (error) {
    // KMS answers a MAC that does not match with this error, not with MacValid false.
    if (error instanceof KMSInvalidMacException) return false;
    throw error;
  }
}
