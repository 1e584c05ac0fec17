/*
 * The verdicts that refuse to revoke a principal because it may not be the
 * one that acted (ids only, so the notification can name them in its
 * subject without carrying a playbook). A finding names the caller by its
 * user or role NAME; a principal of the same name may exist in the
 * finding's account without being the caller (a caller from another
 * account, a user deleted and created again). Revoking it would cut off an
 * innocent principal the attacker picked, and leave the attacker's own
 * sessions working. Both refusals are decisions, not failed reads: a retry
 * reads the same ids, so they are not retried (lambda/runtime/retry-policy.ts).
 */

/** IAM's unique id of the principal read (GetUser UserId, GetRole RoleId) is not the one the finding's principalId names, or the finding names none. */
export const PRINCIPAL_MISMATCH = 'principal-mismatch';

/** service.action.awsApiCallAction.remoteAccountDetails says the caller is of another account, or not affiliated with ours. */
export const CALLER_OUTSIDE_ACCOUNT = 'caller-outside-account';

export const ACTING_PRINCIPAL_VERDICTS: readonly string[] = [PRINCIPAL_MISMATCH, CALLER_OUTSIDE_ACCOUNT];
