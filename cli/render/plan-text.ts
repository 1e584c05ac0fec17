import type { ApprovalMode } from '../../lambda/approval/types';
import { confirmationVerdict, isConfirmed } from '../../lambda/confirm/verdicts';
import { describeEvidence } from '../../lambda/investigation/evidence-text';
import type { PlanDocument, Report, StepDocument, StepReport } from '../../lambda/plan/document';
import type { StepOutcome } from '../../lambda/plan/types';
import { safePaintedLine, untrusted as v, untrustedText as t } from '../../lambda/text/untrusted';
import { paint } from './colors';

/*
 * Human-readable plans and reports for the terminal. JSON output never goes
 * through here. Values of the finding and of resources are escaped and
 * bounded (lambda/text/untrusted.ts: `v` a value, `t` a composed text) before
 * they are painted, and every line begins with text of ours, so no value can
 * start a line, forge a step or send its own terminal escape sequence.
 */

function header(doc: PlanDocument): string[] {
  const mode = doc.blockedBy.length > 0 ? paint('yellow', 'PLAN ONLY') : paint('red', 'WILL ACT');
  return [
    `finding ${paint('bold', v(doc.findingType))}  severity ${v(doc.severity)}  ${paint('dim', v(doc.findingId))}`,
    `  account ${v(doc.accountId ?? 'unknown')}  region ${v(doc.region ?? 'unknown')}  incident ${v(doc.incidentId)}`,
    `  route   ${paint('cyan', doc.playbook)} (${v(doc.route.ruleId)}: ${t(doc.route.why)})`,
    `  mode    ${mode}${doc.offline ? paint('dim', '  (offline: planned from the finding alone)') : ''}`,
    ...confirmationLine(doc),
  ];
}

/** Whether GuardDuty confirmed the finding: on every plan of a playbook that could act. */
function confirmationLine(doc: PlanDocument): string[] {
  const verdict = confirmationVerdict(doc.guards);
  if (!verdict) return [];
  const confirmed = isConfirmed(verdict);
  return [`  guardduty ${paint(confirmed ? 'green' : 'yellow', confirmed ? 'confirmed' : 'NOT confirmed')}: ${t(verdict.reason)}`];
}

function guardLines(doc: PlanDocument): string[] {
  const blocking = doc.guards.filter((g) => g.blocks);
  if (blocking.length === 0) return [`  guards  ${paint('green', 'all passed')}`];
  return ['  guards  blocked by:', ...blocking.map((g) => `    ${paint('yellow', v(g.id))}: ${t(g.reason)}`)];
}

function readLines(reads: readonly StepOutcome[]): string[] {
  const failed = reads.filter((r) => r.status === 'failed');
  if (reads.length === 0) return [];
  return [
    `  reads   ${reads.length - failed.length}/${reads.length} succeeded`,
    ...failed.map((r) => `    ${paint('red', 'failed')} ${t(r.title)} (${v(r.action)}): ${v(r.error?.code)}: ${t(r.error?.message)}`),
  ];
}

const APPROVAL_STYLE: Record<ApprovalMode, Parameters<typeof paint>[0]> = { auto: 'green', approve: 'yellow', never: 'red' };

/** Which rule of the approval policy decided the step, and what it decided (lambda/approval/): only on changes it governs. */
function approvalTag(step: StepDocument): string {
  if (!step.approval) return '';
  return `  ${paint(APPROVAL_STYLE[step.approval.mode], step.approval.mode)} ${paint('dim', `(rule ${v(step.approval.ruleId)})`)}`;
}

function stepLine(step: StepDocument, index: number): string {
  const kind = step.mutating ? paint('magenta', 'change') : paint('dim', 'read  ');
  return `  ${String(index + 1).padStart(2)}. ${kind} ${t(step.title)} ${paint('dim', `[${v(step.action)} → ${t(step.target)}]`)}${approvalTag(step)}`;
}

const STATUS_STYLE: Record<StepReport['status'], Parameters<typeof paint>[0]> = { done: 'green', skipped: 'yellow', failed: 'red' };

/** The step, then what it found (investigation steps), one compact line each. */
function reportLines(step: StepReport, index: number): string[] {
  const status = paint(STATUS_STYLE[step.status], step.status.padEnd(7));
  const tail =
    step.status === 'failed'
      ? `: ${v(step.error?.code)}: ${t(step.error?.message)}`
      : step.status === 'skipped'
        ? `: ${t(step.reason)}`
        : step.detail
          ? `: ${t(step.detail)}`
          : '';
  const line = `  ${String(index + 1).padStart(2)}. ${status} ${t(step.title)} ${paint('dim', `[${v(step.action)} → ${t(step.target)}]`)}${approvalTag(step)}${tail}`;
  const found = step.evidence ? describeEvidence(step.evidence, 'compact').map((e) => `        ${paint('cyan', 'found')} ${t(e)}`) : [];
  return [line, ...found];
}

function warningLines(doc: PlanDocument): string[] {
  return doc.warnings.length === 0 ? [] : ['  warnings:', ...doc.warnings.map((w) => `    ${paint('yellow', '!')} ${t(w)}`)];
}

/** Every line once more as a whole (our colours kept): none can hold a line break, none grows past LINE_LIMIT. */
function joined(lines: readonly string[]): string {
  return lines.map(safePaintedLine).join('\n');
}

export function renderPlan(doc: PlanDocument): string {
  return joined([...header(doc), ...guardLines(doc), ...readLines(doc.reads), '  steps:', ...doc.steps.map(stepLine), ...warningLines(doc)]);
}

export function renderReport(report: Report): string {
  const { done, skipped, failed } = report.summary;
  const summary = `  result  ${paint('green', `${done} done`)}, ${paint('yellow', `${skipped} skipped`)}, ${paint(failed > 0 ? 'red' : 'dim', `${failed} failed`)}`;
  return joined([...header(report), ...guardLines(report), ...readLines(report.reads), '  steps:', ...report.steps.flatMap(reportLines), ...warningLines(report), summary, ...ledgerLines(report)]);
}

/** Where the Lambda recorded the response (ir invoke): recorded, NOT recorded, or superseded by another delivery's outcome. */
function ledgerLines(report: Report): string[] {
  const { ledger } = report;
  if (!ledger) return [];
  const where = `${v(ledger.table)} ${v(ledger.key)}`;
  if (ledger.recorded) return [`  ledger  ${paint('green', 'recorded')} ${where}`];
  if (ledger.superseded) {
    return [`  ledger  ${paint('red', 'SUPERSEDED')} ${where}: another delivery took the incident's claim over first; the ledger holds its outcome, not this one`];
  }
  return [`  ledger  ${paint('red', 'NOT recorded')} ${where}${ledger.error ? `: ${v(ledger.error.code)}: ${v(ledger.error.message)}` : ''}`];
}
