import type { Command } from 'commander';
import type { AccountAccess } from '../../lambda/aws/account-access';
import { routingTableFor } from '../../lambda/config/routing-of';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { respond, type RespondOptions } from '../../lambda/respond/respond';
import { routeFinding } from '../../lambda/routing/route';
import { ledgerOptionsFor } from '../../lambda/runtime/ledger-options';
import { restoreLedgerFor } from '../../lambda/runtime/restore-ledger';
import { sharedBrakeTableName } from '../../lib/naming';
import { EVIDENCE_BUCKET_OUTPUT, LEDGER_TABLE_OUTPUT, TOPIC_ARN_OUTPUT } from '../../lib/stack-outputs';
import { operatorAccess, regionForFinding, type AwsCliOptions } from '../aws';
import { loadDeployment, type Deployment } from '../config';
import { requiredOutput, type DeployedStack } from '../deployment/deployed-stack';
import { StackFinder } from '../deployment/stack-finder';
import { EXIT_CODES_HELP, reportExitCode, worstExitCode, type ExitCode } from '../exit-codes';
import { readFindings } from '../input';
import { deploymentClients } from '../operator-clients';
import { renderReport } from '../render/plan-text';
import { operatorResponder } from '../responder';
import { type CommonOptions, note, type Runner, withCommonOptions, writeOutput } from './common';

export interface RespondCommandOptions extends CommonOptions {
  /** Not command-line options: the demo's emulator clients, and where the demo shows ir's notes. */
  readonly clientOverrides?: AwsCliOptions['clientOverrides'];
  readonly note?: (line: string) => void;
  readonly execute?: boolean;
  /** commander's --no-notify: false when given. */
  readonly notify?: boolean;
}

/**
 * How long an `ir respond --execute` holds its claim on the incident: a
 * manual run has no Lambda deadline, and while it acts no delivery of the
 * same finding may act beside it. Once it ends (or dies), the claim lapses.
 */
const OPERATOR_CLAIM_MS = 10 * 60 * 1000;

const NO_NOTIFY_REASON = 'ir respond --no-notify: the operator chose not to notify';

/**
 * The trail of an executed response, as the Lambda leaves it: the report
 * recorded in the stack's ledger (claimed once, the brake counted), the
 * restore records written before the first change, the evidence in the
 * stack's bucket, the notification on its topic. The same modules as
 * lambda/runtime/handle.ts; only the lease differs (no Lambda deadline).
 */
function executedTrail(input: {
  readonly finding: Finding;
  readonly stack: DeployedStack;
  readonly deployment: Deployment;
  readonly options: RespondCommandOptions;
  readonly access: AccountAccess;
  readonly config: RespondOptions['config'];
}): Pick<RespondOptions, 'ledger' | 'restoreLedger' | 'evidence' | 'topicArn' | 'chatTopicArn' | 'notificationSkipReason'> {
  const { stack, config, options } = input;
  const tableName = requiredOutput(stack, stack.ledgerTable, LEDGER_TABLE_OUTPUT, 'a manual response is recorded in the incident ledger as the Lambda records it');
  const evidence = requiredOutput(stack, stack.evidence, EVIDENCE_BUCKET_OUTPUT, 'a manual response keeps its evidence where the Lambda keeps it');
  const topicArn = notifiedTopic(stack, options);
  const playbook = routeFinding(input.finding, routingTableFor(config)).playbook;
  // A shared brake's table is named after the deployment; only the home region's stack outputs it.
  const brakeTableName = config.blastRadius.homeRegion ? (stack.brakeTable ?? sharedBrakeTableName(input.deployment.stackName)) : undefined;
  const ledger = ledgerOptionsFor({
    tableName,
    region: stack.region,
    access: input.access,
    // --execute overrides the stack's mode, so the ledger records an enforced answer.
    config: { ...config, mode: 'enforce' },
    dryRunRequested: false,
    context: { getRemainingTimeInMillis: () => OPERATOR_CLAIM_MS },
    playbook,
    topicArn,
    ...(topicArn && stack.chatTopicArn ? { chatTopicArn: stack.chatTopicArn } : {}),
    finding: input.finding,
    brakeTableName,
  });
  return {
    ...(ledger ? { ledger, restoreLedger: restoreLedgerFor(input.access, stack.region, tableName) } : {}),
    evidence,
    ...(topicArn ? { topicArn } : { notificationSkipReason: NO_NOTIFY_REASON }),
    // The chat copy goes where the Lambda posts it (the stack's chat topic), also when --topic-arn redirects the email; never with --no-notify.
    ...(topicArn && stack.chatTopicArn ? { chatTopicArn: stack.chatTopicArn } : {}),
  };
}

