/*
 * The ids of the close-the-loop steps. They change what the analysts see,
 * never the finding's account: the ledger's "answered" and the dashboard's
 * outcome count only the playbook's own changes, and a failed note is not
 * worth repeating every action of the response for (lambda/ledger/answered.ts,
 * lambda/runtime/outcome.ts, lambda/runtime/retry-policy.ts). The
 * notification still names a failed one in its subject.
 */
export const SECURITY_HUB_STEP_ID = 'securityhub:note';
export const ARCHIVE_STEP_ID = 'guardduty:archive';

const CLOSE_LOOP_STEP_IDS: ReadonlySet<string> = new Set([SECURITY_HUB_STEP_ID, ARCHIVE_STEP_ID]);

export function isCloseLoopStep(id: string): boolean {
  return CLOSE_LOOP_STEP_IDS.has(id);
}
