import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorClients, emulatorSqs } from '../emulator/clients';
import { startMoto } from '../emulator/moto-server';
import { seedNotifications } from '../emulator/seed/notifications';
import { benchIsolation } from './isolation';
import { startLatencyProxy } from './latency-proxy';

/*
 * `make bench`: starts the emulator and the latency proxy, runs every part
 * of the benchmark, prints a table and writes bench/results.json. Stops
 * the emulator however it ends.
 */

export const LATENCY_MS = 50;

async function main(): Promise<void> {
  const moto = await startMoto();
  process.once('exit', () => moto.killNow());
  const proxy = await startLatencyProxy({ target: moto.endpoint, latencyMs: LATENCY_MS });
  try {
    const direct = emulatorClients(moto.endpoint);
    const notifications = await seedNotifications(direct.sns, emulatorSqs(moto.endpoint));
    const isolation = await benchIsolation({ direct, proxy, topicArn: notifications.topicArn, repetitions: Number(process.env.BENCH_REPETITIONS ?? 3) });
    console.table(isolation);
    writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify({ isolation }, null, 2)}\n`);
  } finally {
    await proxy.close();
    await moto.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
