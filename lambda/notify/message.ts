import type { PlanDocument } from '../plan/document';
import type { StepOutcome } from '../plan/types';
import { safeLine, safeSubject, untrusted as v, untrustedText as t } from '../text/untrusted';
import { buildNotificationDocument, type NotificationContext, type NotificationDocument, type StepLine } from './document';
import type { Fact } from './resources';
import { subjectOfDocument } from './subject';

/*
 * The email: the notification document (lambda/notify/document.ts) as plain
 * text. Every value that came from the finding or a resource goes through
 * lambda/text/untrusted.ts on its way in (`v` for a value, `t` for a composed
 * text), and every line once more as a whole: no value can start a line of
 * its own or forge a step, and no line grows past LINE_LIMIT.
 *
 * The order is the order people need it in: the one-line summary (and what
 * must not be missed), what the finding says, the resource, what changed,
 * every step in plan order, what could not be done and what a person must
 * do next, and the console links.
 */

const MARKS: Record<StepOutcome['status'], string> = { done: 'DONE   ', skipped: 'SKIPPED', failed: 'FAILED ' };

/** SNS subjects: ASCII, no line breaks, under 100 characters; the outcome and the severity always in it (lambda/notify/subject.ts). */
export function subjectOf(doc: PlanDocument, outcomes: readonly StepOutcome[], context?: NotificationContext): string {
  return safeSubject(subjectOfDocument(buildNotificationDocument(doc, outcomes, context)));
}

function stepText(s: StepLine): string {
  return `  ${MARKS[s.status]} ${t(s.title)} [${v(s.action)} on ${t(s.target)}]${s.note ? ` -- ${t(s.note)}` : ''}`;
}

function factLines(facts: readonly Fact[], indent: string): string[] {
  return facts.map((f) => `${indent}${v(f.label)}: ${t(f.value)}`);
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length > 0 ? [title, ...lines, ''] : [];
}

/** The text the security team reads in the email. */
export function renderEmail(n: NotificationDocument): { subject: string; message: string } {
  const account = n.account.alias ? `${v(n.account.alias)} (${v(n.account.id ?? 'unknown')})` : v(n.account.shown);
  const lines = [
    // What must not be missed (left more exposed, the brake, an exemption) comes before everything, the summary right after.
    ...(n.lead ? [t(n.lead)] : []),
    `Summary: ${t(n.summary)}`,
    '',
    'What GuardDuty found',
    `  Type: ${v(n.findingType)}, severity ${n.severity.text}`,
    ...(n.finding.title ? [`  Title: ${t(n.finding.title)}`] : []),
    ...(n.finding.description ? [`  Description: ${t(n.finding.description)}`] : []),
    ...factLines(n.finding.facts, '  '),
    `  Account: ${account}, region ${v(n.region ?? 'unknown')}`,
    `  Finding id: ${v(n.findingId)}`,
    `  Incident id: ${v(n.incidentId)}`,
    `  Playbook: ${n.playbook} (rule ${v(n.route.ruleId)}: ${t(n.route.why)})`,
    // Whether GuardDuty itself holds this finding (lambda/confirm/): stated on every response that could act, confirmed or not.
    ...(n.confirmation ? [`  GuardDuty confirmation: ${t(n.confirmation)}`] : []),
    '',
    ...section(
      'Resource',
      n.resources.flatMap((r) => [`  ${t(r.heading)}`, ...factLines(r.facts, '    ')]),
    ),
    ...(n.blocked.length > 0
      ? [
          // Blocked after moves sent beside the checks (contain-instance's early move): they are in "What changed", with their undo. Or an
          // interface found on the allow-all group was closed on the isolation group: a failed step (its own groups unknown), not a change done.
          n.changes.length > 0 || n.outcome === 'ISOLATED - OWN GROUPS UNKNOWN'
            ? 'THE PLAN WAS STOPPED: the only moves made were those sent before the checks answered and their undo, or the close of an interface left on the allow-all group (What changed, Could not be done). It stopped because:'
            : 'NO CHANGES WERE MADE. The plan below was not executed because:',
          ...n.blocked.map((b) => `  - ${v(b.id)}: ${t(b.reason)}`),
          '',
        ]
      : []),
    ...section('What changed', n.changes.length > 0 ? n.changes.map((c) => `  - ${t(c)}`) : n.steps.length > 0 ? ['  Nothing was changed.'] : []),
    ...section('Reads that failed:', n.failedReads.map(stepText)),
    ...(n.steps.length > 0 ? ['Steps (in plan order):', ...n.steps.map(stepText), ''] : ['No automated action applies to this finding.', '']),
    ...section('Investigation (read-only, what the steps above found):', n.investigation.map((line) => `  ${t(line)}`)),
    ...section('Could not be done', n.couldNotDo.map((c) => `  - ${t(c)}`)),
    ...section('What a person must do next', n.nextSteps.map((s) => `  - ${t(s)}`)),
    // Our own signed links (lambda/approval/link.ts): opening one shows the plan and asks to confirm; it decides nothing by itself.
    ...section(
      `Decide on plan ${n.approvalRequest?.planHash ?? ''} (single-use links, valid until the deadline; opening one shows the plan and asks to confirm):`,
      n.approvalRequest?.links ? [`  Approve: ${v(n.approvalRequest.links.approve, 2048)}`, `  Deny: ${v(n.approvalRequest.links.deny, 2048)}`] : [],
    ),
    ...section('Links', n.links.map((l) => `  ${t(l.label)}: ${v(l.url, 2048)}`)),
    ...section('Warnings:', [
      ...n.warnings.slice(0, WARNINGS_SHOWN).map((w) => `  - ${t(w)}`),
      ...(n.warnings.length > WARNINGS_SHOWN ? [`  - and ${n.warnings.length - WARNINGS_SHOWN} more warnings: see the report (evidence bucket, incident ledger)`] : []),
    ]),
  ];
  return { subject: safeSubject(subjectOfDocument(n)), message: withinMessageLimit(lines.map(safeLine)) };
}

/** The email of a response: its notification document, rendered as text. */
export function formatNotification(doc: PlanDocument, outcomes: readonly StepOutcome[], context?: NotificationContext): { subject: string; message: string } {
  return renderEmail(buildNotificationDocument(doc, outcomes, context));
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
