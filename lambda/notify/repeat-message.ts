import type { PlanDocument } from '../plan/document';
import type { LedgerRecord } from '../ledger/incident-ledger';
import { safeLine, safeSubject, untrusted as v } from '../text/untrusted';

export interface RepeatFacts {
  readonly record: LedgerRecord;
  /** The finding's count on this delivery (service.count). */
  readonly count: number;
  readonly ledgerTable: string;
  readonly ledgerKey: string;
}

/**
 * The short note a later delivery sends when GuardDuty's count of the
 * finding grew: the incident is the same, nothing new was done. Values of
 * the finding and the ledger go through lambda/text/untrusted.ts, as in
 * message.ts.
 */
export function formatRepeatNotification(doc: PlanDocument, facts: RepeatFacts): { subject: string; message: string } {
  const { record } = facts;
  const answered = record.respondedAt
    ? `It was answered at ${v(record.respondedAt)} (${v(record.respondedMode)}) by the first delivery.`
    : 'Another delivery of it is being answered right now.';
  const subject = safeSubject(`[GuardDuty IR REPEAT] ${doc.playbook}: ${v(doc.findingType)} seen ${v(facts.count)} times`);
  const lines = [
    `GuardDuty finding ${v(doc.findingType)} (severity ${v(doc.severity)}) occurred again: seen ${v(facts.count)} times now, ${v(record.notifiedCount)} when last reported.`,
    `Account ${v(doc.accountId ?? 'unknown')}, region ${v(doc.region ?? 'unknown')}`,
    `Finding id: ${v(doc.findingId)}`,
    `Incident id: ${v(doc.incidentId)}`,
    '',
    `${answered} This delivery changed nothing.`,
    `The plan and every step's outcome are in the incident ledger: table ${v(facts.ledgerTable)}, key pk = "${v(facts.ledgerKey)}".`,
  ];
  return { subject, message: lines.map(safeLine).join('\n') };
}
