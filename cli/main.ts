import { Command, CommanderError } from 'commander';
import { ConfigError } from '../lambda/config/schema';
import { FindingInputError } from '../lambda/finding/errors';
import { registerApproval } from './commands/approve';
import { registerBrake } from './commands/brake';
import { registerDemo } from './commands/demo';
import { registerInvoke } from './commands/invoke';
import { registerPlan } from './commands/plan';
import { registerRelease } from './commands/release';
import { registerRespond } from './commands/respond';
import { EXIT, EXIT_CODES_HELP, UsageError, type ExitCode } from './exit-codes';
import { safeLine } from '../lambda/text/untrusted';

function isInputError(error: unknown): error is Error {
  return error instanceof FindingInputError || error instanceof ConfigError || error instanceof UsageError;
}

export async function main(argv: readonly string[]): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const run = async (action: () => Promise<ExitCode>): Promise<void> => {
    exitCode = await action();
  };
  const program = new Command('ir')
    .description('GuardDuty incident response: plan and run the playbooks the stack runs, invoke the deployed ones, release a contained instance or a latched brake')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      `
--json prints an array of reports (one per finding, or one release) on stdout, and nothing else.
Manual actions (respond --execute, release, brake release) record in the deployed stack's ledger and
notify on its topic, found by the stack's outputs; --no-notify is the only way not to notify.

${EXIT_CODES_HELP}

More: docs/operate.md`,
    );
  registerPlan(program, run);
  registerRespond(program, run);
  registerInvoke(program, run);
  registerRelease(program, run);
  registerBrake(program, run);
  registerApproval(program, run);
  registerDemo(program, run);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (isInputError(error)) {
      // Input errors quote what they refuse: attacker text (key names, ids) is escaped, never printed raw.
      process.stderr.write(`ir: ${safeLine(error.message)}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`ir: ${safeLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}\n`);
    return EXIT.actionFailed;
  }
}
