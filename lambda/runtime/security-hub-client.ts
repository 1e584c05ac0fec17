import type { DeferredClientClass } from '../aws/clients';

/**
 * Every playbook's Security Hub client class, imported on first use: the
 * finding's Security Hub note is the last change of a response, after
 * containment (lambda/close-loop/), so its code is a chunk of its own.
 */
export const SECURITY_HUB_CLIENT: DeferredClientClass<'securityHub'> = {
  deferred: () => import('../close-loop/security-hub-sdk').then((sdk) => sdk.SecurityHubClient),
};
