import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../lib/lambda-bundle/options';

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
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private stderrTail = '';
  private ended = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      } else this.lines.push(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4_000);
    });
    child.on('exit', () => {
      this.ended = true;
      this.waiting?.(undefined);
    });
  }

  /** `environment`: the Lambda's whole environment (PATH is added). */
  static start(bundleFile: string, environment: Record<string, string>): WarmContainer {
    // BENCH_CPU_PROF=<dir> (a diagnosis): the container's CPU profile, written there when it exits.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, '--cpu-prof-interval=100'] : [];
    const child = spawn(process.execPath, [...profile, '--input-type=module', '-e', CHILD], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...environment, BENCH_BUNDLE_URL: `file://${bundleFile}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new WarmContainer(child);
  }

  async invoke(event: unknown, context: unknown): Promise<WarmRun> {
    if (this.ended) throw new Error(`the warm container has exited:\n${this.stderrTail}`);
    this.child.stdin.write(`${JSON.stringify({ event, context })}\n`);
    const line =
      this.lines.shift() ??
      (await new Promise<string | undefined>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the warm container gave no answer in ${ANSWER_TIMEOUT_MS} ms:\n${this.stderrTail}`)), ANSWER_TIMEOUT_MS);
        this.waiting = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
      }));
    if (line === undefined) throw new Error(`the warm container exited without answering:\n${this.stderrTail}`);
    const answer = JSON.parse(line) as { handlerStartedAt?: unknown; failed?: unknown };
    if (typeof answer.handlerStartedAt !== 'number' || !Array.isArray(answer.failed)) throw new Error(`the warm container answered ${line}`);
    return { handlerStartedAt: answer.handlerStartedAt - performance.timeOrigin, failed: answer.failed.map(String) };
  }

  async close(): Promise<void> {
    if (this.ended) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
