import { handleLinkRequest } from '../approval/email-channel';
import { parseFunctionUrlEvent } from '../approval/function-url-event';
import { refusalPage, type HtmlResponse } from '../approval/link-page';
import { approvalMacKey, decisionDependencies, readApprovalEnvironment } from '../approval/runtime';

/*
 * The approval link's function (function URL, AuthType NONE): shows the plan
 * on GET, decides on POST (lambda/approval/email-channel.ts). Dependencies
 * are built on the first request, not at import, so a bad environment is a
 * page and a log line rather than an init failure.
 */

let dependencies: Parameters<typeof handleLinkRequest>[0] | undefined;

function dependenciesOnce(): Parameters<typeof handleLinkRequest>[0] {
  if (!dependencies) {
    const env = readApprovalEnvironment();
    dependencies = { ...decisionDependencies(env), key: approvalMacKey(env), now: () => Date.now() };
  }
  return dependencies;
}

export async function handler(event: unknown): Promise<HtmlResponse> {
  const request = parseFunctionUrlEvent(event);
  if (!request) return refusalPage(400, 'Not a web request', 'this function answers its function URL only');
  try {
    return await handleLinkRequest(dependenciesOnce(), request);
  } catch (error) {
    // The token is never logged: only the failure.
    console.error(JSON.stringify({ message: 'approval link request failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    return refusalPage(500, 'The approval could not be processed', 'an AWS call failed; try the link again in a minute, or use `ir approve` / `ir deny`');
  }
}
