import type { Command } from 'commander';
import { writeProgressTo } from '../../demo/progress';
import { runDemo } from '../../demo/run';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Runner } from './common';
import { safeJson } from '../../lambda/text/untrusted';

interface DemoOptions {
  readonly json?: boolean;
}

export async function demoCommand(options: DemoOptions = {}): Promise<ExitCode> {
  // With --json, stdout carries only the JSON; the progress lines go to stderr.
  if (options.json) writeProgressTo(process.stderr);
  const result = await runDemo();
  if (options.json) process.stdout.write(`${safeJson(result, 2)}\n`);
  return result.problems === 0 ? EXIT.ok : EXIT.actionFailed;
}

export function registerDemo(program: Command, run: Runner): void {
  program
    .command('demo')
    .description('replay real-shaped findings through the playbooks against a local AWS emulator (moto), dry-run then enforce')
    .option('--json', 'print only JSON on stdout: every run (finding, mode, report, changes, notification) and the problems seen; progress goes to stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ ir demo                          # the same as \`make demo\`; needs python3 (moto is installed into .venv/ if missing)
  $ ir demo --json > demo.json       # the same runs as JSON, e.g. to compare two versions

Exit codes: 0 every change and notification behaved, 1 a problem was seen (listed above).`,
    )
    .action((options: DemoOptions) => run(() => demoCommand(options)));
}
