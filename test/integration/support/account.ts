import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../../lambda/aws/clients';
import { EMULATOR_REGION, emulatorClients, emulatorEventBridge, emulatorSqs } from '../../../emulator/clients';
import { resetMoto } from '../../../emulator/moto-server';
import { seedAccount, type SeededAccount } from '../../../emulator/seed-account';
import { emulatorEndpoint } from './emulator-handle';

/** What a test file works with: clients for the emulator and the account seeded in it. */
export interface EmulatedAccount {
  readonly endpoint: string;
  readonly clients: AwsClients;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly seed: SeededAccount;
}

export interface EmulatorConnection {
  readonly endpoint: string;
  readonly clients: AwsClients;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
}

/** An emptied emulator: nothing left from the previous test file. */
export async function freshEmulator(): Promise<EmulatorConnection> {
  const endpoint = emulatorEndpoint();
  await resetMoto(endpoint);
  return {
    endpoint,
    clients: emulatorClients(endpoint, EMULATOR_REGION),
    sqs: emulatorSqs(endpoint, EMULATOR_REGION),
    events: emulatorEventBridge(endpoint, EMULATOR_REGION),
  };
}

/** An emptied emulator with the realistic account of emulator/seed-account.ts in it. */
export async function freshSeededAccount(): Promise<EmulatedAccount> {
  const connection = await freshEmulator();
  const seed = await seedAccount(connection.clients, connection.sqs, EMULATOR_REGION);
  return { ...connection, seed };
}
