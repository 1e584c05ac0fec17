import type { StepSpec } from '../plan/types';

/*
 * The calls that close the loop where the analysts work, after a response
 * (steps.ts). Both are made in the security account with the responder's
 * own (home) credentials, never through the member role: there Security
 * Hub's administrator can update its member accounts' findings, and only
 * GuardDuty's administrator can archive a finding at all. Both change what
 * the analysts see, so both are mutating: a dry-run shows them, blocked.
 */

/** A note and a workflow status on the finding's Security Hub (ASFF) counterpart. */
export const UPDATE_SECURITY_HUB_FINDING: StepSpec = {
  kind: 'update-security-hub-finding',
  iamActions: ['securityhub:BatchUpdateFindings'],
  mutating: true,
  // What the analysts see, not the account: never waits (the note says which changes await approval).
  neverWaits: 'bookkeeping',
};

/** The GuardDuty finding archived after a completed containment; ListDetectors finds the security account's detector when none is configured. */
export const ARCHIVE_GUARDDUTY_FINDING: StepSpec = {
  kind: 'archive-guardduty-finding',
  iamActions: ['guardduty:ArchiveFindings', 'guardduty:ListDetectors'],
  mutating: true,
  // Never waits, but follows only a complete containment: a change awaiting approval leaves it incomplete (containment.ts).
  neverWaits: 'bookkeeping',
};

/** The Security Hub note is for every playbook (notify's is a note only); the archive only follows a containment. */
export function closeLoopStepSpecsOf(acts: boolean): readonly StepSpec[] {
  return acts ? [UPDATE_SECURITY_HUB_FINDING, ARCHIVE_GUARDDUTY_FINDING] : [UPDATE_SECURITY_HUB_FINDING];
}
