import { createHash } from 'node:crypto';
import type { Finding } from '../finding/schema';

/**
 * One finding, one incident id, however often GuardDuty or EventBridge
 * delivers it: the id is derived from the finding, not from the delivery.
 */
export function incidentIdOf(finding: Finding): string {
  const digest = createHash('sha256')
    .update(`${finding.accountId ?? ''}/${finding.region ?? ''}/${finding.id}`)
    .digest('hex');
  return `ir-${digest.slice(0, 16)}`;
}
