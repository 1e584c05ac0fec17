import { block, pass, type Guard } from './types';

export const UNKNOWN_ACCOUNT = 'unknown-account';

/** A finding that names no account cannot be attributed; acting on a guess could hit the wrong account. */
export const unknownAccountGuard: Guard = {
  id: UNKNOWN_ACCOUNT,
  check: ({ finding }) =>
    finding.accountId
      ? pass(UNKNOWN_ACCOUNT, `the finding belongs to account ${finding.accountId}`)
      : block(UNKNOWN_ACCOUNT, 'the finding names no account (detail.accountId is missing)'),
};
