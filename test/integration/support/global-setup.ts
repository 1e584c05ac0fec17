import { startMoto, type MotoServer } from '../../../emulator/moto-server';
import { EMULATOR_ENDPOINT_VARIABLE, keepHandles, publishEndpoints } from './emulator-handle';
import { waitForWarmEmulator } from './warm-emulator';

/*
 * Starts one emulator per jest worker for the whole run (two test files never
 * share one: see emulator-handle.ts) and waits until every service the tests
 * call answers quickly (warm-emulator.ts), then empties it again: each test
 * file starts from a reset emulator. Global teardown stops them; the exit and
 * signal handlers below stop them when jest ends any other way (a crash,
 * Ctrl-C), and moto_watchdog.py stops them if even those never run.
 */

async function startWarm(): Promise<MotoServer> {
  const server = await startMoto();
  try {
    await waitForWarmEmulator(server.endpoint);
    await server.reset();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

export default async function globalSetup(globalConfig: { readonly maxWorkers: number }): Promise<void> {
  // One per worker jest may start (--runInBand, -i: maxWorkers is 1).
  const count = Math.max(1, globalConfig.maxWorkers);
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWarm()));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failed.reason;
  }
  keepHandles(servers);
  process.env[EMULATOR_ENDPOINT_VARIABLE] = publishEndpoints(servers);

  const killAll = () => servers.forEach((server) => server.killNow());
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      // Let the signal do what it would have done without us.
      process.kill(process.pid, signal);
    });
  }
}
