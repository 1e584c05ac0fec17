import type { MotoServer } from '../../../emulator/moto-server';

/*
 * How the one emulator of a test run is shared: global setup starts it and
 * publishes its endpoint in the environment (the test files read it there);
 * global teardown finds the handle again on globalThis (both run in jest's
 * parent process).
 */

export const EMULATOR_ENDPOINT_VARIABLE = 'IR_EMULATOR_ENDPOINT';

const HANDLE_KEY = '__irMotoServer';

type GlobalWithHandle = typeof globalThis & { [HANDLE_KEY]?: MotoServer };

export function keepHandle(server: MotoServer): void {
  (globalThis as GlobalWithHandle)[HANDLE_KEY] = server;
}

export function takeHandle(): MotoServer | undefined {
  const global = globalThis as GlobalWithHandle;
  const server = global[HANDLE_KEY];
  delete global[HANDLE_KEY];
  return server;
}

export function emulatorEndpoint(): string {
  const endpoint = process.env[EMULATOR_ENDPOINT_VARIABLE];
  if (!endpoint) {
    throw new Error(`${EMULATOR_ENDPOINT_VARIABLE} is not set: run the integration tests with "npx jest -c jest.integration.config.js" (its global setup starts the emulator)`);
  }
  return endpoint;
}
