import { putRevokeRolePolicy, REVOKE_POLICY_NAME, REVOKE_ROLE_SESSIONS, revokeRoleSessionsInput } from '../../iam/revoke-sessions';
import { planStep, type PlannedStep } from '../../plan/types';
import type { ExecutionRole } from '../../finding/lambda-function';

/** The same step id as revoke-credentials' and contain-instance's revocation: the notification and the release know it. */
export const REVOKE_ROLE_STEP_ID = 'revoke-role-sessions';

/**
 * The execution role's sessions issued before the step runs are denied
 * everything (lambda/iam/revoke-sessions.ts, the IAM console's "Revoke
 * active sessions"): the function's code may have handed its credentials
 * out. The role itself is never disabled or deleted.
 */
export function revokeExecutionRoleStep(role: ExecutionRole, planningTime: Date): PlannedStep {
  const { roleName } = role;
  return planStep(REVOKE_ROLE_SESSIONS, {
    id: REVOKE_ROLE_STEP_ID,
    title: `Revoke the older sessions of IAM role ${roleName} (the function's execution role)`,
    action: 'iam:PutRolePolicy',
    target: role.arn,
    parameters: { ...revokeRoleSessionsInput(roleName, planningTime) },
    why:
      `the function's code ran with the credentials of its execution role ${roleName}, and may have handed them out; ` +
      `the inline policy ${REVOKE_POLICY_NAME} denies every session of the role issued before aws:TokenIssueTime, taken when the step ` +
      'runs (the document above shows the planning time); new sessions still work, so the function works again once released',
    stage: 1,
    run: async (ctx) => {
      const issuedBefore = ctx.now();
      await putRevokeRolePolicy(ctx.clients, roleName, issuedBefore);
      return { status: 'done', detail: `${REVOKE_POLICY_NAME} on role ${roleName} denies sessions issued before ${issuedBefore.toISOString()}` };
    },
  });
}
