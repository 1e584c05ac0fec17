import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pythonWithMoto } from './python-env';

/*
 * The local AWS emulator: one moto server on 127.0.0.1, on a free port, in
 * its own process group. Nothing else listens and no request leaves the
 * machine. The server also stops by itself when this process dies (see
 * moto_watchdog.py), so a crashed or killed test run leaves nothing behind.
 */

export const EMULATOR_HOST = '127.0.0.1';
/** A cold Python start with moto's imports takes seconds on a loaded machine. */
const START_TIMEOUT_MS = 60_000;
/** A reset while the server is busy (a previous file's slow call) still answers well within this. */
const RESET_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 3_000;
const STDERR_TAIL_CHARS = 4_000;
const WATCHDOG_SCRIPT = join(__dirname, 'moto_watchdog.py');

export interface MotoServer {
  /** http://127.0.0.1:PORT, for every AWS client. */
  readonly endpoint: string;
  readonly pid: number;
  /** Forgets every resource in every service (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Synchronous SIGKILL of the whole process group, for exit and signal handlers; nothing if already stopped. */
  killNow(): void;
  /** The last lines the server wrote (request log, Python tracebacks of calls it does not implement). */
  logTail(): string;
}

/** A port nobody uses right now: the OS picks it when we bind port 0. */
export function freePort(host = EMULATOR_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** Forgets every resource the emulator at `endpoint` holds. */
export async function resetMoto(endpoint: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(RESET_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`emulator reset failed: no answer from ${endpoint}/moto-api/reset within ${RESET_TIMEOUT_MS / 1000} s (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!response.ok) throw new Error(`emulator reset failed: HTTP ${response.status} from ${endpoint}/moto-api/reset`);
}

/** Kills the whole process group (the interpreter and anything it started), without waiting. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilAnswering(child: ChildProcess, endpoint: string, stderrTail: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) {
      throw new Error(`the AWS emulator (moto) exited during start-up (code ${child.exitCode}, signal ${child.signalCode}). stderr:\n${stderrTail()}`);
    }
    if (await answers(endpoint)) return;
    await sleep(150);
  }
  throw new Error(`the AWS emulator (moto) did not answer on ${endpoint}/moto-api/ within ${START_TIMEOUT_MS / 1000} s. stderr:\n${stderrTail()}`);
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startMoto(): Promise<MotoServer> {
  const python = pythonWithMoto();
  const port = await freePort();
  const endpoint = `http://${EMULATOR_HOST}:${port}`;
  const child = spawn(python, [WATCHDOG_SCRIPT, '-H', EMULATOR_HOST, '-p', String(port)], {
    // Own process group, so stop() can kill it and everything it started at once.
    detached: true,
    // stdin stays open: closing it (or our death) is the watchdog's signal to exit.
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  // A failed spawn reports its reason as an 'error' event on the next tick.
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  if (child.pid === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(`could not start the AWS emulator with ${python}: ${spawnError?.message ?? 'no process id'}`);
  }
  const pid = child.pid;

  // The server logs every request; keep draining it (a full pipe would block the server) and keep the tail for errors.
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });

  const killNow = (): void => {
    if (!exited(child)) killGroup(pid, 'SIGKILL');
  };
  const stop = async (): Promise<void> => {
    if (exited(child)) return;
    child.stdin?.end();
    killGroup(pid, 'SIGTERM');
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      killGroup(pid, 'SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
    child.stderr?.destroy();
    child.stdin?.destroy();
  };

  try {
    await waitUntilAnswering(child, endpoint, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid, reset: () => resetMoto(endpoint), stop, killNow, logTail: () => stderr };
}
