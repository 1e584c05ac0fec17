import * as z from '../zod';
import { applyDecision, type AppliedDecision, type DecisionDependencies } from './apply-decision';

/*
 * The chat channel: the approve and deny buttons of the chat notification
 * are AWS Chatbot custom actions (lib/approval/chat-actions.ts) that run
 * `lambda invoke` on the operator decision function under the channel's
 * role, with the incident id and plan hash the notification carries. Lambda
 * tells a directly invoked function nothing about its caller: the decision
 * is recorded as made in the chat channel, and who may press the buttons is
 * decided by who is in the channel (and, with Chatbot user roles, by their
 * IAM roles). The plan hash still binds the decision to the plan the
 * notification showed.
 */

export const CHAT_DECISION_KIND = 'chat-decision';

export const chatDecisionSchema = z.strictObject({
  kind: z.literal(CHAT_DECISION_KIND),
  incidentId: z.string().check(z.minLength(1), z.maxLength(256)),
  decision: z.enum(['approve', 'deny']),
  planHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

export type ChatDecision = z.infer<typeof chatDecisionSchema>;

export function isChatDecision(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { kind?: unknown }).kind === CHAT_DECISION_KIND;
}

export const CHAT_DECIDER = 'a member of the AWS Chatbot channel (chat custom action, under the channel role)';
/** A chat button has no text field: the reason of a chat denial is this. */
export const CHAT_DENIAL_REASON = 'denied from the chat channel';

export type ChatAnswer = AppliedDecision | { readonly status: 'refused'; readonly reason: 'bad-request'; readonly detail: string };

export async function handleChatDecision(deps: DecisionDependencies, event: unknown, now: () => number): Promise<ChatAnswer> {
  const parsed = chatDecisionSchema.safeParse(event);
  if (!parsed.success) return { status: 'refused', reason: 'bad-request', detail: `not a chat decision: ${parsed.error.issues[0]?.path.join('.') || 'event'}: ${parsed.error.issues[0]?.message ?? ''}` };
  const { incidentId, decision, planHash } = parsed.data;
  return applyDecision(deps, {
    incidentId,
    planHash,
    decision,
    by: CHAT_DECIDER,
    channel: 'chat',
    at: new Date(now()).toISOString(),
    ...(decision === 'deny' ? { reason: CHAT_DENIAL_REASON } : {}),
  });
}
