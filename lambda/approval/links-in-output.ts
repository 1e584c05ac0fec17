import type { ApprovalLinks } from './link';

/*
 * Reading the decision links back from the approval request step's output,
 * for the notification (lambda/notify/publish-step.ts). A file of its own:
 * the notification must not load the signing code (link.ts and the KMS
 * client) that only a waiting response needs.
 */

/** The links a step output holds, checked: only our own https links are put into the email. */
export function approvalLinksIn(output: unknown): ApprovalLinks | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const { approve, deny } = output as Partial<Record<keyof ApprovalLinks, unknown>>;
  if (typeof approve !== 'string' || typeof deny !== 'string') return undefined;
  return approve.startsWith('https://') && deny.startsWith('https://') ? { approve, deny } : undefined;
}
