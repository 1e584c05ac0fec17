import { block, pass, type Guard } from './types';

/** A finding that names no account cannot be attributed; acting on a guess could hit the wrong account. */
export const unknownAccountGuard: Guard = {
  id: 'unknown-account',
  check: ({ finding }) =>
    finding.accountId
      ? pass('unknown-account', `the finding belongs to account ${finding.accountId}`)
      : block('unknown-account', 'the finding names no account (detail.accountId is missing)'),
};