/** The topic to notify: --topic-arn, IR_TOPIC_ARN, else the stack's; none only with --no-notify. */
function notifiedTopic(stack: DeployedStack | undefined, options: RespondCommandOptions): string | undefined {
  if (options.notify === false) return undefined;
  const explicit = options.topicArn ?? process.env.IR_TOPIC_ARN;
  if (explicit) return explicit;
  if (!stack) return undefined;
  return requiredOutput(stack, stack.topicArn, TOPIC_ARN_OUTPUT, 'a manual response notifies the team on the stack topic (pass --topic-arn, or --no-notify to act without telling anyone)');
}

/**
 * Break-glass: runs the routed playbook from the operator's machine, with the
 * operator's credentials, through the same code path as the Lambda. A
 * dry-run unless --execute; --execute overrides the stack's mode only, every
 * other guard still applies, and it leaves the Lambda's trail (ledger,
 * evidence, notification) through the deployed stack's outputs. A finding of
 * another account is answered there through its member role (your principal
 * must be one of the operatorPrincipals the member stack trusts).
 */
export async function respondCommand(source: string, options: RespondCommandOptions): Promise<ExitCode> {
  const reports = await respondToFindings(readFindings(source), options);
  writeOutput(reports, options.json === true, renderReport);
  return worstExitCode(reports.map(reportExitCode));
}

/** `ir respond` without the printing of its reports: the command above, and the demo. */
export async function respondToFindings(findings: readonly Finding[], options: RespondCommandOptions): Promise<Report[]> {
  const deployment = loadDeployment(options.config);
  const finder = new StackFinder(deployment, options.stack, (region) => deploymentClients(region, options).cloudFormation);
  const responder = operatorResponder(deployment, findings.flatMap((f) => (f.region ? [f.region] : options.region ? [options.region] : [])), options.protectedRole);
  // Every finding's stack and configuration are found before anything is done: a missing stack or output (exit 2) runs nothing.
  const prepared: { finding: Finding; region: string; config: RespondOptions['config']; stackRegion: string | undefined; stack: DeployedStack | undefined }[] = [];
  const sources = new Set<string>();
  for (const finding of findings) {
    const region = regionForFinding(finding, options);
    // With --config, a dry-run reads no stack; --execute needs the stack anyway, and says when the file differs from it.
    const chosen = await finder.configFor(options.config && !options.execute ? undefined : region, options.config);
    sources.add(chosen.source);
    if (chosen.warning) (options.note ?? note)(chosen.warning);
    const stack = options.execute ? await finder.require(region, 'ir respond --execute records, keeps evidence and notifies through it') : undefined;
    if (options.execute && stack) notifiedTopic(stack, options);
    prepared.push({ finding, region, config: chosen.config, stackRegion: chosen.stackRegion, stack });
  }
  for (const line of sources) (options.note ?? note)(line);
  const reports: Report[] = [];
  let access: AccountAccess | undefined;
  for (const { finding, region, config, stackRegion, stack } of prepared) {
    access ??= operatorAccess(options, config.memberRoleName, region);
    const trail = stack
      ? executedTrail({ finding, stack, deployment, options, access, config })
      : options.notify === false
        ? { notificationSkipReason: NO_NOTIFY_REASON }
        : { topicArn: options.topicArn ?? process.env.IR_TOPIC_ARN };
    reports.push(
      await respond(finding, {
        config,
        access,
        defaultRegion: region,
        // Where the configuration's guardDuty.detectorId is the detector (stack-finder.ts): unknown for a file naming no single region.
        ...(stackRegion ? { stackRegion } : {}),
        dryRun: options.execute !== true,
        ...(options.execute ? {} : { dryRunReason: 'ir respond runs as a dry-run unless --execute is given' }),
        responder,
        ...trail,
      }),
    );
  }
  return reports;
}

export function registerRespond(program: Command, run: Runner): void {
  withCommonOptions(
    program
      .command('respond')
      .description('run the routed playbook for a finding with your credentials (dry-run unless --execute); --execute records, keeps evidence and notifies through the deployed stack, as the Lambda does')
      .argument('<finding>', 'file with an EventBridge event, a raw finding or get-findings output; - for stdin')
      .option('--execute', 'make the changes (ignores the stack mode; every other guard still applies)')
      .option('--no-notify', 'do not notify the team (without it, a topic must be found: the stack output, --topic-arn or IR_TOPIC_ARN)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir respond finding.json                      # dry-run: reads, plans, changes nothing
  $ ir respond finding.json --execute --json     # act, record in the ledger, keep evidence, notify; the reports as a JSON array
  $ ir respond finding.json --endpoint-url http://127.0.0.1:5000 --execute --no-notify
  $ ir respond member-finding.json --profile security-operator --execute   # acts in the finding's account via its member role

The configuration is the one the stack was deployed with (its output RuntimeConfiguration), else
--config or cdk.json; which one is said on stderr.

${EXIT_CODES_HELP}`,
    )
    .action((source: string, options: RespondCommandOptions) => run(() => respondCommand(source, options)));
}
