import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptionsWithoutStdio } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * A long-lived child process spoken to one line at a time: a line written
 * to its stdin, one line read back from its stdout. The benchmark's warm
 * Lambda containers (Custodian's Python runner, the responder's Node
 * container) are such processes; each keeps what its runtime keeps between
 * invocations. Its stderr's tail is kept for the errors.
 */

export class LineChild {
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private stderrTail = '';
  private ended = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** Who it is, in the errors: e.g. `the Custodian runner`. */
    private readonly name: string,
    private readonly answerTimeoutMs: number,
  ) {
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

  static start(name: string, command: string, args: readonly string[], options: SpawnOptionsWithoutStdio, answerTimeoutMs: number): LineChild {
    return new LineChild(spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] }), name, answerTimeoutMs);
  }

  /** What it printed last on stderr, for an error message. */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Writes one line, reads one back; fails when the process has exited or gives no answer in time. */
  async ask(line: string): Promise<string> {
    if (this.ended) throw new Error(`${this.name} has exited:\n${this.stderrTail}`);
    this.child.stdin.write(`${line}\n`);
    const answer =
      this.lines.shift() ??
      (await new Promise<string | undefined>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.name} gave no answer in ${this.answerTimeoutMs} ms:\n${this.stderrTail}`)), this.answerTimeoutMs);
        this.waiting = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
      }));
    if (answer === undefined) throw new Error(`${this.name} exited without answering:\n${this.stderrTail}`);
    return answer;
  }

  /** Ends its stdin, so it exits on its own; killed if it has not within 10 s. */
  async close(): Promise<void> {
    if (this.ended) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
