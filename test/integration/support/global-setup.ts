import { startMoto } from '../../../emulator/moto-server';
import { EMULATOR_ENDPOINT_VARIABLE, keepHandle } from './emulator-handle';
import { waitForWarmEmulator } from './warm-emulator';

/*
 * Starts the emulator for the whole run and waits until every service the
 * tests call answers quickly (warm-emulator.ts), then empties it again: each
 * test file starts from a reset emulator. Global teardown stops it; the exit
 * and signal handlers below stop it when jest ends any other way (a crash,
 * Ctrl-C), and moto_watchdog.py stops it if even those never run.
 */

export default async function globalSetup(): Promise<void> {
  const server = await startMoto();
  try {
    await waitForWarmEmulator(server.endpoint);
    await server.reset();
  } catch (error) {
    await server.stop();
    throw error;
  }
  keepHandle(server);
  process.env[EMULATOR_ENDPOINT_VARIABLE] = server.endpoint;

  process.once('exit', () => server.killNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.killNow();
      // Let the signal do what it would have done without us.
      process.kill(process.pid, signal);
    });
  }
}
