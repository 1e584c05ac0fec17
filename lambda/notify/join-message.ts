import type { LedgerRecord } from '../ledger/incident-ledger';
import type { PlanDocument } from '../plan/document';
import type { NotificationContext } from './document';
import type { NoteDocument } from './note';
import { findingNoteBase } from './finding-note';

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
 * Raw values: each rendering escapes them.
 */
export function joinNote(doc: PlanDocument, facts: JoinFacts, context: NotificationContext = {}): NoteDocument {
  const { record } = facts;
  const where = findingNoteBase(doc, context);
  return {
    outcome: 'JOINED',
    // The incident right after the outcome: it is what the reader looks up.
    headline: doc.incidentId,
    ...where,
    summary: `new finding ${doc.findingType} about ${facts.resource} in ${where.account.shown}/${doc.region ?? 'unknown region'} joined incident ${doc.incidentId}; nothing new was done`,
    details: [
      `The incident was opened by finding ${record.findingId ?? 'unknown'} and answered at ${record.respondedAt ?? 'unknown'} (${record.respondedMode ?? 'unknown'}).`,
      // Counted by the ledger's own write: a finding delivered again (or its write retried) is never counted twice.
      ...(facts.findings !== undefined ? [`The incident now holds ${facts.findings} finding${facts.findings === 1 ? '' : 's'}, this one included.`] : []),
      'This finding changed nothing: no new containment, snapshot set or isolation. `ir release` of the incident covers it too.',
    ],
    facts: [
      { label: 'Finding id', value: doc.findingId },
      { label: 'Incident id', value: doc.incidentId },
      { label: 'Incident ledger', value: `table ${facts.ledgerTable}, key pk = "${facts.ledgerKey}" (the incident and all its findings)` },
    ],
    commands: [],
    nextSteps: [],
    threadId: doc.incidentId,
  };
}
