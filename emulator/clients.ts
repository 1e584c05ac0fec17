import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients, sdkClientConfig, type AwsClientOptions, type AwsClients } from '../lambda/aws/clients';
import { EVERY_CLIENT } from '../lambda/aws/every-client';

/*
 * Clients for the emulator, made through the project's one client seam, so
 * the playbooks run with exactly the clients they get in Lambda, only pointed
 * at 127.0.0.1. One attempt per call: moto answers calls it does not
 * implement with HTTP 500, which the SDK would otherwise retry.
 */

export const EMULATOR_REGION = 'us-east-1';

/** moto accepts any credentials; these never leave the machine. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export function emulatorClientOptions(endpoint: string, region: string = EMULATOR_REGION): AwsClientOptions {
  return { endpoint, region, maxAttempts: 1, credentials: EMULATOR_CREDENTIALS };
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
