import type { Command } from 'commander';
import type { ApprovalView } from '../../lambda/approval/pending-approval';
import { safeJson, safeLine } from '../../lambda/text/untrusted';
import { securityStackName } from '../../lib/naming';
import { APPROVAL_DECISION_URL_OUTPUT } from '../../lib/stack-outputs';
import { listPending, operatorCredentials, readApprovalOf, sendDecision, type DecisionEndpoint } from '../approval/decision-client';
import { loadDeployment } from '../config';
import { requiredStackOutputs } from '../deployment/stack-outputs';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { deploymentClients, operatorRegion } from '../operator-clients';
import { type AwsCommandOptions, withAwsOptions } from './aws-options';
import type { Runner } from './common';

/*
 * `ir pending`, `ir approve INCIDENT`, `ir deny INCIDENT --reason ...`: a
 * person's decision on a response waiting for approval, with their own AWS
 * credentials, through the operator decision function's URL (IAM decides who
 * may: lambda:InvokeFunctionUrl and, through the URL, lambda:InvokeFunction
 * on it). The decision binds to the plan hash
 * shown (--plan-hash, as `ir pending` prints it; else the plan read just
 * before deciding, printed first).
 */

interface ApprovalOptions extends AwsCommandOptions {
  readonly stack?: string;
  readonly config?: string;
  readonly url?: string;
  readonly planHash?: string;
  readonly reason?: string;
}

async function endpointOf(options: ApprovalOptions): Promise<DecisionEndpoint> {
  const region = operatorRegion(options.region, 'the approval');
  const credentials = operatorCredentials(options.profile);
  if (options.url) return { url: options.url, region, credentials };
  const deployment = loadDeployment(options.config);
  const stackName = options.stack ?? securityStackName(deployment.stackName, deployment.config.regions.length > 0 ? region : undefined);
  const outputs = await requiredStackOutputs(deploymentClients(region, options).cloudFormation, stackName, region, [APPROVAL_DECISION_URL_OUTPUT]);
  return { url: outputs[APPROVAL_DECISION_URL_OUTPUT], region, credentials };
}

/** A decided request whose resumed response has not recorded its outcome: in flight, or failed (its lease ended). */
function resumeLines(approval: ApprovalView): string[] {
  const { resume } = approval;
  if (!resume) return [];
  if (resume.state === 'in-flight') return [`Resuming   decided; the response acting on it took it at ${resume.takenAt} (lease until ${resume.until}) and has not finished`];
  return [
    `RESUME FAILED  decided; the response that took it at ${resume.takenAt} did not finish (lease ended ${resume.until}): the decided changes may not be made.`,
    `           Lambda's retry, or an event for it sent again (invoke the playbook's function with {"kind":"approval-decided","incidentId":"${approval.incidentId}"}), takes it again.`,
  ];
}

/** The approval as text: every value from the ledger (attacker-shaped) escaped, one line each. */
export function renderApproval(approval: ApprovalView): string[] {
  const lines = [
    `Incident   ${approval.incidentId}`,
    `Status     ${approval.status}`,
    `Playbook   ${approval.playbook ?? '-'}   finding ${approval.findingId ?? '-'}   account ${approval.accountId ?? '-'}   region ${approval.region ?? '-'}`,
    `Asked at   ${approval.requestedAt ?? '-'}   deadline ${approval.deadline ?? '-'} (then: ${approval.onTimeout ?? '-'})`,
    `Plan hash  ${approval.planHash}`,
    ...resumeLines(approval),
    'Steps waiting for approval:',
  ];
  let plan: string;
  try {
    plan = safeJson(JSON.parse(approval.plan) as unknown, 2);
  } catch {
    plan = approval.plan;
  }
  return [...lines, ...plan.split('\n').map((line) => `  ${line}`)].map((line) => safeLine(line));
}

export async function pendingCommand(options: ApprovalOptions): Promise<ExitCode> {
  const { approvals, truncated } = await listPending(await endpointOf(options));
  if (options.json) {
    process.stdout.write(`${safeJson([{ approvals, truncated }], 2)}\n`);
    return EXIT.ok;
  }
  if (approvals.length === 0) process.stdout.write('No response is waiting for approval.\n');
  for (const approval of approvals) process.stdout.write(`${renderApproval(approval).join('\n')}\n\n`);
  if (truncated) process.stdout.write(`${approvals.length} shown; more are waiting.\n`);
  return EXIT.ok;
}

const REASON_MAX = 1000;

