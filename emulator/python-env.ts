import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Finds a Python that can run moto's server. The system python3 is used when
 * it already has moto; otherwise a project-local virtualenv (.venv/, ignored
 * by git) is created once and moto[server] installed into it, so a fresh
 * clone needs nothing but python3.
 */

const PROJECT_ROOT = join(__dirname, '..');
const VENV_DIR = join(PROJECT_ROOT, '.venv');
const VENV_PYTHON = join(VENV_DIR, 'bin', 'python');
const MOTO_REQUIREMENT = 'moto[server]>=5,<6';

function canImportMotoServer(python: string): boolean {
  const result = spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 });
  return result.status === 0;
}

function run(command: string, args: readonly string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 600_000 });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${what} failed (${command} ${args.join(' ')}): ${result.error?.message ?? `exit ${result.status}`}\n${output}`);
  }
}

function createVenvWithMoto(): void {
  if (!existsSync(VENV_PYTHON)) run('python3', ['-m', 'venv', VENV_DIR], 'creating the .venv for the AWS emulator');
  run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', MOTO_REQUIREMENT], `installing ${MOTO_REQUIREMENT} into .venv`);
}

/** The interpreter to run emulator/moto_watchdog.py with; installs moto into .venv/ when needed. */
export function pythonWithMoto(): string {
  if (canImportMotoServer('python3')) return 'python3';
  if (existsSync(VENV_PYTHON) && canImportMotoServer(VENV_PYTHON)) return VENV_PYTHON;
  createVenvWithMoto();
  if (!canImportMotoServer(VENV_PYTHON)) throw new Error(`moto was installed into ${VENV_DIR} but "import moto.server" still fails`);
  return VENV_PYTHON;
}
