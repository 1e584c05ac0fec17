import { EXEMPTION_VERDICTS } from '../guards/exemptions';
import { confirmationVerdict } from '../confirm/verdicts';
import { describeEvidence } from '../investigation/evidence-text';
import { BLAST_RADIUS_BRAKE } from '../ledger/verdicts';
import type { PlanDocument } from '../plan/document';
import { exposedBy } from '../plan/exposed';
import { PHASE_OUT_OF_TIME_VERDICTS, phasesOutOfTime } from '../plan/phase-verdicts';
import type { StepOutcome } from '../plan/types';
import { safeLine, safeSubject, untrusted as v, untrustedText as t } from '../text/untrusted';

/*
 * Every value that came from the finding or a resource goes through
 * lambda/text/untrusted.ts on its way in (`v` for a value, `t` for a composed
 * text), and every line once more as a whole: no value can start a line of
 * its own or forge a step, and no line grows past LINE_LIMIT.
 */

const MARKS: Record<StepOutcome['status'], string> = { done: 'DONE   ', skipped: 'SKIPPED', failed: 'FAILED ' };

/** The subject says what people most need to know first: an exemption or the brake kept the responder from acting. */
function modeOf(doc: PlanDocument, outcomes: readonly StepOutcome[]): string {
  if (doc.blockedBy.includes(BLAST_RADIUS_BRAKE)) return 'BRAKE ON - NOT CONTAINED';
  if (doc.blockedBy.some((id) => EXEMPTION_VERDICTS.includes(id))) return 'EXEMPT - NOT CONTAINED';
  // Which phase ran out of time before any change (lambda/plan/pre-plan-budget.ts): the invocation fails and is retried.
  const late = phasesOutOfTime(doc.blockedBy);
  if (late.length > 0) return `OUT OF TIME ${late.join(' ')}`;
  if (doc.blockedBy.length > 0) return 'PLAN ONLY';
  return outcomes.some((o) => o.status === 'failed') ? 'PARTIAL' : 'DONE';
}

/** SNS subjects: ASCII, no line breaks, under 100 characters (safeSubject holds that for any finding type). */
export function subjectOf(doc: PlanDocument, outcomes: readonly StepOutcome[]): string {
  const exposed = exposedBy(outcomes);
  // What is left open comes first: a long subject is cut at the end, and this is the part that must be read.
  if (exposed.length > 0) {
    return safeSubject(`[GuardDuty IR MORE EXPOSED THAN BEFORE] ${exposed.map((id) => v(id)).join(' ')} left open: ${doc.playbook}: ${v(doc.findingType)}`);
  }
  return safeSubject(`[GuardDuty IR ${modeOf(doc, outcomes)}] ${doc.playbook}${failedNames(outcomes)}: ${v(doc.findingType)} sev ${v(doc.severity)}`);
}

/**
 * A change that could not be made is named in the subject, before the finding
 * (a long subject is cut at the end): the step's id up to its target
 * (`deregister:<arn>` is `deregister`), each name once. Failed read-only
 * steps (an investigation) are in the message, not the subject.
 */
function failedNames(outcomes: readonly StepOutcome[]): string {
  const names = [...new Set(outcomes.filter((o) => o.status === 'failed' && o.mutating).map((o) => o.id.split(':')[0]!))];
  return names.length === 0 ? '' : ` FAILED ${names.map((name) => v(name)).join(' ')}`;
}

function outcomeLine(o: StepOutcome): string {
  const tail =
    o.status === 'failed'
      ? ` -- ${v(o.error?.code)}: ${t(o.error?.message)}`
      : o.status === 'skipped'
        ? ` -- ${t(o.reason)}`
        : o.detail
          ? ` -- ${t(o.detail)}`
          : '';
  return `  ${MARKS[o.status]} ${t(o.title)} [${v(o.action)} on ${t(o.target)}]${tail}`;
}

