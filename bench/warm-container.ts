import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../lib/lambda-bundle/options';
import { LineChild } from './line-child';

/*
 * A warm Lambda container of a playbook: a Node process that imports the
 * playbook's bundle once (what Lambda's init loads) and runs its handler on
 * each event written to its stdin, one JSON line each, answering one JSON
 * line each. Its own process, like Custodian's runner (custodian.ts): in the
 * benchmark's process, the handler's work after sending a request would keep
 * the latency proxy, which runs on the same event loop, from even receiving
 * it, adding that work to every call's round trip, which no Lambda pays.
 * Times come back on the epoch clock and are put on this process's
 * performance.now() clock, the proxy's.
 */

const CHILD = `
import { createInterface } from 'node:readline';
const { handler } = await import(process.env.BENCH_BUNDLE_URL);
for await (const line of createInterface({ input: process.stdin })) {
  const { event, context } = JSON.parse(line);
  const handlerStartedAt = performance.timeOrigin + performance.now();
  try {
    const report = await handler(event, context);
    const reports = Array.isArray(report) ? report : [report];
    const failed = reports.flatMap((r) => [...r.reads, ...r.steps]).filter((o) => o.status === 'failed').map((o) => o.id + ': ' + (o.error && o.error.code) + ' ' + (o.error && o.error.message));
    console.log(JSON.stringify({ handlerStartedAt, failed }));
  } catch (error) {
    console.log(JSON.stringify({ handlerStartedAt, failed: ['handler: ' + String(error)] }));
  }
}
`;

export interface WarmRun {
  /** On this process's performance.now() clock. */
  readonly handlerStartedAt: number;
  /** `step id: error code message` of each failed read or step, or the handler's error. */
  readonly failed: readonly string[];
}

const ANSWER_TIMEOUT_MS = 120_000;

export class WarmContainer {
  private constructor(private readonly child: LineChild) {}

  /** `environment`: the Lambda's whole environment (PATH is added). */
  static start(bundleFile: string, environment: Record<string, string>): WarmContainer {
    // BENCH_CPU_PROF=<dir> (a diagnosis): the container's CPU profile, written there when it exits.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, '--cpu-prof-interval=100'] : [];
    const options = { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...environment, BENCH_BUNDLE_URL: `file://${bundleFile}` } };
    return new WarmContainer(LineChild.start('the warm container', process.execPath, [...profile, '--input-type=module', '-e', CHILD], options, ANSWER_TIMEOUT_MS));
  }

  async invoke(event: unknown, context: unknown): Promise<WarmRun> {
    const line = await this.child.ask(JSON.stringify({ event, context }));
    const answer = JSON.parse(line) as { handlerStartedAt?: unknown; failed?: unknown };
    if (typeof answer.handlerStartedAt !== 'number' || !Array.isArray(answer.failed)) throw new Error(`the warm container answered ${line}`);
    return { handlerStartedAt: answer.handlerStartedAt - performance.timeOrigin, failed: answer.failed.map(String) };
  }

  close(): Promise<void> {
    return this.child.close();
  }
}
