import { handleChatDecision, isChatDecision, type ChatAnswer } from '../approval/chat-channel';
import { parseFunctionUrlEvent } from '../approval/function-url-event';
import { handleOperatorRequest, json, type JsonResponse } from '../approval/operator-channel';
import { decisionDependencies, readApprovalEnvironment } from '../approval/runtime';

/*
 * The operator decision function: its function URL (AuthType AWS_IAM) serves
 * `ir approve`, `ir deny` and `ir pending`; a direct invocation with
 * {"kind": "chat-decision", ...} serves the chat buttons (AWS Chatbot custom
 * actions). Anything else is refused.
 */

let dependencies: ReturnType<typeof decisionDependencies> | undefined;

function dependenciesOnce(): ReturnType<typeof decisionDependencies> {
  dependencies ??= decisionDependencies(readApprovalEnvironment());
  return dependencies;
}

export async function handler(event: unknown): Promise<JsonResponse | ChatAnswer> {
  const now = () => Date.now();
  if (isChatDecision(event)) return handleChatDecision(dependenciesOnce(), event, now);
  const request = parseFunctionUrlEvent(event);
  if (!request) return json(400, { status: 'refused', reason: 'bad-request', detail: 'neither a function URL request nor a chat decision' });
  return handleOperatorRequest(dependenciesOnce(), request, now);
}
