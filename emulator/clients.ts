import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients, sdkClientConfig, type AwsClientOptions, type AwsClients } from '../lambda/aws/clients';
import { EVERY_CLIENT } from '../lambda/aws/every-client';

/*
 * Clients for the emulator, made through the project's one client seam, so
 * the playbooks run with exactly the clients they get in Lambda, only pointed
 * at 127.0.0.1. One attempt per call: moto answers calls it does not
 * implement with HTTP 500, which the SDK would otherwise retry. A long
 * request timeout: moto on a loaded two-core machine can take seconds for
 * one call, and a timed-out call here would be a test failing for no reason
 * of its own (jest's own timeout still ends a hung test).
 */

export const EMULATOR_REGION = 'us-east-1';

/** moto accepts any credentials; these never leave the machine. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** Per call, against the emulator: well past moto's slowest answer on a loaded machine, well inside jest's test timeout. */
export const EMULATOR_REQUEST_TIMEOUT_MS = 30_000;

export function emulatorClientOptions(endpoint: string, region: string = EMULATOR_REGION): AwsClientOptions {
  return { endpoint, region, maxAttempts: 1, requestTimeoutMs: EMULATOR_REQUEST_TIMEOUT_MS, credentials: EMULATOR_CREDENTIALS };
}

export function emulatorClients(endpoint: string, region: string = EMULATOR_REGION): AwsClients {
  return createAwsClients(emulatorClientOptions(endpoint, region), EVERY_CLIENT);
}

/** SQS, to read what the playbooks published and what EventBridge delivered. */
export function emulatorSqs(endpoint: string, region: string = EMULATOR_REGION): SQSClient {
  return new SQSClient(sdkClientConfig(emulatorClientOptions(endpoint, region)));
}

export function emulatorEventBridge(endpoint: string, region: string = EMULATOR_REGION): EventBridgeClient {
  return new EventBridgeClient(sdkClientConfig(emulatorClientOptions(endpoint, region)));
}

/** KMS, for the approval links' HMAC key (lambda/approval/mac-key.ts): moto implements GenerateMac and VerifyMac. */
export function emulatorKms(endpoint: string, region: string = EMULATOR_REGION): KMSClient {
  return new KMSClient(sdkClientConfig(emulatorClientOptions(endpoint, region)));
}
