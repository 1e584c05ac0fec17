import type { StepError } from '../aws/errors';
import type { NoteDelivery } from '../notify/operator-note-publish';
import type { StepReport } from '../plan/document';
import type { StepOutcome } from '../plan/types';
import type { ContainmentRecord } from './record';

/** What `ir release` did (or, with --dry-run, would do), in the shape of a playbook report. */
export interface ReleaseReport {
  readonly instanceId: string;
  readonly region: string;
  readonly dryRun: boolean;
  /** Why nothing was planned; null when the release went ahead. */
  readonly refused: string | null;
  readonly blockedBy: readonly string[];
  /** The containment's record as read from the instance tags; null when the instance could not be read. */
  readonly record: ContainmentRecord | null;
  /** Where the record came from: the ledger (the responder's own), or the instance's tags (anyone who can tag it can write them); null when refused. */
  readonly recordSource: 'ledger' | 'tags' | null;
  /** The release as recorded in the ledger; null when there is no ledger, on a dry-run and when refused. */
  readonly ledger: ReleaseLedgerEntry | null;
  /** The notification to the stack's topic; null when no topic was given, on a dry-run and when refused. */
  readonly notification: ReleaseNotification | null;
  /** The same notification on the stack's chat topic (AWS Chatbot JSON); null when the stack has none, or nothing was sent. */
  readonly chatNotification: ReleaseNotification | null;
  /** The record of the release in the stack's evidence bucket (lambda/release/evidence.ts): done, skipped (why) or failed (the AWS code). */
  readonly evidence: StepReport | null;
  /** Evidence snapshots of the instance, never deleted by a release; null when they could not be listed. */
  readonly snapshotsKept: readonly string[] | null;
  readonly warnings: readonly string[];
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface ReleaseLedgerEntry {
  readonly table: string;
  readonly key: string;
  /** recorded: closed (the whole containment undone) or not; conflict: another release or response wrote the record since it was read. */
  readonly status: 'recorded' | 'conflict' | 'failed';
  readonly closed?: boolean;
  readonly at?: string;
  readonly detail?: string;
  readonly error?: StepError;
  /** A whole release (closed) also ends the resource's incident, so the next finding opens a new one (lambda/release/close-incident.ts). */
  readonly incident?: ReleasedIncident;
}

/** The resource's incident after a whole release: closed, none in the ledger, or not closed (the next finding would join it). */
export type ReleasedIncident =
  | { readonly status: 'closed'; readonly incidentId: string }
  | { readonly status: 'none' }
  | { readonly status: 'failed'; readonly error: StepError };

/** One Publish of the release's note (lambda/notify/operator-note-publish.ts). */
export type ReleaseNotification = NoteDelivery;

/** A release that changed nothing it meant to, or could not tell: refused, a failed read or step, a release not recorded or not notified. */
export function releaseFailed(report: Pick<ReleaseReport, 'refused' | 'summary' | 'reads' | 'ledger' | 'notification'>): boolean {
  return (
    report.refused !== null ||
    report.summary.failed > 0 ||
    report.reads.some((r) => r.status === 'failed') ||
    (report.ledger !== null && (report.ledger.status !== 'recorded' || report.ledger.incident?.status === 'failed')) ||
    report.notification?.status === 'failed'
  );
}

/**
 * The release stands (releaseFailed is false) but its trail is short: the
 * evidence record could not be written, or the chat copy not posted. Exit
 * code 3, as a response whose changes are done but whose evidence is short.
 */
export function releaseTrailShort(report: { readonly evidence: StepReport | null; readonly chatNotification: ReleaseNotification | null }): boolean {
  return report.evidence?.status === 'failed' || report.chatNotification?.status === 'failed';
}

/**
 * What the report of every release made from its restore record alone (an access key, a bucket, a function, an
 * object) holds besides the fields that name the resource and its record: one shape, so the CLI, the note and the
 * exit code read them all alike (lambda/release/restore-record-release.ts builds it).
 */
export interface RecordReleaseOutcome {
  readonly dryRun: boolean;
  /** Why nothing was planned; null when the release went ahead. */
  readonly refused: string | null;
  readonly warnings: readonly string[];
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly ledger: ReleaseLedgerEntry | null;
  readonly notification: ReleaseNotification | null;
  /** The same note on the stack's chat topic; null when it has none, or nothing was sent. */
  readonly chatNotification: ReleaseNotification | null;
  /** The record of the release in the evidence bucket (lambda/release/evidence.ts). */
  readonly evidence: StepReport | null;
}
