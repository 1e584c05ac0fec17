import type { MacKey } from './mac-key';
import { newNonce, signToken } from './token';

/*
 * The two links of an approval email (approve, deny), for the wait phase to
 * put into the notification: each is the email decision function's URL
 * with a signed, single-use token (token.ts) bound to the incident, the plan
 * hash and the decision, expiring with the approval's deadline. Opening a
 * link only shows the plan; deciding takes a POST from the page it shows.
 */

export const TOKEN_PARAMETER = 't';

export interface ApprovalLinkRequest {
  /** The email decision function's URL (IR_APPROVAL_LINK_URL), ending in '/'. */
  readonly baseUrl: string;
  readonly incidentId: string;
  readonly planHash: string;
  /** When the links stop working: the approval's deadline (ISO time or epoch ms). */
  readonly expiresAt: Date;
}

export interface ApprovalLinks {
  readonly approve: string;
  readonly deny: string;
}

async function linkFor(key: MacKey, request: ApprovalLinkRequest, decision: 'approve' | 'deny'): Promise<string> {
  const token = await signToken(key, {
    incidentId: request.incidentId,
    planHash: request.planHash,
    decision,
    expiresAt: Math.floor(request.expiresAt.getTime() / 1000),
    nonce: newNonce(),
  });
  const url = new URL(request.baseUrl);
  url.searchParams.set(TOKEN_PARAMETER, token);
  return url.toString();
}

export async function approvalLinks(key: MacKey, request: ApprovalLinkRequest): Promise<ApprovalLinks> {
  const [approve, deny] = await Promise.all([linkFor(key, request, 'approve'), linkFor(key, request, 'deny')]);
  return { approve, deny };
}
