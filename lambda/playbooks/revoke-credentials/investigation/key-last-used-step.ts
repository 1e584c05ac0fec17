import type { TimeBudget } from '../../../investigation/budget';
import { readKeyLastUsed } from '../../../investigation/key-last-used';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { KeyKind } from '../principal';
import { INVESTIGATE_KEY_LAST_USED } from '../specs';

export const KEY_LAST_USED_STEP_ID = 'investigate-key-last-used';

export interface KeyLastUsedArgs {
  readonly accessKeyId: string;
  readonly keyKind: KeyKind;
  readonly stage: number;
  readonly budget: TimeBudget;
}

/** When, for which service and where the key was last used. IAM only tracks long-term keys. */
export function keyLastUsedStep(args: KeyLastUsedArgs): PlannedStep {
  const { accessKeyId, keyKind, budget } = args;
  return planStep(INVESTIGATE_KEY_LAST_USED, {
    id: KEY_LAST_USED_STEP_ID,
    title: `Find when access key ${accessKeyId} was last used`,
    action: 'iam:GetAccessKeyLastUsed',
    target: `access key ${accessKeyId}`,
    parameters: { AccessKeyId: accessKeyId },
    why: 'when, for which service and in which region the key was last used shows where to look for what it did; read-only, after containment',
    stage: args.stage,
    run: async (ctx) => {
      if (keyKind !== 'long-term') {
        return {
          status: 'skipped',
          reason: `does not apply: ${accessKeyId} is a temporary (ASIA) key, and GetAccessKeyLastUsed only knows the long-term (AKIA) keys of IAM users`,
        };
      }
      const evidence = await readKeyLastUsed(ctx.clients.iam, accessKeyId, budget);
      return { status: 'done', detail: evidence.lastUsedDate ? `last used ${evidence.lastUsedDate}` : 'no record of any use', evidence };
    },
  });
}
