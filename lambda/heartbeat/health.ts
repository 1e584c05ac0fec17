import { dryRunGuard } from '../guards/dry-run';
import { sampleFindingGuard } from '../guards/sample-finding';
import type { Report } from '../plan/document';
import type { PlaybookName } from '../routing/playbook-names';

/** The notification step's reason on a heartbeat run: a daily synthetic check must not page the security team. */
export const HEARTBEAT_NOTIFICATION_SKIP = 'heartbeat: the daily synthetic check of the playbook notifies nobody';

/**
 * Read failures that mean the playbook's role or credentials are broken. A
 * read of the placeholder resources that finds nothing is expected; a read
 * that is refused would fail on a real finding too.
 */
const REFUSED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthFailure',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
]);

export interface HeartbeatHealth {
  readonly healthy: boolean;
  /** Why the heartbeat is not counted; empty when healthy. */
  readonly problems: readonly string[];
}

/**
 * A heartbeat counts only when the playbook answered its synthetic finding
 * the way it must answer any sample in a dry-run: the finding reached this
 * playbook, the sample and dry-run guards both refused every change, no
 * change was made, no step failed and AWS refused no read. Anything else is reported as a
 * problem and no heartbeat is published, so the missing-heartbeat alarm
 * fires.
 */
export function heartbeatHealth(report: Report, playbook: PlaybookName): HeartbeatHealth {
  const problems: string[] = [];
  if (report.playbook !== playbook) problems.push(`the finding was answered by ${report.playbook}, not ${playbook}`);
  for (const guard of [sampleFindingGuard.id, dryRunGuard.id]) {
    if (!report.blockedBy.includes(guard)) problems.push(`the ${guard} guard did not block the run`);
  }
  for (const read of report.reads) {
    if (read.status === 'failed' && read.error && REFUSED_CODES.has(read.error.code)) problems.push(`read ${read.id} was refused (${read.error.code})`);
  }
  for (const step of report.steps) {
    if (step.mutating && step.status === 'done') problems.push(`step ${step.id} changed something`);
    if (step.status === 'failed') problems.push(`step ${step.id} failed${step.error ? ` (${step.error.code})` : ''}`);
  }
  return { healthy: problems.length === 0, problems };
}