function checkedReason(reason: string | undefined, required: boolean): string | undefined {
  const trimmed = reason?.trim();
  if (!trimmed) {
    if (required) throw new UsageError('ir deny needs --reason "<why>": it is recorded with the decision');
    return undefined;
  }
  if (trimmed.length > REASON_MAX) throw new UsageError(`--reason is ${trimmed.length} characters; at most ${REASON_MAX}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) throw new UsageError('--reason must be one line of text, without control characters');
  return trimmed;
}

export async function decideCommand(decision: 'approve' | 'deny', incidentId: string, options: ApprovalOptions): Promise<ExitCode> {
  const reason = checkedReason(options.reason, decision === 'deny');
  if (options.planHash !== undefined && !/^[0-9a-f]{64}$/.test(options.planHash)) throw new UsageError('--plan-hash must be the 64 hex digits `ir pending` prints');
  const endpoint = await endpointOf(options);
  let planHash = options.planHash;
  if (planHash === undefined) {
    const approval = await readApprovalOf(endpoint, incidentId);
    if (!approval) throw new UsageError(`incident ${incidentId} has no approval in the ledger (ir pending lists those waiting)`);
    if (!options.json) process.stdout.write(`${renderApproval(approval).join('\n')}\n\n`);
    // An approval binds to the plan the person reviewed: a plan asked again (widened) since the notification must not be
    // approved by someone answering that notification. So approving names the hash; denying the current plan is safe.
    if (decision === 'approve') {
      throw new UsageError(`nothing is approved yet: review the plan ${options.json ? 'ir pending shows' : 'above'}, then run ir approve ${incidentId} --plan-hash ${approval.planHash}`);
    }
    planHash = approval.planHash;
  }
  const answer = await sendDecision(endpoint, { incidentId, decision, planHash, ...(reason ? { reason } : {}) });
  if (options.json) process.stdout.write(`${safeJson([answer.json], 2)}\n`);
  else if (answer.status === 200) {
    const followUp = answer.json as { evidence?: { status?: string }; resume?: { status?: string } };
    process.stdout.write(`${safeLine(`${decision === 'approve' ? 'APPROVED' : 'DENIED'}: recorded on plan ${planHash}; evidence ${followUp.evidence?.status ?? '?'}, response resumption ${followUp.resume?.status ?? '?'}.`)}\n`);
  } else {
    process.stdout.write(`${safeLine(`NOT RECORDED (${String(answer.json.reason ?? answer.status)}): ${String(answer.json.detail ?? '')}`)}\n`);
    // After the deadline no person decides: the deadline event acts or stands down, as configured.
    if (answer.json.reason === 'expired') process.stdout.write('The deadline has passed: the response acts or stands down as configured (onTimeout); the incident report says which.\n');
  }
  if (answer.status === 400) return EXIT.badInput;
  return answer.status === 200 ? EXIT.ok : EXIT.actionFailed;
}

function withApprovalOptions(command: Command): Command {
  return withAwsOptions(command, 'region of the stack (default: AWS_REGION)')
    .option('--stack <name>', 'the deployed stack whose output ApprovalDecisionUrl names the decision URL (default: as ir invoke)')
    .option('--config <file>', 'configuration JSON (default: the incidentResponse context in cdk.json)')
    .option('--url <url>', 'the decision function URL (default: the stack output)');
}

export function registerApproval(program: Command, run: Runner): void {
  withApprovalOptions(program.command('pending').description('the responses waiting for approval: their plan, plan hash and deadline (read-only)')).action((options: ApprovalOptions) =>
    run(() => pendingCommand(options)),
  );
  withApprovalOptions(
    program
      .command('approve <incident>')
      .description('approve the plan a response is waiting on, as yourself (your AWS credentials; IAM decides who may)')
      .option('--plan-hash <hash>', 'the plan hash you reviewed (ir pending; required: without it the plan is shown and nothing is approved): refused if the plan changed since')
      .option('--reason <text>', 'a note recorded with the approval'),
  )
    .addHelpText('after', '\nExit codes: 0 recorded, 1 refused (no longer waiting, already decided, plan changed, deadline passed), 2 bad input.')
    .action((incident: string, options: ApprovalOptions) => run(() => decideCommand('approve', incident, options)));
  withApprovalOptions(
    program
      .command('deny <incident>')
      .description('deny the plan a response is waiting on, as yourself: the response stands down')
      .option('--plan-hash <hash>', 'the plan hash you reviewed (ir pending): refused if the plan changed since')
      .option('--reason <text>', 'why (required; recorded with the decision)'),
  )
    .addHelpText('after', '\nExit codes: 0 recorded, 1 refused (no longer waiting, already decided, plan changed, deadline passed), 2 bad input.')
    .action((incident: string, options: ApprovalOptions) => run(() => decideCommand('deny', incident, options)));
}
