import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silenceSdkNodeVersionNotice } from '../cli/sdk-node-notice';
import { EMULATOR_REGION, emulatorClients, emulatorSqs } from '../emulator/clients';
import { seedAccount } from '../emulator/seed-account';
import { startMoto } from '../emulator/moto-server';
import { otherAccountClients } from '../emulator/other-account';
import { seedNotifications } from '../emulator/seed/notifications';
import { drainQueue } from '../test/integration/support/inbox';
import { benchBurst } from './burst';
import { benchColdStart } from './cold-start';
import { benchCustodian } from './custodian';
import { benchFirstChange } from './first-change';
import { HOME_ACCOUNT } from './handler';
import { benchIsolation, type IsolationDetail } from './isolation';
import { startLatencyProxy } from './latency-proxy';
import { benchMemory } from './memory';
import { printReport, type BenchReport } from './print';

/*
 * `make bench`: starts the emulator and the latency proxy, runs every part
 * of the benchmark, prints a table and writes bench/results.json. Stops
 * the emulator however it ends. BENCH_REPETITIONS (default 3) and
 * BENCH_LOAD_RUNS (default 7) trade time for steadier medians.
 * BENCH_PARTS (comma-separated, default every part) runs some parts only,
 * e.g. `BENCH_PARTS=isolation npx tsx bench/main.ts`: results.json keeps
 * the figures of the parts not run, from the run that measured them.
 * first-change (each playbook's time to its first change: first-change.ts)
 * runs last, as it empties and seeds the emulator each round.
 */

export const LATENCY_MS = 50;
const MEMBER_ACCOUNT = '210987654321';
const PARTS = ['cold-start', 'isolation', 'custodian', 'memory', 'burst', 'first-change'] as const;
type Part = (typeof PARTS)[number];
const RESULTS_FILE = join(__dirname, 'results.json');

function partsToRun(): ReadonlySet<Part> {
  const asked = (process.env.BENCH_PARTS ?? PARTS.join(',')).split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0 || asked.length === 0) throw new Error(`BENCH_PARTS: ${unknown.join(', ') || 'empty'}; the parts are ${PARTS.join(', ')}`);
  return new Set(asked as Part[]);
}

/** The committed results, whose parts not run this time are kept. */
function previousResults(): Record<string, unknown> {
  return existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>) : {};
}

function progress(part: string): void {
  process.stderr.write(`bench: ${part}\n`);
}

