import type { PlanDocument } from '../plan/document';
import type { LedgerRecord } from '../ledger/incident-ledger';
import type { NotificationContext } from './document';
import { findingNoteBase } from './finding-note';
import type { NoteDocument } from './note';
import { renderNoteEmail } from './note-email';

export interface RepeatFacts {
  readonly record: LedgerRecord;
  /** The finding's count on this delivery (service.count). */
  readonly count: number;
  readonly ledgerTable: string;
  readonly ledgerKey: string;
}

/**
 * The short note a later delivery sends when GuardDuty's count of the
 * finding grew: the incident is the same, nothing new was done. Raw values:
 * each rendering escapes them (lambda/notify/note-email.ts, note-chat.ts).
 */
export function repeatNote(doc: PlanDocument, facts: RepeatFacts, context: NotificationContext = {}): NoteDocument {
  const { record } = facts;
  const where = findingNoteBase(doc, context);
  const answered = record.respondedAt
    ? `It was answered at ${record.respondedAt} (${record.respondedMode ?? 'unknown'}) by the first delivery.`
    : 'Another delivery of it is being answered right now.';
  const who = where.resource?.label ?? doc.findingType;
  return {
    outcome: 'REPEAT',
    headline: `seen ${facts.count} times`,
    ...where,
    summary: `${who} in ${where.account.shown}/${doc.region ?? 'unknown region'}: ${doc.findingType} occurred again, seen ${facts.count} times now (${record.notifiedCount} when last reported); nothing new was done`,
    details: [`${answered} This delivery changed nothing.`],
    facts: [
      { label: 'Finding id', value: doc.findingId },
      { label: 'Incident id', value: doc.incidentId },
      { label: 'Incident ledger', value: `table ${facts.ledgerTable}, key pk = "${facts.ledgerKey}" (the plan and every step's outcome)` },
    ],
    commands: [],
    nextSteps: [],
    threadId: doc.incidentId,
  };
}

/** The note as email text. */
export function formatRepeatNotification(doc: PlanDocument, facts: RepeatFacts, context?: NotificationContext): { subject: string; message: string } {
  return renderNoteEmail(repeatNote(doc, facts, context));
}
