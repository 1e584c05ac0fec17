/*
 * Minimal copy of the approval policy's types (OWNER: the policy helper, issue 13 contract):
 * the phases only read PlannedStep.approval.mode.
 */

/** What the approval policy says of one change. */
export const APPROVAL_MODES = ['auto', 'approve', 'never'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];
/** The class of a change a playbook can make; the policy is written per class. */
export const CHANGE_CLASSES = ['isolate', 'detach-auto-scaling', 'detach-load-balancer', 'remove-instance-profile', 'revoke-sessions', 'deactivate-key'] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];
/** The policy's answer for one planned step, and which rule gave it (shown by `ir plan`). */
export interface StepApproval {
  readonly mode: ApprovalMode;
  readonly changeClass: ChangeClass;
  /** The rule's id in the configuration, or 'default'. */
  readonly ruleId: string;
  readonly why: string;
}
