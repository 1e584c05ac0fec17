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
  /** Evidence snapshots of the instance, never deleted by a release; null when they could not be listed. */
  readonly snapshotsKept: readonly string[] | null;
  readonly warnings: readonly string[];
  readonly reads: readonly StepOutcome[];
  readonly steps: readonly StepReport[];
  readonly summary: { readonly done: number; readonly skipped: number; readonly failed: number };
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** A release that changed nothing it meant to, or could not tell: refused, a failed read or a failed step. */
export function releaseFailed(report: ReleaseReport): boolean {
  return report.refused !== null || report.summary.failed > 0 || report.reads.some((r) => r.status === 'failed');
}
