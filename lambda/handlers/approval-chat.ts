import { chatChannelIdsSchema, handleChatDecision, type ChatAnswer, type ChatChannelIds } from '../approval/chat-channel';
import { decisionDependencies, readApprovalEnvironment } from '../approval/runtime';

/*
 * The chat decision function: invoked directly (lambda:InvokeFunction) by the
 * AWS Chatbot custom actions "Approve plan" and "Deny plan", under the
 * channel's role (lib/approval/chat-actions.ts). It accepts only the button's
 * payload and records channel 'chat' with "a member of chat channel <the
 * stack's channels>": a direct invocation proves nothing about who pressed
 * the button, so nothing in the event can name a caller or the 'cli' channel.
 */

let dependencies: ReturnType<typeof decisionDependencies> | undefined;

function dependenciesOnce(): ReturnType<typeof decisionDependencies> {
  dependencies ??= decisionDependencies(readApprovalEnvironment());
  return dependencies;
}

/** The stack's description of its channel configurations; without one, the function refuses to record anything. */
function chatChannels(): string {
  const channels = process.env.IR_CHAT_CHANNELS;
  if (!channels) throw new Error('invalid Lambda environment: IR_CHAT_CHANNELS is not set');
  return channels;
}

/** The channel configurations' ids the stack made (IR_CHAT_CHANNEL_IDS, JSON), recorded with each decision. */
function chatChannelIds(): ChatChannelIds {
  const text = process.env.IR_CHAT_CHANNEL_IDS;
  if (!text) throw new Error('invalid Lambda environment: IR_CHAT_CHANNEL_IDS is not set');
  const parsed = chatChannelIdsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`invalid Lambda environment: IR_CHAT_CHANNEL_IDS: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export async function handler(event: unknown): Promise<ChatAnswer> {
  const channels = chatChannels();
  return handleChatDecision(dependenciesOnce(), event, () => Date.now(), channels, chatChannelIds());
}
