import { UpdateAccessKeyCommand, type UpdateAccessKeyCommandInput } from '@aws-sdk/client-iam';
import { planStep, type PlannedStep } from '../../plan/types';
import { DEACTIVATE_ACCESS_KEY } from './specs';

export const DEACTIVATE_ACCESS_KEY_STEP_ID = 'deactivate-access-key';

export interface DeactivateAccessKeyArgs {
  readonly userName: string;
  readonly accessKeyId: string;
  /** The user's ARN when it was read, else its name. */
  readonly userLabel: string;
  /** The key's status as ListAccessKeys gave it; null when it was not read. */
  readonly statusAtPlanning: string | null;
  readonly stage: number;
}

/** Sets the one key the finding names to Inactive; the user's other keys are left alone. */
export function deactivateAccessKeyStep(args: DeactivateAccessKeyArgs): PlannedStep {
  const { userName, accessKeyId, statusAtPlanning } = args;
  const input: UpdateAccessKeyCommandInput = { UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' };
  return planStep(DEACTIVATE_ACCESS_KEY, {
    id: DEACTIVATE_ACCESS_KEY_STEP_ID,
    title: `Deactivate access key ${accessKeyId} of IAM user ${userName}`,
    action: 'iam:UpdateAccessKey',
    target: `${args.userLabel} (access key ${accessKeyId})`,
    parameters: { ...input },
    why:
      `the finding shows long-term key ${accessKeyId} being misused; an Inactive key is refused by AWS at once, ` +
      'and unlike deletion it can be re-activated once the investigation clears it',
    stage: args.stage,
    run: async (ctx) => {
      if (statusAtPlanning !== null && statusAtPlanning !== 'Active') {
        return { status: 'skipped', reason: `access key ${accessKeyId} is already ${statusAtPlanning} (ListAccessKeys)` };
      }
      await ctx.clients.iam.send(new UpdateAccessKeyCommand(input));
      return { status: 'done', detail: `access key ${accessKeyId} of ${userName} is now Inactive` };
    },
  });
}
