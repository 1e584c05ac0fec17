import { REVOKE_ROLE_SESSIONS, REVOKE_USER_SESSIONS } from '../../iam/revoke-sessions';
import type { StepSpec } from '../../plan/types';
import { CONTAIN_INSTANCE_LEDGER_STEP_SPECS, CONTAIN_INSTANCE_STEP_SPECS } from '../contain-instance/specs';
import { READ_ROLE, READ_SESSION_POLICY, READ_USER, RECORD_KEY_RESTORE_STATE } from '../revoke-credentials/specs';

/*
 * Every AWS call contain-eks makes. The node is contained with
 * contain-instance's steps (in this process), the IAM principal behind the
 * Kubernetes user revoked with revoke-credentials' steps; the Kubernetes API
 * actions are a person's (kubectl.ts), so none is declared.
 */

/** The change class of every step that contains a node: its own, `approve` by default (lambda/approval/types.ts). */
export const CONTAIN_NODE_CLASS = 'contain-node' as const;

export const CONTAIN_EKS_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_KEY_RESTORE_STATE, ...CONTAIN_INSTANCE_LEDGER_STEP_SPECS];

export const CONTAIN_EKS_STEP_SPECS: readonly StepSpec[] = [READ_USER, READ_ROLE, READ_SESSION_POLICY, REVOKE_USER_SESSIONS, REVOKE_ROLE_SESSIONS, ...CONTAIN_INSTANCE_STEP_SPECS];
