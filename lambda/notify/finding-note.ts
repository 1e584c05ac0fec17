import type { PlanDocument } from '../plan/document';
import { accountOf, linksOf, resourceFromReport, type NotificationContext } from './document';
import type { NoteDocument } from './note';
import { primaryResourceOf } from './resources';
import { severityOf } from './severity';

/** What every note about a finding (REPEAT, JOINED) says of it: its severity, playbook, ids, account, region, resource and console links. */
export type FindingNoteBase = Pick<NoteDocument, 'severity' | 'playbook' | 'findingType' | 'findingId' | 'incidentId' | 'account' | 'region' | 'resource' | 'links'>;

export function findingNoteBase(doc: PlanDocument, context: NotificationContext): FindingNoteBase {
  const resource = (context.finding ? primaryResourceOf(context.finding) : undefined) ?? resourceFromReport(doc);
  return {
    severity: severityOf(doc.severity),
    playbook: doc.playbook,
    findingType: doc.findingType,
    findingId: doc.findingId,
    incidentId: doc.incidentId,
    account: accountOf(doc, context),
    region: doc.region,
    ...(resource ? { resource } : {}),
    links: linksOf(doc, context.finding, resource),
  };
}
