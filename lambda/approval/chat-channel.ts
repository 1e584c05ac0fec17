import * as z from '../zod';
import { applyDecision, type AppliedDecision, type DecisionDependencies } from './apply-decision';

/*
 * The chat channel: the approve and deny buttons of the chat notification
 * are AWS Chatbot custom actions (lib/approval/chat-actions.ts) that run
 * `lambda invoke` on the chat decision function (its own function, never the
 * operator one) under the channel's role, with the incident id and plan hash
 * the notification carries. Lambda tells a directly invoked function nothing
 * about its caller: the decision is recorded as made by "a member of" the
 * channel the stack configured, with channel 'chat', whatever the event says.
 * The payload is exactly the button's (strict): an event that names a caller
 * or looks like a function URL request is refused. The plan hash still binds
 * the decision to the plan the notification showed.
 */

export const CHAT_DECISION_KIND = 'chat-decision';

export const chatDecisionSchema = z.strictObject({
  kind: z.literal(CHAT_DECISION_KIND),
  incidentId: z.string().check(z.minLength(1), z.maxLength(256)),
  decision: z.enum(['approve', 'deny']),
  planHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

export type ChatDecision = z.infer<typeof chatDecisionSchema>;

/**
 * Who a chat decision is recorded as: the channel, never a person (nobody in the event can be believed).
 * `channels` is the stack's own description of its channel configurations (IR_CHAT_CHANNELS).
 */
export function chatDecider(channels: string): string {
  return `a member of chat channel ${channels} (AWS Chatbot custom action, under the channel role)`;
}
/** A chat button has no text field: the reason of a chat denial is this. */
export const CHAT_DENIAL_REASON = 'denied from the chat channel';

export type ChatAnswer = AppliedDecision | { readonly status: 'refused'; readonly reason: 'bad-request'; readonly detail: string };

export async function handleChatDecision(deps: DecisionDependencies, event: unknown, now: () => number, channels: string): Promise<ChatAnswer> {
  const parsed = chatDecisionSchema.safeParse(event);
  if (!parsed.success) return { status: 'refused', reason: 'bad-request', detail: `not a chat decision: ${parsed.error.issues[0]?.path.join('.') || 'event'}: ${parsed.error.issues[0]?.message ?? ''}` };
  const { incidentId, decision, planHash } = parsed.data;
  return applyDecision(deps, {
    incidentId,
    planHash,
    decision,
    by: chatDecider(channels),
    channel: 'chat',
    at: new Date(now()).toISOString(),
    ...(decision === 'deny' ? { reason: CHAT_DENIAL_REASON } : {}),
  });
}
