import type { StepSpec } from '../plan/types';

/*
 * The two reads that confirm a finding with GuardDuty before a playbook acts
 * (confirmation.ts). Both are made in the security account, with the
 * responder's own (home) credentials: as GuardDuty's delegated administrator
 * its detector holds the findings of every member account. The playbook
 * roles are derived from these; the member role never gets them.
 */

/** The security account's detector in the finding's region (at most one per account and region). */
export const FIND_DETECTOR: StepSpec = { kind: 'find-guardduty-detector', iamActions: ['guardduty:ListDetectors'], mutating: false };

/** The finding as GuardDuty holds it, by its id. */
export const CONFIRM_FINDING: StepSpec = { kind: 'confirm-finding', iamActions: ['guardduty:GetFindings'], mutating: false };

export const CONFIRM_STEP_SPECS: readonly StepSpec[] = [FIND_DETECTOR, CONFIRM_FINDING];
