import { GetAccessKeyLastUsedCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { TimeBudget } from './budget';
import type { KeyLastUsedEvidence } from './evidence';

// IAM answers "N/A" for the service and region of a key it never saw used.
function known(value: string | undefined): string | null {
  return value && value !== 'N/A' ? value : null;
}

/** When a long-term key was last used, for which service and in which region (GetAccessKeyLastUsed). */
export async function readKeyLastUsed(iam: IAMClient, accessKeyId: string, budget: TimeBudget): Promise<KeyLastUsedEvidence> {
  const out = await budget.call('GetAccessKeyLastUsed', (abortSignal) =>
    iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }), { abortSignal }),
  );
  const used = out.AccessKeyLastUsed;
  return {
    kind: 'access-key-last-used',
    accessKeyId,
    userName: out.UserName ?? null,
    lastUsedDate: used?.LastUsedDate?.toISOString() ?? null,
    serviceName: known(used?.ServiceName),
    region: known(used?.Region),
  };
}
