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

/**
 * The note Security Hub could not take yet (it does not hold the finding in
 * the minutes after GuardDuty found it), recorded as owed on the incident's
 * ledger item, with a pointer from the finding (lambda/close-loop/owed-notes.ts).
 * The ledger is the responder's own record: not mutating.
 */
export const OWE_SECURITY_HUB_NOTE: StepSpec = {
  kind: 'owe-security-hub-note',
  iamActions: ['dynamodb:UpdateItem'],
  mutating: false,
};

/*
 * The owed-note writer (lambda/close-loop/deliver-owed-notes.ts, a function of
 * its own woken by Security Hub's Imported events): it finds the incident
 * that owes a note for the finding, claims the note, writes it, and marks it
 * written. Its role is derived from these, as every playbook role is.
 */

/** The pointer from the finding to the incident that owes its note. */
export const FIND_OWED_SECURITY_HUB_NOTE: StepSpec = {
  kind: 'find-owed-security-hub-note',
  iamActions: ['dynamodb:GetItem'],
  mutating: false,
};

/** Claims the note (conditional write), then marks it written or gives it back. */
export const CLAIM_OWED_SECURITY_HUB_NOTE: StepSpec = {
  kind: 'claim-owed-security-hub-note',
  iamActions: ['dynamodb:UpdateItem'],
  mutating: false,
};

export const OWED_NOTE_WRITER_STEP_SPECS: readonly StepSpec[] = [FIND_OWED_SECURITY_HUB_NOTE, CLAIM_OWED_SECURITY_HUB_NOTE, UPDATE_SECURITY_HUB_FINDING];

/** The Security Hub note (and its owed record) is for every playbook (notify's is a note only); the archive only follows a containment. */
export function closeLoopStepSpecsOf(acts: boolean): readonly StepSpec[] {
  const note = [UPDATE_SECURITY_HUB_FINDING, OWE_SECURITY_HUB_NOTE];
  return acts ? [...note, ARCHIVE_GUARDDUTY_FINDING] : note;
}
