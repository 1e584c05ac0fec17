import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import { blockingGuardIds, evaluateGuards } from '../../../lambda/guards';
import { accountNotAllowedGuard, rulingForAccount } from '../../../lambda/guards/account-not-allowed';
import type { GuardContext } from '../../../lambda/guards/types';
import { loadFixture } from '../../support/fixtures';

const finding = parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'))[0]!;
const ACCOUNT = finding.accountId!;

function ctx(accounts: RuntimeConfig['accounts'], overrides: Partial<GuardContext> = {}): GuardContext {
  return {
    finding,
    playbook: 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce', accounts },
    dryRun: false,
    resourceTags: {},
    ...overrides,
  };
}

describe('account-not-allowed', () => {
  it('passes every account when nothing is configured, saying so', () => {
    expect(accountNotAllowedGuard.check(ctx({ exclude: [] }))).toEqual({
      id: 'account-not-allowed',
      blocks: false,
      reason: `account ${ACCOUNT} is not excluded (accounts.exclude) and no allow list is set`,
    });
  });

  it('blocks an excluded account, naming the account and the rule', () => {
    expect(accountNotAllowedGuard.check(ctx({ exclude: ['999999999999', ACCOUNT] }))).toEqual({
      id: 'account-not-allowed',
      blocks: true,
      reason: `account ${ACCOUNT} is listed in accounts.exclude: the responder never acts in it`,
    });
  });

  it('blocks an account missing from the allow list, naming the list', () => {
    expect(accountNotAllowedGuard.check(ctx({ allow: ['111122223333', '444455556666'], exclude: [] }))).toEqual({
      id: 'account-not-allowed',
      blocks: true,
      reason: `account ${ACCOUNT} is not listed in accounts.allow (111122223333, 444455556666): the responder only acts in those`,
    });
  });

  it('passes an allowed account', () => {
    expect(accountNotAllowedGuard.check(ctx({ allow: [ACCOUNT], exclude: [] }))).toEqual({
      id: 'account-not-allowed',
      blocks: false,
      reason: `account ${ACCOUNT} is listed in accounts.allow`,
    });
  });

  it('lets exclude win over allow', () => {
    const verdict = accountNotAllowedGuard.check(ctx({ allow: [ACCOUNT, '111122223333'], exclude: [ACCOUNT] }));
    expect(verdict.blocks).toBe(true);
    expect(verdict.reason).toContain('accounts.exclude');
  });

  it('leaves a finding with no account to unknown-account', () => {
    const anonymous = { ...finding, accountId: null };
    const verdicts = evaluateGuards(ctx({ allow: ['111122223333'], exclude: [] }, { finding: anonymous }));
    expect(blockingGuardIds(verdicts)).toEqual(['unknown-account']);
    expect(verdicts.find((v) => v.id === 'account-not-allowed')).toEqual({
      id: 'account-not-allowed',
      blocks: false,
      reason: 'the finding names no account (see unknown-account)',
    });
  });

  it('is one of the guards every plan reports, blocking alone when only the account is wrong', () => {
    expect(blockingGuardIds(evaluateGuards(ctx({ exclude: [ACCOUNT] })))).toEqual(['account-not-allowed']);
  });
});

describe('rulingForAccount', () => {
  it.each<[RuntimeConfig['accounts'], boolean]>([
    [{ exclude: [] }, true],
    [{ exclude: ['123456789012'] }, false],
    [{ allow: ['123456789012'], exclude: [] }, true],
    [{ allow: ['210987654321'], exclude: [] }, false],
    [{ allow: ['123456789012'], exclude: ['123456789012'] }, false],
  ])('%j → allowed %s', (accounts, allowed) => {
    expect(rulingForAccount(accounts, '123456789012').allowed).toBe(allowed);
  });
});
