import type { StepReport } from '../../lambda/plan/document';
import { describeProfile } from '../../lambda/release/record';
import { releasedIncidentLine } from '../../lambda/release/close-incident';
import type { KeyReleaseReport } from '../../lambda/release/access-key';
import type { FunctionReleaseReport } from '../../lambda/release/function';
import type { ReleaseReport } from '../../lambda/release/report';
import { safePaintedLine, untrusted as v, untrustedText as t } from '../../lambda/text/untrusted';
import { paint } from './colors';

/* `ir release` for the terminal. JSON output never goes through here. Tag values read from the instance are escaped and bounded as in plan-text.ts. */

const STATUS_STYLE: Record<StepReport['status'], Parameters<typeof paint>[0]> = { done: 'green', skipped: 'yellow', failed: 'red' };

function header(report: ReleaseReport): string[] {
  const mode = report.refused ? paint('red', 'REFUSED') : report.dryRun ? paint('yellow', 'DRY-RUN (no change made)') : paint('red', 'RELEASED');
  return [`${paint('bold', 'release')} ${v(report.instanceId)}  region ${v(report.region)}`, `  mode    ${mode}`];
}

function recordLines(report: ReleaseReport): string[] {
  const record = report.record;
  if (!record) return [];
  const ledger = record.ledger;
  const source = report.recordSource === 'ledger' && ledger ? `from the ledger (${v(ledger.key)})` : report.recordSource === 'tags' ? paint('yellow', "from the instance's tags") : '';
  return [
    `  record: ${source}`.trimEnd(),
    ...record.networkInterfaces.map((r) => `    ${v(r.networkInterfaceId)}: ${t(r.groupIds.join(' '))}`),
    ...record.unusable.map((r) => `    ${v(r.networkInterfaceId)}: ${paint('red', `unusable "${v(r.value)}"`)}`),
    ...(record.instanceProfile ? [`    instance profile: ${t(describeProfile(record.instanceProfile))}`] : []),
    ...(ledger?.autoScalingGroup ? [`    Auto Scaling group: ${t(ledger.autoScalingGroup)}`] : []),
    ...(ledger ? ledger.targetGroups.map((g) => `    target group: ${t(g.targetGroupArn)} (ports ${g.ports.join(', ')})`) : []),
    ...(ledger && ledger.terminationProtection !== null ? [`    termination protection before: ${ledger.terminationProtection ? 'on' : 'off'}`] : []),
  ];
}

function evidenceLine(evidence: StepReport | null): string[] {
  if (!evidence) return [];
  if (evidence.status === 'done') return [`  evidence ${paint('green', 'kept')} ${t(evidence.detail ?? evidence.target)}`];
  if (evidence.status === 'skipped') return [`  evidence ${paint('yellow', 'not kept')}: ${t(evidence.reason)}`];
  return [`  evidence ${paint('red', 'FAILED')} ${t(evidence.target)}: ${v(evidence.error?.code)}: ${t(evidence.error?.message)}`];
}

export function finishLines(report: Pick<ReleaseReport, 'ledger' | 'notification' | 'chatNotification' | 'evidence'>): string[] {
  const lines: string[] = [];
  const { ledger, notification } = report;
  if (ledger) {
    const status = ledger.status === 'recorded' ? paint('green', ledger.closed ? 'recorded, closed' : 'recorded (still open)') : paint('red', ledger.status);
    const tail = ledger.error ? `: ${v(ledger.error.code)}: ${t(ledger.error.message)}` : ledger.detail ? `: ${t(ledger.detail)}` : '';
    lines.push(`  ledger  ${status} ${v(ledger.table)} ${v(ledger.key)}${tail}`);
    const incident = releasedIncidentLine(ledger.incident);
    if (incident !== undefined) lines.push(`  incident ${paint(ledger.incident?.status === 'failed' ? 'red' : 'green', t(incident))}`);
  }
  lines.push(...evidenceLine(report.evidence));
  for (const [label, sent] of [['notify', notification], ['chat', report.chatNotification]] as const) {
    if (!sent) continue;
    const status = sent.status === 'sent' ? paint('green', 'sent') : paint('red', 'FAILED');
    lines.push(`  ${label.padEnd(6)}  ${status} ${v(sent.topicArn)}${sent.error ? `: ${v(sent.error.code)}: ${t(sent.error.message)}` : ''}`);
  }
  return lines;
}

function readLines(report: ReleaseReport): string[] {
  const failed = report.reads.filter((r) => r.status === 'failed');
  if (report.reads.length === 0) return [];
  return [
    `  reads   ${report.reads.length - failed.length}/${report.reads.length} succeeded`,
    ...failed.map((r) => `    ${paint('red', 'failed')} ${t(r.title)} (${v(r.action)}): ${v(r.error?.code)}: ${t(r.error?.message)}`),
  ];
}

