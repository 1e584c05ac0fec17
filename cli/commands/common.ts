import type { Command } from 'commander';
import type { ExitCode } from '../exit-codes';
import { safeJson, safeLine } from '../../lambda/text/untrusted';

export interface CommonOptions {
  readonly json?: boolean;
  readonly endpointUrl?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly config?: string;
  readonly topicArn?: string;
  readonly stack?: string;
  readonly protectedRole?: string[];
}

export type Runner = (action: () => Promise<ExitCode>) => Promise<void>;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Options every command that talks to AWS shares. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print only JSON on stdout')
    .option('--endpoint-url <url>', 'AWS endpoint to call (e.g. the local emulator); AWS_ENDPOINT_URL works too')
    .option('--profile <name>', 'AWS profile for credentials (default: the standard credential chain)')
    .option('--region <region>', 'region when the finding names none')
    .option('--config <file>', 'configuration JSON (default: the configuration the stack was deployed with, else cdk.json)')
    .option('--stack <name>', 'the deployed stack (default: the stack name of cdk.json, per region when the configuration lists regions)')
    .option('--topic-arn <arn>', 'SNS topic to notify (respond only; default with --execute: the stack output NotificationTopicArn)')
    .option('--protected-role <name>', 'IAM role name never to touch (repeatable)', collect);
}

/** --json prints one shape whatever the input held: an array of reports (or plans), one per finding. */
export function writeOutput<T>(documents: readonly T[], json: boolean, render: (doc: T) => string): void {
  if (json) {
    process.stdout.write(`${safeJson(documents, 2)}\n`);
    return;
  }
  process.stdout.write(`${documents.map(render).join('\n\n')}\n`);
}

/** A line for the operator on stderr (stdout stays the report, or only JSON with --json). */
export function note(line: string): void {
  process.stderr.write(`ir: ${safeLine(line)}\n`);
}
