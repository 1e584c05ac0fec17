import type { PlaybookName } from '../routing/playbook-names';
import type { Containment } from './containment';

/*
 * The note the analysts read on the finding in Security Hub: the incident
 * id (the key of the ledger, the evidence and the notification) and what the
 * response came to. Only our own words and ids the responder checked (step
 * ids, AWS error codes): nothing the finding carries.
 */

/** Security Hub's limit on Note.Text. */
export const NOTE_TEXT_LIMIT = 512;

/** Who the note is from (Note.UpdatedBy). */
export function noteAuthorOf(playbook: PlaybookName): string {
  return `guardduty-incident-response/${playbook}`;
}

function outcomePhrase(playbook: PlaybookName, containment: Containment): string {
  if (containment.acted && containment.complete) return 'every change done';
  if (containment.acted) return 'PARTIAL, not every change could be made';
  if (containment.failed > 0) return 'FAILED, no change was made';
  if (playbook === 'notify') return 'reported to the security team, no automated change applies';
  return 'no change was needed';
}

function list(label: string, items: readonly string[]): string {
  return items.length === 0 ? '' : `; ${label}: ${items.join(', ')}`;
}

export function noteTextOf(input: { readonly incidentId: string; readonly playbook: PlaybookName; readonly containment: Containment }): string {
  const { incidentId, playbook, containment } = input;
  const text =
    `GuardDuty incident response, incident ${incidentId}: ${playbook}, ${outcomePhrase(playbook, containment)} ` +
    `(${containment.done} done, ${containment.skipped} skipped, ${containment.failed} failed)` +
    list('failed', containment.failedSteps) +
    list('not run', containment.notRun) +
    list('failed reads', containment.failedReads) +
    '. The notification and the ledger hold the report.';
  return text.length <= NOTE_TEXT_LIMIT ? text : `${text.slice(0, NOTE_TEXT_LIMIT - 3)}...`;
}
