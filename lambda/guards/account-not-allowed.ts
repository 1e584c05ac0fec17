import type { RuntimeConfig } from '../config/schema';
import { block, pass, type Guard } from './types';

export const ACCOUNT_NOT_ALLOWED = 'account-not-allowed';

export interface AccountRuling {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Whether the playbooks may act in an account, by `accounts` of the
 * configuration: `exclude` always wins; when `allow` is given, only the
 * accounts it lists. Also decides whether the member role is assumed at all.
 */
export function rulingForAccount(accounts: RuntimeConfig['accounts'], accountId: string): AccountRuling {
  if (accounts.exclude.includes(accountId)) {
    return { allowed: false, reason: `account ${accountId} is listed in accounts.exclude: the responder never acts in it` };
  }
  if (accounts.allow && !accounts.allow.includes(accountId)) {
    return { allowed: false, reason: `account ${accountId} is not listed in accounts.allow (${accounts.allow.join(', ')}): the responder only acts in those` };
  }
  return {
    allowed: true,
    reason: accounts.allow ? `account ${accountId} is listed in accounts.allow` : `account ${accountId} is not excluded (accounts.exclude) and no allow list is set`,
  };
}

/** A finding of an account the team keeps out of automated response (a production account handled by hand, a partner's). */
export const accountNotAllowedGuard: Guard = {
  id: ACCOUNT_NOT_ALLOWED,
  check: ({ finding, config }) => {
    // A finding with no account is the unknown-account guard's to block.
    if (!finding.accountId) return pass(ACCOUNT_NOT_ALLOWED, 'the finding names no account (see unknown-account)');
    const ruling = rulingForAccount(config.accounts, finding.accountId);
    return ruling.allowed ? pass(ACCOUNT_NOT_ALLOWED, ruling.reason) : block(ACCOUNT_NOT_ALLOWED, ruling.reason);
  },
};
