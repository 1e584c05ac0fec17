import { instanceRestoreKey, type RestoreLedger } from '../../../ledger/restore-record';
import type { ReadLog } from '../../../plan/reads';
import { known, unknown, type Known } from '../facts';
import { READ_RESTORE_RECORD } from '../specs';

export interface RemovedProfile {
  readonly profileArn: string;
  /** The restore record it was read from (its ledger key). */
  readonly restoreRecord: string;
}

/*
 * The instance profile an earlier response took off the instance, from the
 * ledger's restore record (written before that response's first change).
 * Without it, a response whose revocation of the role's sessions failed
 * (throttled, denied) but whose removal of the profile succeeded would be
 * followed by a retry that sees no profile, plans no revocation and reports
 * done: the stolen sessions would keep working, silently. The ledger is the
 * source, never the instance's tags: whoever is on the instance can re-tag
 * it. A released (closed) record is of a containment already undone.
 */
export async function readRemovedProfile(
  ledger: RestoreLedger,
  reads: ReadLog,
  target: { readonly accountId: string; readonly region: string; readonly instanceId: string },
): Promise<Known<RemovedProfile | null>> {
  const key = instanceRestoreKey(target.accountId, target.region, target.instanceId);
  const result = await reads.read(READ_RESTORE_RECORD, `Read the restore record of ${target.instanceId} for an instance profile an earlier response removed`, key, () => ledger.read(key));
  if (!result.ok) return unknown(`unreadable (GetItem failed with ${result.error.code})`);
  const record = result.value;
  if (!record || record.closedAt !== undefined || !record.instanceProfileArn) return known(null);
  return known({ profileArn: record.instanceProfileArn, restoreRecord: key });
}
