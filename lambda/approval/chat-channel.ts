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
/**
 * The ids of the channel configurations the stack made (IR_CHAT_CHANNEL_IDS, from the `chat` configuration). The
 * button's invocation carries none of them: a Chatbot custom action runs `lambda invoke` with only the variables it
 * reads from the notification, and Lambda tells a directly invoked function nothing about its caller.
 */
export const chatChannelIdsSchema = z.strictObject({
  slack: z.optional(z.strictObject({ workspaceId: z.string(), channelId: z.string() })),
  teams: z.optional(z.strictObject({ tenantId: z.string(), teamId: z.string(), channelId: z.string() })),
});
export type ChatChannelIds = z.infer<typeof chatChannelIdsSchema>;

/** Why a chat decision names no person: said in every chat decision's record. */
export const CHAT_PERSON_NOT_GIVEN =
  'not given by AWS: the Chatbot custom action invokes this function under the channel role with only the variables of the notification, and Lambda tells a directly invoked function nothing about who pressed the button';

/** What a chat decision records of its origin: the channel configurations' ids, and that AWS gives no person. */
export function chatOrigin(ids: ChatChannelIds): Record<string, string> {
  return {
    ...(ids.slack ? { slackWorkspaceId: ids.slack.workspaceId, slackChannelId: ids.slack.channelId } : {}),
    ...(ids.teams ? { teamsTenantId: ids.teams.tenantId, teamsTeamId: ids.teams.teamId, teamsChannelId: ids.teams.channelId } : {}),
    person: CHAT_PERSON_NOT_GIVEN,
  };
}

/** A chat button has no text field: the reason of a chat denial is this. */
export const CHAT_DENIAL_REASON = 'denied from the chat channel';

export type ChatAnswer = AppliedDecision | { readonly status: 'refused'; readonly reason: 'bad-request'; readonly detail: string };

export async function handleChatDecision(deps: DecisionDependencies, event: unknown, now: () => number, channels: string, ids: ChatChannelIds = {}): Promise<ChatAnswer> {
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
    origin: chatOrigin(ids),
  });
}
