import * as z from '../zod';

/*
 * The events that resume a waiting response: the decision path after it
 * recorded a decision, and the two one-time schedules. Only their kind and
 * the incident id are read, and neither is trusted: the decision, the plan
 * and the state come from the ledger's item, never from the event.
 */

export const APPROVAL_EVENT_KINDS = ['approval-decided', 'approval-deadline', 'approval-escalate'] as const;
export type ApprovalEventKind = (typeof APPROVAL_EVENT_KINDS)[number];

/** An incident id as the responder makes them (lambda/respond/incident-id.ts): bounded, no separators an item key could be confused by. */
const incidentIdSchema = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._:-]+$/));

export const approvalEventSchema = z.strictObject({
  kind: z.enum(APPROVAL_EVENT_KINDS),
  incidentId: incidentIdSchema,
});

export type ApprovalEvent = z.infer<typeof approvalEventSchema>;

/** An object naming one of the kinds above is an approval event (and must parse as one); anything else is not. */
export function isApprovalEventShaped(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event) || !('kind' in event)) return false;
  const { kind } = event as { kind: unknown };
  return typeof kind === 'string' && kind.startsWith('approval-');
}
