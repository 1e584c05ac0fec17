import { APPROVAL_KEY_PREFIX, type PendingApproval, type PendingApprovals } from '../approval/pending';
import type { RestoreRecord } from '../ledger/restore-record';
import type { ReadLog } from '../plan/reads';
import { READ_INCIDENT_APPROVAL } from './specs';

/*
 * A restore record can be older than the containment it records: the
 * response writes it before its first change, and the evidence steps it
 * runs at once (termination protection, volumes kept) are changes too, so a
 * response whose containment waits for a person's decision has a record of
 * changes it has not made (lambda/respond/wait.ts). `ir release` reads the
 * incident's approval beside the record and, while the held changes have
 * not been made (a decision pending, or approved and not yet acted on), or
 * when they never will be (denied, or stood down at the deadline) and the
 * first act changed nothing the policy governs, refuses and changes
 * nothing: there is no containment to undo.
 */

/** What the first act changed that the approval policy governs (WaitingState.firstAct.changed); undefined: a state stored before it was kept. */
function firstActChanges(state: string): readonly string[] | undefined {
  try {
    const parsed = JSON.parse(state) as { firstAct?: { changed?: unknown } };
    const changed = parsed.firstAct?.changed;
    return Array.isArray(changed) ? changed.filter((id): id is string => typeof id === 'string') : undefined;
  } catch {
    return undefined;
  }
}

const NOTHING = 'there is no containment to undo: nothing was changed';
const EVIDENCE_STAYS = 'what the first act kept as evidence (snapshots, termination protection, volumes kept) stays';

/** Why a release of the record of this incident is refused, or null when its containment was made (in part or whole), or never waited. */
export function heldContainmentRefusal(approval: PendingApproval | undefined, recordUpdatedAt?: string): string | null {
  if (!approval) return null;
  const { incidentId, planHash } = approval;
  if (approval.status === 'pending') {
    return (
      `incident ${incidentId} awaits a decision on its changes (plan ${planHash}, until ${approval.deadline}, then ${approval.onTimeout}): they have not been made, so ${NOTHING}. ` +
      `Decide first: ir deny ${incidentId} --reason ... stands down (or ir approve ${incidentId})`
    );
  }
  if (approval.resumedAt === undefined) {
    return `incident ${incidentId}'s changes were ${approval.status} (plan ${planHash}) and not made yet: the response resumes with the decision; release after it. Until then ${NOTHING}`;
  }
  const made = approval.status === 'approved' || (approval.status === 'expired' && approval.onTimeout === 'act');
  if (made) return null;
  // Written since the request was decided: a later response (another incident of the resource) recorded a containment of its own.
  if (recordUpdatedAt !== undefined && Date.parse(recordUpdatedAt) > Date.parse(approval.resumedAt)) return null;
  const changed = firstActChanges(approval.state);
  // Changes made before the wait (an isolation the policy let run at once) are undone as always.
  if (changed === undefined || changed.length > 0) return null;
  const why =
    approval.status === 'denied'
      ? `denied${approval.decision ? ` by ${approval.decision.by} (${approval.decision.channel}) at ${approval.decision.at}` : ''}`
      : `not decided by ${approval.deadline}, and the responder stood down`;
  return `incident ${incidentId}'s changes (plan ${planHash}) were never made: ${why}. ${NOTHING[0]!.toUpperCase()}${NOTHING.slice(1)}; ${EVIDENCE_STAYS}`;
}

/** The refusal for an open record whose incident's containment was never made (read beside it); null: release as always. */
export async function readHeldContainment(approvals: PendingApprovals | undefined, record: RestoreRecord | undefined, reads: ReadLog): Promise<string | null> {
  if (!approvals || !record?.incidentId || record.closedAt) return null;
  const { incidentId } = record;
  const target = `${approvals.tableName}: ${APPROVAL_KEY_PREFIX}${incidentId}`;
  const result = await reads.read(READ_INCIDENT_APPROVAL, `Read whether incident ${incidentId} waited for a decision`, target, () => approvals.read(incidentId));
  // Unread, the release cannot tell a containment never made from one made: it refuses.
  if (!result.ok) return `the approval of incident ${incidentId} could not be read (${result.error.code}: ${result.error.message}): nothing was changed`;
  return heldContainmentRefusal(result.value, record.updatedAt);
}
