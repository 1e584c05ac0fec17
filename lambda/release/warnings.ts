import { REVOKE_POLICY_NAME } from '../iam/revoke-sessions';
import type { RecordedVolume } from '../ledger/restore-record';
import type { Known } from '../playbooks/contain-instance/facts';
import { SOURCE_INSTANCE_TAG } from '../playbooks/contain-instance/names';

/* What a release deliberately leaves as the containment set it, stated in every release. */

export const PRESERVATION_KEPT_WARNING =
  'Termination protection, the "stop" shutdown behaviour and DeleteOnTermination=false on the volumes stay as the containment set them ' +
  '(evidence preservation); change them by hand once the investigation is closed.';

export const SERVICE_MEMBERSHIP_WARNING =
  'Auto Scaling group membership and load balancer target groups are not restored: the group launched a replacement when the instance ' +
  'was detached. Attach or register the instance by hand if it should serve again.';

export function revokePolicyWarning(profile: string): string {
  return (
    `If the containment revoked the sessions of the role of ${profile}, its inline policy ${REVOKE_POLICY_NAME} stays: it only denies ` +
    'sessions issued before the containment, so the credentials the instance gets now work.'
  );
}

export function snapshotsWarning(instanceId: string, snapshots: Known<readonly string[]>): string {
  if (!snapshots.known) return `Whether evidence snapshots of ${instanceId} exist is ${snapshots.why}; a release never deletes snapshots.`;
  if (snapshots.value.length === 0) return `No evidence snapshot of ${instanceId} was found (tag ${SOURCE_INSTANCE_TAG}); a release never deletes snapshots.`;
  return `Evidence snapshots are kept: ${snapshots.value.join(', ')}. Delete them when the investigation is closed.`;
}

export const NO_LEDGER_WARNING =
  'No ledger was given (--ledger-table, or IR_LEDGER_TABLE): restored from the instance\'s tags, which anyone who can tag the instance can write. ' +
  'Auto Scaling, target groups and termination protection are only in the ledger, so they stay as the containment left them.';

/** With the ledger's record: what stays as the containment set it, and what DeleteOnTermination was before. */
export function ledgerPreservationWarning(volumes: readonly RecordedVolume[]): string {
  const before = volumes.length > 0 ? ` Before the containment: ${volumes.map((v) => `${v.volumeId} (${v.deviceName}) DeleteOnTermination=${v.deleteOnTermination}`).join(', ')}.` : '';
  return `The "stop" shutdown behaviour and DeleteOnTermination=false on the volumes stay as the containment set them (evidence preservation).${before}`;
}
