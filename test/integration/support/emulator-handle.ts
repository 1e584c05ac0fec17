import type { MotoServer } from '../../../emulator/moto-server';

/*
 * How the emulators of a test run are shared: global setup starts one per
 * jest worker and publishes their endpoints in the environment, in worker
 * order; each test file uses its worker's (JEST_WORKER_ID, 1 to maxWorkers).
 * A worker runs one file at a time, so a file still has its emulator to
 * itself, reset when it starts. Global teardown finds the handles again on
 * globalThis (both run in jest's parent process).
 */

export const EMULATOR_ENDPOINT_VARIABLE = 'IR_EMULATOR_ENDPOINT';

const HANDLE_KEY = '__irMotoServers';

type GlobalWithHandle = typeof globalThis & { [HANDLE_KEY]?: MotoServer[] };

export function keepHandles(servers: MotoServer[]): void {
  (globalThis as GlobalWithHandle)[HANDLE_KEY] = servers;
}

export function takeHandles(): MotoServer[] {
  const global = globalThis as GlobalWithHandle;
  const servers = global[HANDLE_KEY] ?? [];
  delete global[HANDLE_KEY];
  return servers;
}

/** The endpoints, one per worker, as the environment variable holds them. */
export function publishEndpoints(servers: readonly MotoServer[]): string {
  return servers.map((server) => server.endpoint).join(',');
}

/** This worker's emulator. */
export function emulatorEndpoint(): string {
  const endpoints = (process.env[EMULATOR_ENDPOINT_VARIABLE] ?? '').split(',').filter(Boolean);
  if (endpoints.length === 0) {
    throw new Error(`${EMULATOR_ENDPOINT_VARIABLE} is not set: run the integration tests with "npx jest -c jest.integration.config.js" (its global setup starts the emulators)`);
  }
  // Set by jest in each worker (1, 2, ...); a run in band is worker 1.
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const endpoint = endpoints[worker - 1];
  if (!endpoint) throw new Error(`no emulator for jest worker ${worker}: global setup started ${endpoints.length} (one per worker)`);
  return endpoint;
}
