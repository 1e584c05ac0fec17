import type { StepReport } from '../../lambda/plan/document';
import { describeProfile } from '../../lambda/release/record';
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
  return [
    '  record:',
    ...record.networkInterfaces.map((r) => `    ${v(r.networkInterfaceId)}: ${t(r.groupIds.join(' '))}`),
    ...record.unusable.map((r) => `    ${v(r.networkInterfaceId)}: ${paint('red', `unusable "${v(r.value)}"`)}`),
    ...(record.instanceProfile ? [`    instance profile: ${t(describeProfile(record.instanceProfile))}`] : []),
  ];
}

function readLines(report: ReleaseReport): string[] {
  const failed = report.reads.filter((r) => r.status === 'failed');
  if (report.reads.length === 0) return [];
  return [
    `  reads   ${report.reads.length - failed.length}/${report.reads.length} succeeded`,
    ...failed.map((r) => `    ${paint('red', 'failed')} ${t(r.title)} (${v(r.action)}): ${v(r.error?.code)}: ${t(r.error?.message)}`),
  ];
}

function stepLine(step: StepReport, index: number): string {
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
  ].map(safePaintedLine).join('\n');
}
