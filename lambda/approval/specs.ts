import type { StepSpec } from '../plan/types';

/*
 * The wait's own calls (lambda/respond/wait.ts, resume.ts): the pending
 * approval in the incident ledger, and the one-time schedules of the
 * escalation and the deadline in the stack's schedule group. Not mutating
 * in the plan's sense: they change nothing in the account a finding is about.
 * The playbook roles are derived from these (lib/): the schedule actions
 * confined to the stack's schedule group, iam:PassRole to the scheduler role only.
 */
export const APPROVAL_REQUEST: StepSpec = {
  kind: 'request-approval',
  iamActions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole'],
  mutating: false,
  // The scheduler role (its only resource, lib/iam/action-resources.ts), and only to EventBridge Scheduler.
  iamGrants: [{ action: 'iam:PassRole', condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }],
};

/** Reads the pending approval, takes it once to act on it, marks the escalation sent. */
export const APPROVAL_RESUME: StepSpec = {
  kind: 'resume-approval',
  iamActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  mutating: false,
};

/**
 * The decision links of the awaiting-approval notification (link.ts, link-url.ts): the link function's URL, looked up by
 * its fixed name, and the token's MAC, made by KMS with the link key (which never leaves KMS).
 */
export const APPROVAL_LINKS: StepSpec = {
  kind: 'sign-approval-links',
  iamActions: ['lambda:GetFunctionUrlConfig', 'kms:GenerateMac'],
  mutating: false,
};

export const APPROVAL_STEP_SPECS: readonly StepSpec[] = [APPROVAL_REQUEST, APPROVAL_RESUME, APPROVAL_LINKS];
