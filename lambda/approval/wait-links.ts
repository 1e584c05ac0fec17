import type { MacKey } from '../aws/kms-mac';
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

/** The links a step output holds, checked: only our own https links are put into the email. */
export function approvalLinksIn(output: unknown): ApprovalLinks | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const { approve, deny } = output as Partial<Record<keyof ApprovalLinks, unknown>>;
  if (typeof approve !== 'string' || typeof deny !== 'string') return undefined;
  return approve.startsWith('https://') && deny.startsWith('https://') ? { approve, deny } : undefined;
}
