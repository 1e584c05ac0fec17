import { REVOKE_ROLE_SESSIONS } from '../../iam/revoke-sessions';
import type { StepSpec } from '../../plan/types';

/*
 * Every call this playbook makes, reads included. The Lambda role is derived
 * from this list (lib/iam/action-resources.ts scopes the lambda: actions to
 * functions of the account), so a call not declared here is denied in AWS.
 */

/** GetFunctionConfiguration: does the function exist here, its code hash, version, role, VPC and environment (names only are kept). */
export const READ_FUNCTION_CONFIGURATION: StepSpec = { kind: 'read-function-configuration', iamActions: ['lambda:GetFunctionConfiguration'], mutating: false };
/** GetFunctionConcurrency: its reserved concurrency (none: unreserved), read in discovery and again just before the record is written. */
export const READ_FUNCTION_CONCURRENCY: StepSpec = { kind: 'read-function-concurrency', iamActions: ['lambda:GetFunctionConcurrency'], mutating: false };
/**
 * ListProvisionedConcurrencyConfigs: the provisioned concurrency of its versions and aliases. Lambda refuses a reserved
 * concurrency below their sum, so the throttle (0) cannot be made while any is above 0: the plan says so beforehand.
 */
export const READ_PROVISIONED_CONCURRENCY: StepSpec = { kind: 'read-provisioned-concurrency', iamActions: ['lambda:ListProvisionedConcurrencyConfigs'], mutating: false };
/** ListTags: the function's tags, for the exempt-tag guard. */
export const READ_FUNCTION_TAGS: StepSpec = { kind: 'read-function-tags', iamActions: ['lambda:ListTags'], mutating: false };

/**
 * PutFunctionConcurrency ReservedConcurrentExecutions=0: the function can no
 * longer run (every invocation is throttled) while its code, versions,
 * aliases and triggers stay as they are, so the investigation keeps them and
 * the release puts the recorded concurrency back.
 */
export const THROTTLE_FUNCTION: StepSpec = { kind: 'throttle-function', iamActions: ['lambda:PutFunctionConcurrency'], mutating: true, changeClass: 'throttle-function' };

/** GetRolePolicy AWSRevokeOlderSessions of the execution role (NoSuchEntity: none), for the restore record: a release removes only the responder's own. */
export const READ_ROLE_REVOKE_POLICY: StepSpec = { kind: 'read-role-revoke-policy', iamActions: ['iam:GetRolePolicy'], mutating: false };

export { REVOKE_ROLE_SESSIONS };

/**
 * The restore record (lambda/ledger/restore-record.ts) in the security
 * account's ledger, written before the first change: the reserved
 * concurrency and the role's revoke policy as they are when it runs, and the
 * function's configuration as discovery read it.
 */
export const RECORD_FUNCTION_RESTORE_STATE: StepSpec = {
  kind: 'record-function-restore-state',
  iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  mutating: true,
  neverWaits: 'bookkeeping',
};
export const CONTAIN_FUNCTION_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_FUNCTION_RESTORE_STATE];

export const CONTAIN_FUNCTION_STEP_SPECS: readonly StepSpec[] = [
  READ_FUNCTION_CONFIGURATION,
  READ_FUNCTION_CONCURRENCY,
  READ_PROVISIONED_CONCURRENCY,
  READ_FUNCTION_TAGS,
  READ_ROLE_REVOKE_POLICY,
  THROTTLE_FUNCTION,
  REVOKE_ROLE_SESSIONS,
];
