import type { Command } from 'commander';
import type { AccountAccess } from '../../lambda/aws/account-access';
import type { Report } from '../../lambda/plan/document';
import { respond } from '../../lambda/respond/respond';
import { operatorAccess, regionForFinding } from '../aws';
import { loadDeployment } from '../config';
import { operatorResponder } from '../responder';
import { runtimeConfigOf } from '../../lambda/config/schema';
import { EXIT, type ExitCode } from '../exit-codes';
import { readFindings } from '../input';
import { renderReport } from '../render/plan-text';
import { type CommonOptions, type Runner, withCommonOptions, writeOutput } from './common';

interface RespondOptions extends CommonOptions {
  readonly execute?: boolean;
}

/**
 * Break-glass: runs the routed playbook from the operator's machine, with the
 * operator's credentials, through the same code path as the Lambda. A
 * dry-run unless --execute; --execute overrides the stack's mode only, every
 * other guard still applies. A finding of another account is answered
 * there through its member role (your principal must be one of the
 * operatorPrincipals the member stack trusts).
 */
export async function respondCommand(source: string, options: RespondOptions): Promise<ExitCode> {
  const deployment = loadDeployment(options.config);
  const config = runtimeConfigOf(deployment.config);
  const findings = readFindings(source);
  const responder = operatorResponder(deployment, findings.flatMap((f) => (f.region ? [f.region] : options.region ? [options.region] : [])), options.protectedRole);
  const reports: Report[] = [];
  let access: AccountAccess | undefined;
  for (const finding of findings) {
    const region = regionForFinding(finding, options);
    access ??= operatorAccess(options, config.memberRoleName, region);
    reports.push(
      await respond(finding, {
        config,
        access,
        defaultRegion: region,
        dryRun: options.execute !== true,
        ...(options.execute ? {} : { dryRunReason: 'ir respond runs as a dry-run unless --execute is given' }),
        topicArn: options.topicArn ?? process.env.IR_TOPIC_ARN,
        responder,
      }),
    );
  }
  writeOutput(reports, options.json === true, renderReport);
  const failed = reports.some((r) => r.summary.failed > 0 || r.reads.some((read) => read.status === 'failed'));
  return failed ? EXIT.actionFailed : EXIT.ok;
}

export function registerRespond(program: Command, run: Runner): void {
  withCommonOptions(
    program
      .command('respond')
      .description('run the routed playbook for a finding with your credentials (dry-run unless --execute)')
      .argument('<finding>', 'file with an EventBridge event, a raw finding or get-findings output; - for stdin')
      .option('--execute', 'make the changes (ignores the stack mode; every other guard still applies)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir respond finding.json                      # dry-run: reads, plans, changes nothing
  $ ir respond finding.json --execute --json     # act, print the report as JSON
  $ ir respond finding.json --endpoint-url http://127.0.0.1:5000 --execute
  $ ir respond member-finding.json --profile security-operator --execute   # acts in the finding's account via its member role`,
    )
    .action((source: string, options: RespondOptions) => run(() => respondCommand(source, options)));
}
