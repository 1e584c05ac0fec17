import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { blockingGuardIds, evaluateGuards } from '../../../lambda/guards';
import type { GuardContext } from '../../../lambda/guards/types';
import { loadFixture } from '../../support/fixtures';

const crypto = parseFindings(loadFixture('contain-instance/crypto-bitcoin-tool.event.json'))[0]!;

function ctx(overrides: Partial<GuardContext> & { finding?: Finding; config?: RuntimeConfig } = {}): GuardContext {
  return {
    finding: crypto,
    playbook: 'contain-instance',
    config: { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' },
    dryRun: false,
    resourceTags: {},
    ...overrides,
  };
}

describe('guards', () => {
  it('let a real, active, severe finding on an untagged resource through in enforce mode, and say why for each', () => {
    const verdicts = evaluateGuards(ctx());
    expect(blockingGuardIds(verdicts)).toEqual([]);
    expect(verdicts.map((v) => v.id)).toEqual(['sample-finding', 'archived-finding', 'unknown-account', 'account-not-allowed', 'below-severity-floor', 'exempt-tag', 'dry-run']);
    expect(verdicts.every((v) => v.reason.length > 0)).toBe(true);
  });

  it('block sample findings', () => {
    const sample = parseFindings(loadFixture('contain-instance/sample-denial-of-service.event.json'))[0]!;
    expect(blockingGuardIds(evaluateGuards(ctx({ finding: sample })))).toEqual(['sample-finding']);
  });

  it.each(['true', 'TRUE', 1, '1'])('treat sample: %p (converted by the parser) as a sample too', (sample) => {
    const [finding] = parseFindings({ ...crypto, service: { ...crypto.service, additionalInfo: { sample } } });
    expect(blockingGuardIds(evaluateGuards(ctx({ finding: finding! })))).toEqual(['sample-finding']);
  });

  it('block archived findings', () => {
    const archived = parseFindings(loadFixture('contain-instance/archived-backdoor.event.json'))[0]!;
    expect(blockingGuardIds(evaluateGuards(ctx({ finding: archived })))).toEqual(['archived-finding']);
  });

  it('block below the playbook floor, and pass exactly at it', () => {
    const at = { ...crypto, severity: 7 };
    const below = { ...crypto, severity: 6.9 };
    expect(blockingGuardIds(evaluateGuards(ctx({ finding: at })))).toEqual([]);
    const verdicts = evaluateGuards(ctx({ finding: below }));
    expect(blockingGuardIds(verdicts)).toEqual(['below-severity-floor']);
    expect(verdicts.find((v) => v.id === 'below-severity-floor')!.reason).toBe('severity 6.9 is below the contain-instance floor of 7');
  });

  it('use the credentials floor for revoke-credentials', () => {
    const finding = { ...crypto, severity: 4 };
    expect(blockingGuardIds(evaluateGuards(ctx({ finding, playbook: 'revoke-credentials' })))).toEqual([]);
    expect(blockingGuardIds(evaluateGuards(ctx({ finding: { ...crypto, severity: 3.9 }, playbook: 'revoke-credentials' })))).toEqual(['below-severity-floor']);
  });

  it('block a resource carrying the exempt tag, whatever its value, with the configured key', () => {
    expect(blockingGuardIds(evaluateGuards(ctx({ resourceTags: { 'ir:exempt': '' } })))).toEqual(['exempt-tag']);
    const config = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' as const, exemptTagKey: 'security:no-auto-response' };
    expect(blockingGuardIds(evaluateGuards(ctx({ config, resourceTags: { 'ir:exempt': 'x' } })))).toEqual([]);
    expect(blockingGuardIds(evaluateGuards(ctx({ config, resourceTags: { 'security:no-auto-response': 'x' } })))).toEqual(['exempt-tag']);
  });

  it('block in dry-run and explain whether the stack mode or the request asked for it', () => {
    const byMode = evaluateGuards(ctx({ dryRun: true, config: DEFAULT_RUNTIME_CONFIG })).find((v) => v.id === 'dry-run')!;
    expect(byMode).toEqual({ id: 'dry-run', blocks: true, reason: 'the stack runs in dry-run mode: the plan is shown, nothing is changed' });
    const byRequest = evaluateGuards(ctx({ dryRun: true, dryRunReason: 'asked' })).find((v) => v.id === 'dry-run')!;
    expect(byRequest.reason).toBe('asked: the plan is shown, nothing is changed');
  });

  it('block a finding that names no account', () => {
    const finding = { ...crypto, accountId: undefined };
    expect(blockingGuardIds(evaluateGuards(ctx({ finding })))).toEqual(['unknown-account']);
  });

  it('report every blocking guard, not only the first', () => {
    const sample = parseFindings(loadFixture('contain-instance/sample-denial-of-service.event.json'))[0]!;
    const ids = blockingGuardIds(evaluateGuards(ctx({ finding: { ...sample, severity: 2 }, dryRun: true, resourceTags: { 'ir:exempt': '1' } })));
    expect(ids).toEqual(['sample-finding', 'below-severity-floor', 'exempt-tag', 'dry-run']);
  });
});

describe('exempt-tag and credentials', () => {
  it("never lets a principal's own tags exempt it, and says so when the tag is there", () => {
    const verdict = (resourceTags: Record<string, string>) => evaluateGuards(ctx({ playbook: 'revoke-credentials', resourceTags })).find((v) => v.id === 'exempt-tag');
    expect(verdict({ 'ir:exempt': 'x\ny' })).toEqual({
      id: 'exempt-tag',
      blocks: false,
      reason: 'the principal carries "ir:exempt" (value "x\\ny"), but a principal\'s own tags never exempt it: list it in credentials.exemptPrincipals',
    });
    expect(verdict({})).toEqual({
      id: 'exempt-tag',
      blocks: false,
      reason: 'a principal\'s own tags never exempt it ("ir:exempt" is not consulted): only credentials.exemptPrincipals does',
    });
  });

  it('an instance tag value in the reason is escaped and bounded', () => {
    const [verdict] = evaluateGuards(ctx({ playbook: 'contain-instance', resourceTags: { 'ir:exempt': `a\u2028b${'c'.repeat(500)}` } })).filter((v) => v.id === 'exempt-tag');
    expect(verdict!.blocks).toBe(true);
    expect(verdict!.reason).toMatch(/^the resource carries the exempt tag "ir:exempt" \(value "a\\u2028bc+\.\.\.\[\d+ more characters\]"\)$/);
  });
});
