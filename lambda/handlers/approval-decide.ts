import { parseFunctionUrlEvent } from '../approval/function-url-event';
import { handleOperatorRequest, json, type JsonResponse } from '../approval/operator-channel';
import { decisionDependencies, readApprovalEnvironment } from '../approval/runtime';

/*
 * The operator decision function: its function URL (AuthType AWS_IAM) serves
 * `ir approve`, `ir deny` and `ir pending`, and records the caller ARN Lambda
 * verified from the SigV4 signature. That ARN is trustworthy only when the
 * event came through the URL: a direct lambda:InvokeFunction could carry a
 * hand-made URL event naming anyone. So the stack grants no principal a
 * direct invoke of this function (the chat buttons have their own function,
 * approval-chat.ts; test/cdk/approval.test.ts proves it), and operators are
 * given lambda:InvokeFunctionUrl (docs/approval-channels.md). Anything that
 * is not a function URL request is refused.
 */

let dependencies: ReturnType<typeof decisionDependencies> | undefined;

function dependenciesOnce(): ReturnType<typeof decisionDependencies> {
  dependencies ??= decisionDependencies(readApprovalEnvironment());
  return dependencies;
}

export async function handler(event: unknown): Promise<JsonResponse> {
  const request = parseFunctionUrlEvent(event);
  if (!request) return json(400, { status: 'refused', reason: 'bad-request', detail: 'not a function URL request' });
  return handleOperatorRequest(dependenciesOnce(), request, () => Date.now());
}
