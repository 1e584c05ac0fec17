import type { MacKey } from './mac-key';
import { untrusted } from '../text/untrusted';
import { applyDecision, type DecisionDependencies, type FollowUpStep } from './apply-decision';
import { bodyText, queryParameter, type FunctionUrlEvent } from './function-url-event';
import { confirmationPage, decidedPage, refusalPage, type HtmlResponse } from './link-page';
import { TOKEN_PARAMETER } from './link';
import { consumeNonce } from './nonces';
import { readApproval, type ApprovalView } from './pending-approval';
import { verifyToken, type ApprovalToken } from './token';

/*
 * The email channel: the Lambda behind the approval link's function URL
 * (AuthType NONE: the token is the credential).
 *  - GET (opening the link, or a mail scanner following it) checks the
 *    token and shows the plan with a confirmation form. It never decides.
 *  - POST (the form) checks the token again, checks the approval is still
 *    waiting on the same plan, consumes the token's nonce (single use), then
 *    records the decision with the one conditional write every channel uses.
 * Every refusal is a page saying why, and changes nothing.
 */

export interface EmailChannelDependencies extends DecisionDependencies {
  readonly key: MacKey;
  readonly now: () => number;
}

const MAX_REASON = 1000;

function refusalOfToken(reason: 'malformed' | 'forged' | 'expired', detail: string): HtmlResponse {
  const titles = { malformed: 'This approval link is not valid', forged: 'This approval link is not valid', expired: 'This approval link has expired' } as const;
  return refusalPage(reason === 'expired' ? 410 : 403, titles[reason], detail);
}

/** Whether the approval is still waiting on the token's plan; a refusal page if not. */
function stillWaiting(approval: ApprovalView | undefined, token: ApprovalToken): HtmlResponse | undefined {
  if (!approval) return refusalPage(404, 'No response is waiting for this decision', `incident ${token.incidentId} has no response waiting for approval`);
  if (approval.status !== 'pending') return refusalPage(409, 'Already decided', `incident ${token.incidentId} is no longer waiting for approval: it was ${approval.status}`);
  if (approval.planHash !== token.planHash) {
    return refusalPage(409, 'The plan has changed', 'the plan this link was made for has changed since the email was sent: the responder asks again with the new plan');
  }
  return undefined;
}

function followUpLine(name: string, outcome: FollowUpStep): string {
  if (outcome.status === 'done') return `${name}: done (${outcome.detail})`;
  if (outcome.status === 'skipped') return `${name}: skipped (${outcome.reason})`;
  return `${name}: failed (${outcome.code}: ${outcome.message})`;
}

async function show(deps: EmailChannelDependencies, tokenText: string | undefined): Promise<HtmlResponse> {
  const check = await verifyToken(deps.key, tokenText, deps.now());
  if (check.status === 'refused') return refusalOfToken(check.reason, check.detail);
  const approval = await readApproval(deps.ledger, check.token.incidentId);
  const refusal = stillWaiting(approval, check.token);
  if (refusal || !approval) return refusal!;
  return confirmationPage(approval, check.token.decision, tokenText!);
}

async function decide(deps: EmailChannelDependencies, event: FunctionUrlEvent): Promise<HtmlResponse> {
  const form = new URLSearchParams(bodyText(event));
  const tokenText = form.get(TOKEN_PARAMETER) ?? undefined;
  const check = await verifyToken(deps.key, tokenText, deps.now());
  if (check.status === 'refused') return refusalOfToken(check.reason, check.detail);
  const { token } = check;
  const refusal = stillWaiting(await readApproval(deps.ledger, token.incidentId), token);
  if (refusal) return refusal;
  const reasonText = form.get('reason')?.trim();
  if (token.decision === 'deny' && !reasonText) return refusalPage(400, 'A denial needs a reason', 'go back, write why the plan is denied and send the form again');
  const at = new Date(deps.now()).toISOString();
  const nonce = await consumeNonce(deps.ledger, token.nonce, token.incidentId, at, token.expiresAt);
  if (nonce.status === 'replayed') return refusalPage(409, 'This approval link was already used', nonce.detail);
  const http = event.requestContext.http;
  const applied = await applyDecision(deps, {
    incidentId: token.incidentId,
    planHash: token.planHash,
    decision: token.decision,
    // The link's holder is not identified (AuthType NONE): what the request showed is recorded.
    by: `holder of the emailed link (from ${untrusted(http.sourceIp ?? 'unknown address', 64)}, ${untrusted(http.userAgent ?? 'unknown agent', 128)})`,
    channel: 'email',
    at,
    ...(reasonText ? { reason: reasonText.slice(0, MAX_REASON) } : {}),
  });
  if (applied.status === 'refused') return refusalPage(409, 'The decision was refused', applied.detail);
  return decidedPage(token.decision, token.incidentId, [followUpLine('evidence', applied.evidence), followUpLine('resuming the response', applied.resume)]);
}

export async function handleLinkRequest(deps: EmailChannelDependencies, event: FunctionUrlEvent): Promise<HtmlResponse> {
  const method = event.requestContext.http.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return show(deps, queryParameter(event, TOKEN_PARAMETER));
  if (method === 'POST') return decide(deps, event);
  return refusalPage(405, 'Not allowed', 'only GET (to see the plan) and POST (to decide) are answered');
}
