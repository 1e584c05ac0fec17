import { startMoto } from '../../../emulator/moto-server';
import { EMULATOR_ENDPOINT_VARIABLE, keepHandle } from './emulator-handle';

/*
 * Starts the emulator for the whole run. Global teardown stops it; the exit
 * and signal handlers below stop it when jest ends any other way (a crash,
 * Ctrl-C), and moto_watchdog.py stops it if even those never run.
 */

export default async function globalSetup(): Promise<void> {
  const server = await startMoto();
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