async function main(): Promise<void> {
  const parts = partsToRun();
  const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3);
  const loadRuns = Number(process.env.BENCH_LOAD_RUNS ?? 7);
  const results = previousResults();
  const report: BenchReport = { latencyMs: LATENCY_MS };
  if (parts.has('cold-start')) {
    progress('cold start');
    report.coldStart = await benchColdStart(loadRuns);
  }

  if (parts.has('isolation') || parts.has('custodian') || parts.has('memory') || parts.has('burst') || parts.has('first-change')) {
    const moto = await startMoto();
    process.once('exit', () => moto.killNow());
    const proxy = await startLatencyProxy({ target: moto.endpoint, latencyMs: LATENCY_MS });
    try {
      const direct = emulatorClients(moto.endpoint);
      const sqs = emulatorSqs(moto.endpoint);
      const notifications = await seedNotifications(direct.sns, sqs);
      const freshEmulator = async (): Promise<void> => {
        await moto.reset();
        const again = await seedNotifications(direct.sns, sqs);
        if (again.topicArn !== notifications.topicArn || again.inboxQueueUrl !== notifications.inboxQueueUrl) {
          throw new Error(`the notifications seeded after an emulator reset moved (${again.topicArn}, ${again.inboxQueueUrl})`);
        }
      };
      if (parts.has('isolation')) {
        progress('time to isolation');
        report.isolation = await benchIsolation({ direct, proxy, topicArn: notifications.topicArn, repetitions, freshEmulator });
      }
      if (parts.has('custodian')) {
        progress('time to isolation side by side with Cloud Custodian');
        report.custodian = await benchCustodian({ direct, proxy, topicArn: notifications.topicArn, repetitions, freshEmulator });
      }
      if (parts.has('memory')) {
        progress('memory');
        report.memory = await benchMemory({
          direct,
          proxyEndpoint: proxy.endpoint,
          // The demo's account, workloads too, for the new playbooks' findings; its topic must be the one the burst expects.
          freshAccount: async () => {
            await moto.reset();
            const seed = await seedAccount(direct, sqs, EMULATOR_REGION, { workloads: true });
            if (seed.notifications.topicArn !== notifications.topicArn || seed.notifications.inboxQueueUrl !== notifications.inboxQueueUrl) {
              throw new Error(`the seeded account's notifications moved (${seed.notifications.topicArn}, ${seed.notifications.inboxQueueUrl})`);
            }
            return seed;
          },
        });
        // The burst starts, as it did before memory seeded the demo's account, from the notifications alone.
        await freshEmulator();
      }
      if (parts.has('burst')) {
        await drainQueue(sqs, notifications.inboxQueueUrl);
        progress('burst');
        const member = await otherAccountClients(moto.endpoint, MEMBER_ACCOUNT);
        report.burst = await benchBurst({
          accounts: [
            { accountId: HOME_ACCOUNT, clients: direct },
            { accountId: MEMBER_ACCOUNT, clients: member.clients },
          ],
          proxy,
          topicArn: notifications.topicArn,
          inbox: { sqs, queueUrl: notifications.inboxQueueUrl },
        });
      }
      if (parts.has('first-change')) {
        // Last: every round empties the emulator and seeds the demo's account, which the parts above do not expect.
        progress('time to first change');
        report.firstChange = await benchFirstChange({ direct, sqs, proxy, repetitions, resetEmulator: () => moto.reset() });
      }
    } finally {
      await proxy.close();
      await moto.stop();
    }
  }

  printReport(report);
  const { isolation, coldStart, burst, memory, firstChange, custodian } = report;
  if (isolation) results.isolation = isolationResults(isolation);
  if (custodian) results.custodian = { version: custodian.version, rows: custodian.rows };
  if (coldStart) results.coldStart = coldStart.map(({ playbook, bundleBytes, gzipBytes, loadMs, loadCpuMs, ownClientsOnly, unbundledLoadMs }) => ({ playbook, bundleBytes, gzipBytes, loadMs, loadCpuMs, ownClientsOnly, unbundledLoadMs }));
  if (burst) results.burst = { findings: burst.findings, partMs: burst.partMs, wallMs: burst.wallMs, perSecond: burst.perSecond, lost: burst.lost, duplicated: burst.duplicated };
  if (firstChange) results.firstChange = firstChange;
  if (memory) results.memory = memory.map(({ playbook, peakRssMb, run }) => ({ playbook, peakRssMb, run }));
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * The rows with the groups existing, measured with the finding confirmed (the stack's default), each with
 * the same configuration's figures without the confirmation beside it.
 */
function isolationResults(details: readonly IsolationDetail[]): unknown[] {
  const existing = details.filter((r) => r.groups === 'existing');
  return existing
    .filter((r) => r.confirmFindings)
    .map(({ enis, volumes, roundTripsBeforeIsolation, timeToIsolationMs, totalMs, pathRoundTrips }) => {
      const off = existing.find((r) => !r.confirmFindings && r.enis === enis && r.volumes === volumes);
      if (!off) throw new Error(`no run without the confirmation for ${enis} ENIs, ${volumes} volumes`);
      return {
        enis,
        volumes,
        roundTripsBeforeIsolation,
        timeToIsolationMs,
        totalMs,
        confirmFindings: true,
        pathRoundTrips,
        withoutConfirmation: {
          roundTripsBeforeIsolation: off.roundTripsBeforeIsolation,
          timeToIsolationMs: off.timeToIsolationMs,
          totalMs: off.totalMs,
          pathRoundTrips: off.pathRoundTrips,
        },
      };
    });
}

// `BENCH_PARTS=… npx tsx bench/main.ts` runs outside the Makefile, which turns the notice off for `make bench`.
silenceSdkNodeVersionNotice();
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
