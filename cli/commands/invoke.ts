import type { Command } from 'commander';
import { routingTableFor } from '../../lambda/config/routing-of';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { routeFinding } from '../../lambda/routing/route';
import { DEFAULT_STACK_NAME, securityStackName } from '../../lib/naming';
import { loadDeployment } from '../config';
import { runtimeConfigOf } from '../../lambda/config/schema';
import { invokePlaybook } from '../deployment/invoke-playbook';
import { playbookFunctionName } from '../deployment/stack-function';
import { EXIT, EXIT_CODES_HELP, reportExitCode, worstExitCode, type ExitCode } from '../exit-codes';
import { readFindingInput } from '../input';
import { deploymentClients, operatorRegion, type DeploymentClients } from '../operator-clients';
import { renderReport } from '../render/plan-text';
import { type AwsCommandOptions, withAwsOptions } from './aws-options';
import type { Runner } from './common';
import { safeJson, safeLine } from '../../lambda/text/untrusted';

interface InvokeOptions extends AwsCommandOptions {
  readonly dryRun?: boolean;
  readonly stack?: string;
  readonly config?: string;
}

interface Target {
  readonly finding: Finding;
  readonly payloadFinding: unknown;
  readonly playbook: PlaybookName;
  readonly region: string;
  readonly functionName: string;
  readonly lambda: DeploymentClients['lambda'];
}

/*
 * Every finding is routed and its function found before anything is
 * invoked, so a wrong stack, region or output (exit 2) runs nothing. One
 * finding in the input goes to the function exactly as given; several
 * (get-findings output) go one by one, each to its own playbook.
 */
async function resolveTargets(source: string, options: InvokeOptions): Promise<Target[]> {
  const deployment = loadDeployment(options.config);
  const table = routingTableFor(runtimeConfigOf(deployment.config));
  const input = readFindingInput(source);
  const targets: Target[] = [];
  for (const finding of input.findings) {
    const { playbook } = routeFinding(finding, table);
    const region = operatorRegion(finding.region ?? options.region, `finding ${finding.id}`);
    // A multi-region deployment has one stack per region, named after it: the finding's region picks it.
    const stackName = options.stack ?? securityStackName(deployment.stackName, deployment.config.regions.length > 0 ? region : undefined);
    const clients = deploymentClients(region, options);
    const functionName = await playbookFunctionName(clients.cloudFormation, stackName, playbook, region);
    const payloadFinding = input.findings.length === 1 ? input.document : finding;
    targets.push({ finding, payloadFinding, playbook, region, functionName, lambda: clients.lambda });
  }
  return targets;
}

/** Runs the deployed playbook for a finding and prints the report it returns. */
export async function invokeCommand(source: string, options: InvokeOptions): Promise<ExitCode> {
  const targets = await resolveTargets(source, options);
  const reports: Report[] = [];
  let functionFailed = false;
  for (const target of targets) {
    const result = await invokePlaybook(target.lambda, target.functionName, { finding: target.payloadFinding, dryRun: options.dryRun === true });
    if (result.kind === 'function-error') {
      functionFailed = true;
      // The function's error payload can quote the finding it refused: escaped and bounded like any value from a finding.
      process.stderr.write(`ir: ${safeLine(`${target.functionName} (${target.playbook}, finding ${target.finding.id}) failed (${result.functionError}): ${result.payload}`)}\n`);
      continue;
    }
    reports.push(...result.reports);
  }
  if (reports.length > 0) {
    const text = options.json ? safeJson(reports, 2) : reports.map(renderReport).join('\n\n');
    process.stdout.write(`${text}\n`);
  }
  return worstExitCode([...(functionFailed ? [EXIT.actionFailed] : []), ...reports.map(reportExitCode)]);
}

export function registerInvoke(program: Command, run: Runner): void {
  withAwsOptions(
    program
      .command('invoke')
      .description("invoke the deployed playbook for a finding (routed as the stack routes it) and print the report it returns")
      .argument('<finding>', 'file with an EventBridge event, a raw finding or get-findings output; - for stdin')
      .option('--dry-run', "ask the function for a dry-run (a stack in dry-run mode never acts, whatever is asked)")
      .option('--stack <name>', `the deployed stack whose outputs name the functions (default: ${DEFAULT_STACK_NAME}, or ${DEFAULT_STACK_NAME}-<finding region> when the configuration lists regions)`)
      .option('--config <file>', 'configuration JSON for routing (default: the incidentResponse context in cdk.json)'),
    'region of the stack when the finding names none',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir invoke finding.json --dry-run                     # what the deployed playbook would do, nothing changed
  $ ir invoke finding.json --stack IR-Prod --json        # act (if the stack enforces), print the report as JSON
  $ aws guardduty get-findings --detector-id D --finding-ids F | ir invoke - --dry-run --profile security

--json prints an array of reports, one per finding.

${EXIT_CODES_HELP}`,
    )
    .action((source: string, options: InvokeOptions) => run(() => invokeCommand(source, options)));
}
