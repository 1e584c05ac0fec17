import type { LedgerRecord } from '../ledger/incident-ledger';
import type { PlanDocument } from '../plan/document';
import { safeLine, safeSubject, untrusted as v } from '../text/untrusted';

export interface JoinFacts {
  readonly record: LedgerRecord;
  /** The resource both findings are about (lambda/ledger/incident-resource.ts). */
  readonly resource: string;
  readonly ledgerTable: string;
  readonly ledgerKey: string;
  /** The incident's findings with this one, as its join wrote them (lambda/ledger/incident-ledger.ts noteJoin); absent: not known. */
  readonly findings?: number;
}

/**
 * The short note of a new finding that joined the incident open for its
 * resource: which finding, which incident, and that nothing new was done.
 * Values of the finding and the ledger go through lambda/text/untrusted.ts,
 * as in message.ts.
 */
export function formatJoinNotification(doc: PlanDocument, facts: JoinFacts): { subject: string; message: string } {
  const { record } = facts;
  // The incident first: a subject is cut at 99 characters, and the incident is what the reader looks up.
  const subject = safeSubject(`[GuardDuty IR JOINED] ${v(doc.incidentId)}: ${v(doc.findingType)}`);
  const lines = [
    `A new GuardDuty finding about ${v(facts.resource)} joined its incident ${v(doc.incidentId)}:`,
    `${v(doc.findingType)} (severity ${v(doc.severity)}), finding id ${v(doc.findingId)}`,
    `Account ${v(doc.accountId ?? 'unknown')}, region ${v(doc.region ?? 'unknown')}`,
    '',
    `The incident was opened by finding ${v(record.findingId ?? 'unknown')} and answered at ${v(record.respondedAt ?? 'unknown')} (${v(record.respondedMode ?? 'unknown')}).`,
    // Counted by the ledger's own write: a finding delivered again (or its write retried) is never counted twice.
    ...(facts.findings !== undefined ? [`The incident now holds ${v(facts.findings)} finding${facts.findings === 1 ? '' : 's'}, this one included.`] : []),
    'This finding changed nothing: no new containment, snapshot set or isolation. `ir release` of the incident covers it too.',
    `The incident and all its findings are in the incident ledger: table ${v(facts.ledgerTable)}, key pk = "${v(facts.ledgerKey)}".`,
  ];
  return { subject, message: lines.map(safeLine).join('\n') };
}