/** What people must not miss, on the first line: an instance left more open, the brake (a flood is going unanswered), an exemption. */
function leadLines(doc: PlanDocument, outcomes: readonly StepOutcome[]): string[] {
  const exposed = exposedBy(outcomes);
  if (exposed.length > 0) {
    return [
      `MORE EXPOSED THAN BEFORE: ${exposed.map((id) => v(id)).join(', ')} could be neither isolated nor returned to their own security groups, and may be on the ` +
        'allow-all untrack group (all traffic from and to anywhere). The invocation fails so that it is retried; move them by hand now if it is not.',
      '',
    ];
  }
  const brake = doc.guards.find((g) => g.id === BLAST_RADIUS_BRAKE && g.blocks);
  if (brake) return [`BLAST-RADIUS BRAKE IS ON: this ${doc.playbook} response was planned but NOT executed. ${t(brake.reason)}`, ''];
  const exemption = doc.guards.find((g) => EXEMPTION_VERDICTS.includes(g.id) && g.blocks);
  if (exemption) return [`EXEMPT: this ${doc.playbook} response was planned but NOT executed. ${t(exemption.reason)}`, ''];
  const late = doc.guards.filter((g) => PHASE_OUT_OF_TIME_VERDICTS.has(g.id) && g.blocks);
  if (late.length > 0) return [`OUT OF TIME: this ${doc.playbook} response was planned but NOT executed. ${late.map((g) => `${g.id}: ${t(g.reason)}`).join(' ')}`, ''];
  return [];
}

/** The text the security team reads in the email: what was found, what was done, what was not. */
export function formatNotification(doc: PlanDocument, outcomes: readonly StepOutcome[]): { subject: string; message: string } {
  const confirmation = confirmationVerdict(doc.guards);
  const lines = [
    ...leadLines(doc, outcomes),
    `GuardDuty finding ${v(doc.findingType)} (severity ${v(doc.severity)})`,
    `Account ${v(doc.accountId ?? 'unknown')}, region ${v(doc.region ?? 'unknown')}`,
    `Finding id: ${v(doc.findingId)}`,
    `Incident id: ${v(doc.incidentId)}`,
    `Playbook: ${doc.playbook} (rule ${v(doc.route.ruleId)}: ${t(doc.route.why)})`,
    // Whether GuardDuty itself holds this finding (lambda/confirm/): stated on every response that could act, confirmed or not.
    ...(confirmation ? [`GuardDuty confirmation: ${t(confirmation.reason)}`] : []),
    '',
  ];
  if (doc.blockedBy.length > 0) {
    lines.push('NO CHANGES WERE MADE. The plan below was not executed because:');
    for (const verdict of doc.guards.filter((g) => g.blocks)) lines.push(`  - ${v(verdict.id)}: ${t(verdict.reason)}`);
    lines.push('');
  }
  const failedReads = doc.reads.filter((r) => r.status === 'failed');
  if (failedReads.length > 0) {
    lines.push('Reads that failed:');
    lines.push(...failedReads.map(outcomeLine), '');
  }
  if (outcomes.length > 0) {
    lines.push('Steps:');
    lines.push(...outcomes.map(outcomeLine), '');
  } else {
    lines.push('No automated action applies to this finding.', '');
  }
  const evidence = outcomes.flatMap((o) => (o.evidence ? describeEvidence(o.evidence, 'full') : []));
  if (evidence.length > 0) {
    lines.push('Investigation (read-only, what the steps above found):');
    lines.push(...evidence.map((line) => `  ${t(line)}`), '');
  }
  if (doc.warnings.length > 0) {
    lines.push('Warnings:');
    lines.push(...doc.warnings.slice(0, WARNINGS_SHOWN).map((w) => `  - ${t(w)}`));
    if (doc.warnings.length > WARNINGS_SHOWN) lines.push(`  - and ${doc.warnings.length - WARNINGS_SHOWN} more warnings: see the report (evidence bucket, incident ledger)`);
    lines.push('');
  }
  return { subject: subjectOf(doc, outcomes), message: withinMessageLimit(lines.map(safeLine)) };
}

/*
 * SNS refuses a message over 256 KiB, and then the team hears nothing. What
 * makes a message long can be the attacker's doing (hundreds of security
 * groups tagged as the responder's, each rejected with a warning), so the
 * message is bounded: at most WARNINGS_SHOWN warnings, and lines past
 * MESSAGE_LIMIT_BYTES are cut with a line saying so. The full report is
 * kept in the evidence bucket and the ledger.
 */
export const WARNINGS_SHOWN = 25;
export const MESSAGE_LIMIT_BYTES = 200 * 1024;

function withinMessageLimit(lines: readonly string[]): string {
  const kept: string[] = [];
  let bytes = 0;
  for (const [index, line] of lines.entries()) {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (bytes + size > MESSAGE_LIMIT_BYTES) {
      kept.push(`CUT: ${lines.length - index} more lines are left out to keep the message within SNS's size limit: see the report (evidence bucket, incident ledger)`);
      break;
    }
    kept.push(line);
    bytes += size;
  }
  return kept.join('\n');
}
