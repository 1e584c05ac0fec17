import type { StepSpec } from '../plan/types';

/*
 * The role the member stack creates in every member account, and how the
 * playbooks name their sessions in it. No AWS calls here.
 */

/** Declared like any step, so the playbook roles are derived with it and the CDK role test still holds. */
export const ASSUME_MEMBER_ROLE: StepSpec = { kind: 'assume-role', iamActions: ['sts:AssumeRole'], mutating: false };

/** The shortest session AWS allows: a playbook finishes in a minute, and a leaked session dies soon. */
export const MEMBER_SESSION_SECONDS = 900;

const SESSION_NAME_MAX = 64;

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * `ir-<finding id>`, so the member account's CloudTrail ties every call to
 * the finding it answered. IAM allows 2 to 64 of [\w+=,.@-].
 */
export function sessionNameFor(findingId: string): string {
  return `ir-${findingId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, SESSION_NAME_MAX);
}
