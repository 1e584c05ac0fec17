import { putRevokeRolePolicy, REVOKE_POLICY_NAME, REVOKE_ROLE_SESSIONS, revokeRoleSessionsInput } from '../../iam/revoke-sessions';
import { planStep, type PlannedStep } from '../../plan/types';

export const REVOKE_ROLE_SESSIONS_STEP_ID = 'revoke-role-sessions';

export interface RevokeRoleSessionsArgs {
  readonly roleName: string;
  /** The role's ARN when it was read, else its name. */
  readonly roleLabel: string;
  readonly planningTime: Date;
  readonly stage: number;
  readonly because: string;
}

/** Denies everything to the role's sessions issued before the step runs. The role itself is never disabled or deleted. */
export function revokeRoleSessionsStep(args: RevokeRoleSessionsArgs): PlannedStep {
  const { roleName } = args;
  return planStep(REVOKE_ROLE_SESSIONS, {
    id: REVOKE_ROLE_SESSIONS_STEP_ID,
    title: `Revoke the older sessions of IAM role ${roleName}`,
    action: 'iam:PutRolePolicy',
    target: args.roleLabel,
    parameters: { ...revokeRoleSessionsInput(roleName, args.planningTime) },
    why:
      `${args.because}; the inline policy ${REVOKE_POLICY_NAME} denies every session of the role issued before ` +
      'aws:TokenIssueTime, which is taken when the step runs (the document above shows the planning time); ' +
      'new sessions still work, so whatever legitimately uses the role recovers once it takes fresh credentials',
    stage: args.stage,
    run: async (ctx) => {
      const issuedBefore = ctx.now();
      await putRevokeRolePolicy(ctx.clients, roleName, issuedBefore);
      return { status: 'done', detail: `${REVOKE_POLICY_NAME} on role ${roleName} denies sessions issued before ${issuedBefore.toISOString()}` };
    },
  });
}
