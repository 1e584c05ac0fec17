import { REVOKE_ROLE_SESSIONS, REVOKE_USER_SESSIONS } from '../../iam/revoke-sessions';
import type { StepSpec } from '../../plan/types';

/*
 * Every call this playbook makes, reads included. The Lambda role is derived
 * from this list, so a call that is not declared here is denied in AWS.
 */

/** GetUser: does the user still exist, its ARN, path and tags (for the exempt-tag guard). */
export const READ_USER: StepSpec = { kind: 'read-user', iamActions: ['iam:GetUser'], mutating: false };

/** ListAccessKeys: does the key belong to the user, is it still active, which other keys does the user have. */
export const LIST_ACCESS_KEYS: StepSpec = { kind: 'list-access-keys', iamActions: ['iam:ListAccessKeys'], mutating: false };

/** GetRole: does the role still exist, its path (service-linked?) and tags (for the exempt-tag guard). */
export const READ_ROLE: StepSpec = { kind: 'read-role', iamActions: ['iam:GetRole'], mutating: false };

/** UpdateAccessKey Status=Inactive: reversible, unlike deleting the key, so the investigation keeps it. */
export const DEACTIVATE_ACCESS_KEY: StepSpec = { kind: 'deactivate-access-key', iamActions: ['iam:UpdateAccessKey'], mutating: true, changeClass: 'deactivate-key' };

export { REVOKE_ROLE_SESSIONS, REVOKE_USER_SESSIONS };

/*
 * The investigation: read-only, run after containment (a later stage) and in
 * dry-run too, so the report says what the key was used for.
 */

/** GetAccessKeyLastUsed: when, for which service and in which region a long-term key was last used. */
export const INVESTIGATE_KEY_LAST_USED: StepSpec = { kind: 'investigate-key-last-used', iamActions: ['iam:GetAccessKeyLastUsed'], mutating: false };

/** IAM's service-last-accessed report of the user or role: a job is started, then read until it is done. */
export const INVESTIGATE_SERVICES_ACCESSED: StepSpec = {
  kind: 'investigate-services-accessed',
  iamActions: ['iam:GenerateServiceLastAccessedDetails', 'iam:GetServiceLastAccessedDetails'],
  mutating: false,
};

/** CloudTrail LookupEvents by AccessKeyId: the management events made with the key. */
export const INVESTIGATE_KEY_EVENTS: StepSpec = { kind: 'investigate-key-events', iamActions: ['cloudtrail:LookupEvents'], mutating: false };

/**
 * The restore record (lambda/ledger/restore-record.ts) in the security
 * account's ledger, written before the key is deactivated and the sessions
 * revoked: the key's status, and any revoke policy the principal already had
 * (so a release removes only the responder's own). The reads of that policy
 * are made in the finding's account (REVOKE_CREDENTIALS_STEP_SPECS holds them).
 */
export const RECORD_KEY_RESTORE_STATE: StepSpec = { kind: 'record-key-restore-state', iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], mutating: true, neverWaits: 'bookkeeping' };
/** The revoke policy the principal has before the response (NoSuchEntity: none), for the restore record. */
export const READ_SESSION_POLICY: StepSpec = { kind: 'read-session-policy', iamActions: ['iam:GetUserPolicy', 'iam:GetRolePolicy'], mutating: false };
export const REVOKE_CREDENTIALS_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_KEY_RESTORE_STATE];

export const REVOKE_CREDENTIALS_STEP_SPECS: readonly StepSpec[] = [
  READ_USER,
  LIST_ACCESS_KEYS,
  READ_ROLE,
  DEACTIVATE_ACCESS_KEY,
  REVOKE_USER_SESSIONS,
  REVOKE_ROLE_SESSIONS,
  READ_SESSION_POLICY,
  INVESTIGATE_KEY_LAST_USED,
  INVESTIGATE_SERVICES_ACCESSED,
  INVESTIGATE_KEY_EVENTS,
];
