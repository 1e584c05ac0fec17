import { toStepError, type StepError } from '../aws/errors';
import type { ReleaseEntry, RestoreLedger } from '../ledger/restore-record';
import type { StepReport } from '../plan/document';
import type { StepOutcome } from '../plan/types';
import type { RecordReleaseOptions } from './restore-record-release';

/*
 * A database's and an image's release (`ir release --database`, `--image`)
 * are not yet notified nor kept in the evidence bucket as the other
 * releases are (restore-record-release.ts): each runs its one restore step
 * and, once that step undid the containment, closes the restore record in
 * the ledger against the revision it read. Their report's shared part and
 * that closing write are written here once, so the two cannot drift apart.
 */

/** What a database's and an image's release are given: the operator's clients and ledger, in the resource's region. */
export interface ClosingReleaseOptions extends Pick<RecordReleaseOptions, 'clients' | 'ledger' | 'dryRun' | 'now' | 'approvals'> {
  readonly region: string;
}

/** The closing write: recorded, a conflict (the record changed since it was read), failed (the AWS code), or not made (nothing was undone). */
export interface ClosingLedgerEntry {
  readonly status: 'recorded' | 'conflict' | 'failed' | 'not-recorded';
  readonly error?: StepError;
}

/** What a database's and an image's release report hold besides the resource's names and its recorded state. */
export interface ClosingReleaseOutcome {
  readonly dryRun: boolean;
  /** Why nothing was planned; null when the release went ahead. */
  readonly refused: string | null;
  readonly key: string | null;
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly ledger: ClosingLedgerEntry | null;
}

/** Records the release and closes the record, only if no response or release wrote it since `revision` was read. */
export async function closeReleasedRecord(ledger: RestoreLedger, key: string, entry: Omit<ReleaseEntry, 'close'>): Promise<ClosingLedgerEntry> {
  try {
    const written = await ledger.recordRelease(key, { by: entry.by, restored: entry.restored, revision: entry.revision, close: true, resource: entry.resource });
    return { status: written.status };
  } catch (error) {
    return { status: 'failed', error: toStepError(error) };
  }
}
