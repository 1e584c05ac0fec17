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
    .description(
      'the whole product on a local AWS emulator (moto): findings dry-run, then ir respond --execute through an emulated stack (containment, revocation, ledger, locked evidence, notification), one approval (the isolation waits, is approved, resumes), a re-delivery the ledger turns into a no-op, the brake latching, ir brake release (recorded, announced), ir release from the ledger',
    )
    .option('--json', 'print only JSON on stdout: every run (finding, mode, report, changes, notification), the trail (re-delivery, brake, brake release, evidence, release) and the problems seen; progress goes to stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ ir demo                          # the same as \`make demo\`; needs python3 (moto is installed into .venv/ if missing)
  $ ir demo --json > demo.json       # the same runs as JSON, e.g. to compare two versions

Calls the emulator cannot answer (GuardDuty GetFindings, CloudTrail LookupEvents, IAM Access Advisor,
Security Hub) are shown as "not available in the local emulator", not as failures. More: docs/operate.md.

Exit codes: 0 every change, notification and record behaved, 1 a problem was seen (listed above).`,
    )
    .action((options: DemoOptions) => run(() => demoCommand(options)));
}
