import type { DeferredClientClass } from '../aws/clients';

/**
 * The IAM client class of a playbook that calls IAM only to read the
 * account's alias for the notification (lambda/notify/account-alias.ts):
 * imported on first use, so its code is not loaded at cold start. Playbooks
 * whose steps call IAM (revoke-credentials, contain-instance, ...) load it at
 * cold start, as the class itself.
 */
export const ACCOUNT_ALIAS_IAM: DeferredClientClass<'iam'> = {
  deferred: () => import('../notify/iam-alias-client').then((sdk) => sdk.IAMClient),
};
