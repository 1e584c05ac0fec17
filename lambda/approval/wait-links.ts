import type { MacKey } from './mac-key';
import { approvalLinks, type ApprovalLinkRequest, type ApprovalLinks } from './link';

/*
 * The decision links of a waiting response (link.ts), as the wait phase asks
 * for them: signed with the link key (KMS, the key never leaves it), pointing
 * at the link function's URL, looked up at run time (link-url.ts). The
 * notification steps then put them in the email (lambda/notify/).
 */

export type ApprovalLinkMaker = (request: Omit<ApprovalLinkRequest, 'baseUrl'>) => Promise<ApprovalLinks>;

export function approvalLinkMaker(deps: { readonly key: MacKey; readonly baseUrl: () => Promise<string> }): ApprovalLinkMaker {
  return async (request) => approvalLinks(deps.key, { ...request, baseUrl: await deps.baseUrl() });
}
