import { handleChatDecision, type ChatAnswer } from '../approval/chat-channel';
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

export async function handler(event: unknown): Promise<ChatAnswer> {
  const channels = chatChannels();
  return handleChatDecision(dependenciesOnce(), event, () => Date.now(), channels);
}
