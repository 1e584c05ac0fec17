import { toStepError } from '../aws/errors';
import type { RestoreLedger } from '../ledger/restore-record';
import type { ReleasedIncident } from './report';

/*
 * A whole release (every part restored, the restore record closed) ends the
 * resource's incident too (lambda/ledger/resource-incidents.ts): otherwise a
 * later finding about the released resource would join the released
 * incident, whose answer is "contained", and change nothing, so the
 * resource could never be contained again within the join window. A failure
 * here is reported (and fails `ir release`): the release is done and
 * recorded, and running it again closes the incident.
 */

export async function closeResourceIncident(restore: RestoreLedger, resource: string): Promise<ReleasedIncident> {
  try {
    const { incidentId } = await restore.incidents.closeResource(resource);
    return incidentId === undefined ? { status: 'none' } : { status: 'closed', incidentId };
  } catch (error) {
    return { status: 'failed', error: toStepError(error) };
  }
}

/** One line for the report and the notification. */
export function releasedIncidentLine(incident: ReleasedIncident | undefined): string | undefined {
  if (!incident) return undefined;
  if (incident.status === 'closed') return `incident ${incident.incidentId} closed: the next finding about the resource opens a new incident`;
  if (incident.status === 'none') return 'no incident of the resource in the ledger to close';
  return `the resource's incident could NOT be closed (${incident.error.code}: ${incident.error.message}): a finding about it would join the released incident and change nothing; run the release again`;
}
