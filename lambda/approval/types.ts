/*
 * The approval policy's vocabulary (issue 13): shared by the policy
 * (lambda/approval/evaluate.ts), the wait and the decision channels.
 */

/** What the approval policy says of one change: made at once, made once a person approves it, or never made by the responder. */
export const APPROVAL_MODES = ['auto', 'approve', 'never'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/**
 * The class of a change a playbook can make; the policy is written per class.
 * Each mutating step kind declares its class in its StepSpec (lambda/plan/types.ts),
 * or why it never waits (NEVER_WAITS_REASONS).
 */
export const CHANGE_CLASSES = [
  'isolate',
  'detach-auto-scaling',
  'detach-load-balancer',
  'remove-instance-profile',
  'revoke-sessions',
  'deactivate-key',
  'throttle-function',
  'block-public-access',
  'quarantine-object',
  'stop-task',
  'tag-task-definition',
  'contain-node',
  'restrict-database-network',
  'unshare-image',
] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

/**
 * The mode of a class when approval.defaults names none: `auto`, except
 * these. Containing an EKS node cuts every pod on it, the cluster's
 * workloads with the attacker's: a person decides.
 */
export const BUILT_IN_DEFAULT_MODES: Readonly<Partial<Record<ChangeClass, Exclude<ApprovalMode, 'auto'>>>> = {
  'contain-node': 'approve',
  // Cuts every client of the database off, the application's too: a person decides.
  'restrict-database-network': 'approve',
};

/**
 * Mutating steps the policy does not govern, and why: they never wait.
 * - evidence: keeps what the investigation needs (snapshots, termination protection): the sooner the better, and it takes nothing away;
 * - bookkeeping: the responder's own records (the restore record in the ledger) and what the analysts see (the Security Hub note,
 *   the GuardDuty archive, which follows only a complete containment).
 * The notification and the evidence written to the bucket are not mutating at all (they change nothing in an account).
 */
export const NEVER_WAITS_REASONS = ['evidence', 'bookkeeping'] as const;
export type NeverWaitsReason = (typeof NEVER_WAITS_REASONS)[number];

/** The policy's answer for one planned step, and which rule gave it (shown by `ir plan`). */
export interface StepApproval {
  readonly mode: ApprovalMode;
  readonly changeClass: ChangeClass;
  /** The rule's id in the configuration, or 'default'. */
  readonly ruleId: string;
  readonly why: string;
}
