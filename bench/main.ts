import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorClients, emulatorSqs } from '../emulator/clients';
import { startMoto } from '../emulator/moto-server';
import { otherAccountClients } from '../emulator/other-account';
import { seedNotifications } from '../emulator/seed/notifications';
import { drainQueue } from '../test/integration/support/inbox';
import { benchBurst } from './burst';
import { benchColdStart } from './cold-start';
import { seedBenchNetwork } from './fleet';
import { HOME_ACCOUNT } from './handler';
import { benchIsolation } from './isolation';
import { startLatencyProxy } from './latency-proxy';
import { benchMemory } from './memory';
import { printReport } from './print';

/*
 * `make bench`: starts the emulator and the latency proxy, runs every part
 * of the benchmark, prints a table and writes bench/results.json. Stops
 * the emulator however it ends. BENCH_REPETITIONS (default 3) and
 * BENCH_LOAD_RUNS (default 7) trade time for steadier medians.
 */

export const LATENCY_MS = 50;
const MEMBER_ACCOUNT = '210987654321';

function progress(part: string): void {
  process.stderr.write(`bench: ${part}\n`);
}

async function main(): Promise<void> {
  const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3);
  const loadRuns = Number(process.env.BENCH_LOAD_RUNS ?? 7);
  progress('cold start');
  const coldStart = await benchColdStart(loadRuns);

  const moto = await startMoto();
  process.once('exit', () => moto.killNow());
  const proxy = await startLatencyProxy({ target: moto.endpoint, latencyMs: LATENCY_MS });
  try {
    const direct = emulatorClients(moto.endpoint);
    const sqs = emulatorSqs(moto.endpoint);
    const notifications = await seedNotifications(direct.sns, sqs);
    progress('time to isolation');
    const freshEmulator = async (): Promise<void> => {
      await moto.reset();
      const again = await seedNotifications(direct.sns, sqs);
      if (again.topicArn !== notifications.topicArn || again.inboxQueueUrl !== notifications.inboxQueueUrl) {
        throw new Error(`the notifications seeded after an emulator reset moved (${again.topicArn}, ${again.inboxQueueUrl})`);
      }
    };
    const isolation = await benchIsolation({ direct, proxy, topicArn: notifications.topicArn, repetitions, freshEmulator });
    progress('memory');
    const memory = await benchMemory({
      direct,
      network: await seedBenchNetwork(direct, 'bench-memory'),
      proxyEndpoint: proxy.endpoint,
      topicArn: notifications.topicArn,
    });
    await drainQueue(sqs, notifications.inboxQueueUrl);
    progress('burst');
    const member = await otherAccountClients(moto.endpoint, MEMBER_ACCOUNT);
    const burst = await benchBurst({
      accounts: [
        { accountId: HOME_ACCOUNT, clients: direct },
        { accountId: MEMBER_ACCOUNT, clients: member.clients },
      ],
      proxy,
      topicArn: notifications.topicArn,
      inbox: { sqs, queueUrl: notifications.inboxQueueUrl },
    });

    printReport({ isolation, coldStart, burst, memory, latencyMs: LATENCY_MS });
    const results = {
      isolation: isolation.filter((r) => r.groups === 'existing').map(({ enis, volumes, roundTripsBeforeIsolation, timeToIsolationMs, totalMs }) => ({ enis, volumes, roundTripsBeforeIsolation, timeToIsolationMs, totalMs })),
      coldStart: coldStart.map(({ playbook, bundleBytes, gzipBytes, loadMs, unbundledLoadMs }) => ({ playbook, bundleBytes, gzipBytes, loadMs, unbundledLoadMs })),
      burst: { findings: burst.findings, wallMs: burst.wallMs, perSecond: burst.perSecond, lost: burst.lost, duplicated: burst.duplicated },
      memory: memory.map(({ playbook, peakRssMb }) => ({ playbook, peakRssMb })),
    };
    writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await proxy.close();
    await moto.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
