import { putRevokeUserPolicy, REVOKE_POLICY_NAME, REVOKE_USER_SESSIONS, revokeUserSessionsInput } from '../../iam/revoke-sessions';
import { planStep, type PlannedStep } from '../../plan/types';

export const REVOKE_USER_SESSIONS_STEP_ID = 'revoke-user-sessions';

export interface RevokeUserSessionsArgs {
  readonly userName: string;
  /** The user's ARN when it was read, else its name. */
  readonly userLabel: string;
  readonly planningTime: Date;
  readonly stage: number;
  /** Why these sessions must go, in the words of the branch that plans the step. */
  readonly because: string;
}

/** Denies everything to the user's temporary credentials issued before the step runs. */
export function revokeUserSessionsStep(args: RevokeUserSessionsArgs): PlannedStep {
  const { userName } = args;
  return planStep(REVOKE_USER_SESSIONS, {
    id: REVOKE_USER_SESSIONS_STEP_ID,
    title: `Revoke the older sessions of IAM user ${userName}`,
    action: 'iam:PutUserPolicy',
    target: args.userLabel,
    parameters: { ...revokeUserSessionsInput(userName, args.planningTime) },
    why:
      `${args.because}; the inline policy ${REVOKE_POLICY_NAME} denies every session of the user issued before ` +
      'aws:TokenIssueTime, which is taken when the step runs (the document above shows the planning time)',
    stage: args.stage,
    run: async (ctx) => {
      const issuedBefore = ctx.now();
      await putRevokeUserPolicy(ctx.clients, userName, issuedBefore);
      return { status: 'done', detail: `${REVOKE_POLICY_NAME} on user ${userName} denies sessions issued before ${issuedBefore.toISOString()}` };
    },
  });
}
