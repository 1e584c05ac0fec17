/*
 * What the chat notification of a waiting response carries for its approve
 * and deny buttons: the incident id and the plan hash, in the AWS Chatbot
 * custom notification's metadata.additionalContext. The buttons' custom
 * actions (lib/approval/chat-actions.ts) read them from there, under these
 * names, and only show when the plan hash is present. The wait phase adds
 * these entries to the chat notification of an approval request.
 */

export const CHAT_CONTEXT_INCIDENT = 'approvalIncidentId';
export const CHAT_CONTEXT_PLAN_HASH = 'approvalPlanHash';

/** The Chatbot variable paths of the two entries (the notification JSON, from its root "event"). */
export const CHAT_VARIABLE_PATHS = {
  incidentId: `event.metadata.additionalContext.${CHAT_CONTEXT_INCIDENT}`,
  planHash: `event.metadata.additionalContext.${CHAT_CONTEXT_PLAN_HASH}`,
} as const;

export function approvalChatContext(incidentId: string, planHash: string): Readonly<Record<string, string>> {
  return { [CHAT_CONTEXT_INCIDENT]: incidentId, [CHAT_CONTEXT_PLAN_HASH]: planHash };
}
