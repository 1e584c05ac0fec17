import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../lib/lambda-bundle/options';

/*
 * A Lambda cold start of a playbook: a fresh Node process imports the
 * playbook's bundle (what Lambda's init loads) and runs its handler once on
 * one event. The child times the import's start and the handler's call on
 * the epoch clock; they come back on the parent's performance.now() clock,
 * the latency proxy's, so they compare with the recorded calls. Node's own
 * start and Lambda's sandbox are not in it. With BENCH_TRACE set, the child
 * also writes its own view on stderr (ms from the import's start): when the
 * handler was called, each request was made and each answer was read.
 */

const CHILD = `
const [file, event, context] = JSON.parse(process.env.BENCH_CHILD_INPUT);
const importStartedAt = performance.timeOrigin + performance.now();
if (process.env.BENCH_TRACE) {
  const dc = await import('node:diagnostics_channel');
  const t = () => (performance.now() + performance.timeOrigin - importStartedAt).toFixed(1);
  dc.subscribe('http.client.request.start', ({ request }) => process.stderr.write('  client ' + t() + ' request ' + request.path + '\\n'));
  dc.subscribe('http.client.response.finish', ({ request }) => process.stderr.write('  client ' + t() + ' response\\n'));
}
const { handler } = await import(file);
const handlerStartedAt = performance.timeOrigin + performance.now();
if (process.env.BENCH_TRACE) process.stderr.write('  client handler ' + (handlerStartedAt - importStartedAt).toFixed(1) + '\\n');
const report = await handler(event, context);
const failed = [...report.reads, ...report.steps].filter((o) => o.status === 'failed').map((o) => o.id + ': ' + (o.error && o.error.code));
console.log(JSON.stringify({ importStartedAt, handlerStartedAt, failed }));
`;

export interface ColdRun {
  /** On this process's performance.now() clock. */
  readonly importStartedAt: number;
  readonly handlerStartedAt: number;
  /** `step id: error code` of each failed read or step of the report. */
  readonly failed: readonly string[];
}

const run = promisify(execFile);

/** `environment` is the Lambda's whole environment (PATH is added); the handler's report must be a single one. */
export async function runBundleCold(bundleFile: string, environment: Record<string, string>, event: unknown, context: unknown): Promise<ColdRun> {
  // Asynchronously: the child's calls go through the proxy, which runs on this process's event loop.
  // BENCH_CPU_PROF=<dir> (a diagnosis): each cold process's CPU profile, written there when it exits.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, '--cpu-prof-interval=100'] : [];
  const { stdout, stderr } = await run(process.execPath, [...profile, '--input-type=module', '-e', CHILD], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...(process.env.BENCH_TRACE ? { BENCH_TRACE: '1' } : {}), ...environment, BENCH_CHILD_INPUT: JSON.stringify([`file://${bundleFile}`, event, context]) },
  });
  if (process.env.BENCH_TRACE) process.stderr.write(stderr);
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { importStartedAt?: number; handlerStartedAt?: number; failed?: string[] };
  if (typeof result.importStartedAt !== 'number' || typeof result.handlerStartedAt !== 'number' || !Array.isArray(result.failed)) {
    throw new Error(`cold run of ${bundleFile} printed no result: ${stdout}`);
  }
  const origin = performance.timeOrigin;
  return { importStartedAt: result.importStartedAt - origin, handlerStartedAt: result.handlerStartedAt - origin, failed: result.failed };
}
