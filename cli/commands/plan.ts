import type { Command } from 'commander';
import type { AccountAccess } from '../../lambda/aws/account-access';
import type { PlanDocument } from '../../lambda/plan/document';
import { preparePlan } from '../../lambda/respond/respond';
import { operatorAccess, regionForFinding } from '../aws';
import { loadDeployment } from '../config';
import { operatorResponder } from '../responder';
import { StackFinder } from '../deployment/stack-finder';
import { deploymentClients } from '../operator-clients';
import { EXIT, type ExitCode } from '../exit-codes';
import { readFindings } from '../input';
import { renderPlan } from '../render/plan-text';
import { type CommonOptions, note, type Runner, withCommonOptions, writeOutput } from './common';

interface PlanOptions extends CommonOptions {
  readonly offline?: boolean;
}

/**
 * Shows what the deployed stack would do with a finding. Never changes
 * anything: the plan is not executed. Guards are evaluated as the stack
 * would (its mode decides the dry-run guard). Online, a finding of another
 * account is read there through the member role, as the Lambda does.
 */
export async function planCommand(source: string, options: PlanOptions): Promise<ExitCode> {
  const deployment = loadDeployment(options.config);
  const findings = readFindings(source);
  const finder = new StackFinder(deployment, options.stack, (region) => deploymentClients(region, options).cloudFormation);
  const responder = operatorResponder(deployment, findings.flatMap((f) => (f.region ? [f.region] : options.region ? [options.region] : [])), options.protectedRole);
  const documents: PlanDocument[] = [];
  let access: AccountAccess | undefined;
  const sources = new Set<string>();
  for (const finding of findings) {
    // Online, the stack of the finding's region says what configuration it runs with; offline (or with --config), no call.
    const chosen = await finder.configFor(options.offline || options.config ? undefined : regionForFinding(finding, options), options.config);
    sources.add(chosen.source);
    const config = chosen.config;
    // Where the configuration's guardDuty.detectorId is the detector (stack-finder.ts): unknown for a file naming no single region.
    const online = (): { access: AccountAccess; defaultRegion: string; stackRegion?: string } => {
      const region = regionForFinding(finding, options);
      access ??= operatorAccess(options, config.memberRoleName, region);
      return { access, defaultRegion: region, ...(chosen.stackRegion ? { stackRegion: chosen.stackRegion } : {}) };
    };
    const prepared = await preparePlan(finding, {
      config,
      ...(options.offline ? {} : online()),
      dryRun: config.mode === 'dry-run',
      topicArn: options.topicArn,
      responder,
    });
    documents.push({ ...prepared.document, dryRun: true });
  }
  for (const line of sources) note(line);
  writeOutput(documents, options.json === true, renderPlan);
  return documents.some((d) => d.reads.some((r) => r.status === 'failed')) ? EXIT.actionFailed : EXIT.ok;
}

export function registerPlan(program: Command, run: Runner): void {
  withCommonOptions(
    program
      .command('plan')
      .description('show the playbook, guards and steps the stack would run for a finding; changes nothing')
      .argument('<finding>', 'file with an EventBridge event, a raw finding or `aws guardduty get-findings` output; - for stdin')
      .option('--offline', 'plan from the finding alone, with no AWS call'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ ir plan finding.json --offline
  $ aws guardduty get-findings --detector-id D --finding-ids F | ir plan - --json
  $ ir plan event.json --profile security-audit
  $ ir plan member-finding.json --profile security-operator   # read in the finding's account through its member role

Online, the plan uses the configuration the stack was deployed with (its output RuntimeConfiguration);
offline, or when the stack is not found, --config or cdk.json. Which one is said on stderr.
--json prints an array of plans, one per finding.

Exit codes: 0 planned, 1 a read the plan needed failed, 2 bad input (the finding or an option).`,
    )
    .action((source: string, options: PlanOptions) => run(() => planCommand(source, options)));
}
