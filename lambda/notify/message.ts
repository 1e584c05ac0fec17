import { confirmationVerdict } from '../confirm/verdicts';
import { describeEvidence } from '../investigation/evidence-text';
import { BLAST_RADIUS_BRAKE } from '../ledger/verdicts';
import type { PlanDocument } from '../plan/document';
import type { StepOutcome } from '../plan/types';

const SUBJECT_LIMIT = 100;

const MARKS: Record<StepOutcome['status'], string> = { done: 'DONE   ', skipped: 'SKIPPED', failed: 'FAILED ' };

function subjectOf(doc: PlanDocument, outcomes: readonly StepOutcome[]): string {
  const failed = outcomes.some((o) => o.status === 'failed');
  const brake = doc.blockedBy.includes(BLAST_RADIUS_BRAKE);
  const mode = brake ? 'BRAKE ON - NOT CONTAINED' : doc.blockedBy.length > 0 ? 'PLAN ONLY' : failed ? 'PARTIAL' : 'DONE';
  const subject = `[GuardDuty IR ${mode}] ${doc.playbook}: ${doc.findingType} sev ${doc.severity}`;
  // SNS subjects: ASCII, no line breaks, at most 100 characters.
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > SUBJECT_LIMIT ? `${ascii.slice(0, SUBJECT_LIMIT - 3)}...` : ascii;
}

function outcomeLine(o: StepOutcome): string {
  const tail =
    o.status === 'failed' ? ` -- ${o.error?.code}: ${o.error?.message}` : o.status === 'skipped' ? ` -- ${o.reason}` : o.detail ? ` -- ${o.detail}` : '';
  return `  ${MARKS[o.status]} ${o.title} [${o.action} on ${o.target}]${tail}`;
}

/** The text the security team reads in the email: what was found, what was done, what was not. */
export function formatNotification(doc: PlanDocument, outcomes: readonly StepOutcome[]): { subject: string; message: string } {
  const brake = doc.guards.find((g) => g.id === BLAST_RADIUS_BRAKE && g.blocks);
  const confirmation = confirmationVerdict(doc.guards);
  const lines = [
    // The brake is the one refusal people must not miss: a flood of findings is going unanswered.
    ...(brake ? [`BLAST-RADIUS BRAKE IS ON: this ${doc.playbook} response was planned but NOT executed. ${brake.reason}`, ''] : []),
    `GuardDuty finding ${doc.findingType} (severity ${doc.severity})`,
    `Account ${doc.accountId ?? 'unknown'}, region ${doc.region ?? 'unknown'}`,
    `Finding id: ${doc.findingId}`,
    `Incident id: ${doc.incidentId}`,
    `Playbook: ${doc.playbook} (rule ${doc.route.ruleId}: ${doc.route.why})`,
    // Whether GuardDuty itself holds this finding (lambda/confirm/): stated on every response that could act, confirmed or not.
    ...(confirmation ? [`GuardDuty confirmation: ${confirmation.reason}`] : []),
    '',
  ];
  if (doc.blockedBy.length > 0) {
    lines.push('NO CHANGES WERE MADE. The plan below was not executed because:');
    for (const verdict of doc.guards.filter((g) => g.blocks)) lines.push(`  - ${verdict.id}: ${verdict.reason}`);
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
    lines.push(...evidence.map((line) => `  ${line}`), '');
  }
  if (doc.warnings.length > 0) {
    lines.push('Warnings:');
    lines.push(...doc.warnings.map((w) => `  - ${w}`), '');
  }
  return { subject: subjectOf(doc, outcomes), message: lines.join('\n') };
}
