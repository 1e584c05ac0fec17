import type { Command } from 'commander';
import type { OperatorAwsOptions } from '../operator-clients';

export interface AwsCommandOptions extends OperatorAwsOptions {
  readonly json?: boolean;
}

/** The output and AWS options of `ir invoke` and `ir release`. */
export function withAwsOptions(command: Command, regionHelp: string): Command {
  return command
    .option('--json', 'print only JSON on stdout: always an array (of reports, or of the one result or state)')
    .option('--endpoint-url <url>', 'AWS endpoint to call (e.g. the local emulator); AWS_ENDPOINT_URL works too')
    .option('--profile <name>', 'AWS profile for credentials (default: the standard credential chain)')
    .option('--region <region>', regionHelp);
}
