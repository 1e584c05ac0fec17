import * as z from '../zod';
import { isSampleFinding } from '../finding/accessors';
import { FindingInputError } from '../finding/errors';
import { parseFindings } from '../finding/parse';
import type { Finding } from '../finding/schema';

/*
 * A playbook Lambda is invoked two ways: by EventBridge with a GuardDuty
 * event, or directly (`aws lambda invoke`, `ir invoke`) with
 * {"finding": <event or finding>, "dryRun": true}. The daily heartbeat rule
 * invokes it directly too, with "heartbeat": true (lambda/heartbeat/).
 */

/**
 * Where a request came from, as the sender says (the Security Hub action function: lambda/approval/security-hub-action.ts):
 * kept in the report as given, never trusted for anything else (anyone who may invoke the function may send it).
 */
const requestedBySchema = z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(1024)));

const directInvocationSchema = z.strictObject({
  finding: z.unknown(),
  dryRun: z.optional(z.boolean()),
  heartbeat: z.optional(z.literal(true)),
  requestedBy: z.optional(requestedBySchema),
});

export interface Invocation {
  readonly findings: Finding[];
  /** Asked for a dry-run. A request can only make a run safer, never bypass the stack's mode. */
  readonly dryRunRequested: boolean;
  /**
   * The daily heartbeat: the security team is not notified, a metric is
   * published instead. Only ever a dry-run of sample findings, so the flag
   * cannot silence the report of a real finding.
   */
  readonly heartbeat: boolean;
  /** Where the request came from, as its sender said (the Security Hub console's custom action): kept in the report. */
  readonly requestedBy?: Readonly<Record<string, string>>;
}

function checkHeartbeat(findings: readonly Finding[], dryRun: boolean | undefined): void {
  if (dryRun !== true) throw new FindingInputError('not-a-finding', 'invalid direct invocation: heartbeat: a heartbeat must be a dry-run ("dryRun": true)');
  const real = findings.find((finding) => !isSampleFinding(finding));
  if (real) throw new FindingInputError('not-a-finding', `invalid direct invocation: heartbeat: finding ${real.id} is not a sample finding`);
}

export function parseInvocation(event: unknown): Invocation {
  if (typeof event === 'object' && event !== null && !Array.isArray(event) && 'finding' in event && !('detail' in event)) {
    const direct = directInvocationSchema.safeParse(event);
    if (!direct.success) {
      const issue = direct.error.issues[0]!;
      throw new FindingInputError('not-a-finding', `invalid direct invocation: ${issue.path.join('.') || 'payload'}: ${issue.message}`);
    }
    const findings = parseFindings(direct.data.finding);
    const heartbeat = direct.data.heartbeat === true;
    if (heartbeat) checkHeartbeat(findings, direct.data.dryRun);
    return { findings, dryRunRequested: direct.data.dryRun === true, heartbeat, ...(direct.data.requestedBy ? { requestedBy: direct.data.requestedBy } : {}) };
  }
  return { findings: parseFindings(event), dryRunRequested: false, heartbeat: false };
}