export function stepLine(step: StepReport, index: number): string {
  const status = paint(STATUS_STYLE[step.status], step.status.padEnd(7));
  const tail =
    step.status === 'failed' ? `: ${v(step.error?.code)}: ${t(step.error?.message)}` : step.status === 'skipped' ? `: ${t(step.reason)}` : step.detail ? `: ${t(step.detail)}` : '';
  return `  ${String(index + 1).padStart(2)}. ${status} ${t(step.title)} ${paint('dim', `[${v(step.action)} → ${t(step.target)}]`)}${tail}`;
}

export function renderRelease(report: ReleaseReport): string {
  if (report.refused) return [...header(report), `  ${paint('red', 'refused')} ${t(report.refused)}`, ...readLines(report), ...recordLines(report)].map(safePaintedLine).join('\n');
  const { done, skipped, failed } = report.summary;
  return [
    ...header(report),
    ...readLines(report),
    ...recordLines(report),
    '  steps:',
    ...report.steps.map(stepLine),
    ...(report.warnings.length > 0 ? ['  warnings:', ...report.warnings.map((w) => `    ${paint('yellow', '!')} ${t(w)}`)] : []),
    `  result  ${paint('green', `${done} done`)}, ${paint('yellow', `${skipped} skipped`)}, ${paint(failed > 0 ? 'red' : 'dim', `${failed} failed`)}`,
    ...finishLines(report),
  ].map(safePaintedLine).join('\n');
}

/** `ir release --access-key` for the terminal. */
export function renderKeyRelease(report: KeyReleaseReport): string {
  const mode = report.refused ? paint('red', 'REFUSED') : report.dryRun ? paint('yellow', 'DRY-RUN (no change made)') : paint('red', 'RELEASED');
  const head = [`${paint('bold', 'release')} access key ${v(report.accessKeyId)}`, `  mode    ${mode}`];
  if (report.refused) return [...head, `  ${paint('red', 'refused')} ${t(report.refused)}`].map(safePaintedLine).join('\n');
  const record = report.record;
  const { done, skipped, failed } = report.summary;
  return [
    ...head,
    `  record: from the ledger (${v(report.key)})`,
    ...(record?.accessKey ? [`    key of ${t(record.accessKey.userName)}, ${v(record.accessKey.status)} before the response`] : []),
    ...(record?.sessionPolicies ?? []).map((p) => `    ${v(p.principal.kind)} ${t(p.principal.name)}: ${p.previousDocument === null ? 'no revoke policy before' : 'had a revoke policy before'}`),
    '  steps:',
    ...report.steps.map(stepLine),
    ...(report.warnings.length > 0 ? ['  warnings:', ...report.warnings.map((w) => `    ${paint('yellow', '!')} ${t(w)}`)] : []),
    `  result  ${paint('green', `${done} done`)}, ${paint('yellow', `${skipped} skipped`)}, ${paint(failed > 0 ? 'red' : 'dim', `${failed} failed`)}`,
    ...finishLines(report),
  ].map(safePaintedLine).join('\n');
}

export function renderFunctionRelease(report: FunctionReleaseReport): string {
  const mode = report.refused ? paint('red', 'REFUSED') : report.dryRun ? paint('yellow', 'DRY-RUN (no change made)') : paint('red', 'RELEASED');
  const head = [`${paint('bold', 'release')} Lambda function ${v(report.functionName)} (${v(report.region)})`, `  mode    ${mode}`];
  if (report.refused) return [...head, `  ${paint('red', 'refused')} ${t(report.refused)}`].map(safePaintedLine).join('\n');
  const record = report.record;
  const concurrency = record?.functionConcurrency;
  const { done, skipped, failed } = report.summary;
  return [
    ...head,
    `  record: from the ledger (${v(report.key)})`,
    ...(concurrency ? [`    concurrency ${concurrency.reserved === null ? 'unreserved' : `reserved ${v(String(concurrency.reserved))}`} before the response`] : []),
    ...(record?.sessionPolicies ?? []).map((p) => `    ${v(p.principal.kind)} ${t(p.principal.name)}: ${p.previousDocument === null ? 'no revoke policy before' : 'had a revoke policy before'}`),
    '  steps:',
    ...report.steps.map(stepLine),
    ...(report.warnings.length > 0 ? ['  warnings:', ...report.warnings.map((w) => `    ${paint('yellow', '!')} ${t(w)}`)] : []),
    `  result  ${paint('green', `${done} done`)}, ${paint('yellow', `${skipped} skipped`)}, ${paint(failed > 0 ? 'red' : 'dim', `${failed} failed`)}`,
    ...finishLines(report),
  ].map(safePaintedLine).join('\n');
}
