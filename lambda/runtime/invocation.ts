import { z } from 'zod';
import { FindingInputError } from '../finding/errors';
import { parseFindings } from '../finding/parse';
import type { Finding } from '../finding/schema';

/*
 * A playbook Lambda is invoked two ways: by EventBridge with a GuardDuty
 * event, or directly (`aws lambda invoke`, `ir invoke`) with
 * {"finding": <event or finding>, "dryRun": true}.
 */

const directInvocationSchema = z.strictObject({
  finding: z.unknown(),
  dryRun: z.boolean().optional(),
});

export interface Invocation {
  readonly findings: Finding[];
  /** Asked for a dry-run. A request can only make a run safer, never bypass the stack's mode. */
  readonly dryRunRequested: boolean;
}

export function parseInvocation(event: unknown): Invocation {
  if (typeof event === 'object' && event !== null && !Array.isArray(event) && 'finding' in event && !('detail' in event)) {
    const direct = directInvocationSchema.safeParse(event);
    if (!direct.success) {
      const issue = direct.error.issues[0]!;
      throw new FindingInputError('not-a-finding', `invalid direct invocation: ${issue.path.join('.') || 'payload'}: ${issue.message}`);
    }
    return { findings: parseFindings(direct.data.finding), dryRunRequested: direct.data.dryRun === true };
  }
  return { findings: parseFindings(event), dryRunRequested: false };
}
