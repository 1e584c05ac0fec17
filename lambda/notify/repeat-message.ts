import type { PlanDocument } from '../plan/document';
import type { LedgerRecord } from '../ledger/incident-ledger';

const SUBJECT_LIMIT = 100;

export interface RepeatFacts {
  readonly record: LedgerRecord;
  /** The finding's count on this delivery (service.count). */
  readonly count: number;
  readonly ledgerTable: string;
  readonly ledgerKey: string;
}

/**
 * The short note a later delivery sends when GuardDuty's count of the
 * finding grew: the incident is the same, nothing new was done.
 */
export function formatRepeatNotification(doc: PlanDocument, facts: RepeatFacts): { subject: string; message: string } {
  const { record } = facts;
  const answered = record.respondedAt
    ? `It was answered at ${record.respondedAt} (${record.respondedMode}) by the first delivery.`
    : 'Another delivery of it is being answered right now.';
  const subject = `[GuardDuty IR REPEAT] ${doc.playbook}: ${doc.findingType} seen ${facts.count} times`.replace(/[^\x20-\x7e]/g, '?');
  const lines = [
    `GuardDuty finding ${doc.findingType} (severity ${doc.severity}) occurred again: seen ${facts.count} times now, ${record.notifiedCount} when last reported.`,
    `Account ${doc.accountId ?? 'unknown'}, region ${doc.region ?? 'unknown'}`,
    `Finding id: ${doc.findingId}`,
    `Incident id: ${doc.incidentId}`,
    '',
    `${answered} This delivery changed nothing.`,
    `The plan and every step's outcome are in the incident ledger: table ${facts.ledgerTable}, key pk = "${facts.ledgerKey}".`,
  ];
  return { subject: subject.length > SUBJECT_LIMIT ? `${subject.slice(0, SUBJECT_LIMIT - 3)}...` : subject, message: lines.join('\n') };
}
