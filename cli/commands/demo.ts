import type { Command } from 'commander';
import { runDemo } from '../../demo/run';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Runner } from './common';

export async function demoCommand(): Promise<ExitCode> {
  return (await runDemo()) === 0 ? EXIT.ok : EXIT.actionFailed;
}

export function registerDemo(program: Command, run: Runner): void {
  program
    .command('demo')
    .description('replay real-shaped findings through the playbooks against a local AWS emulator (moto), dry-run then enforce')
    .addHelpText('after', '\nExample:\n  $ ir demo        # the same as `make demo`; needs python3 (moto is installed into .venv/ if missing)')
    .action(() => run(() => demoCommand()));
}
