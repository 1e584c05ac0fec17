import { parseConfig, runtimeConfigOf } from '../../../lambda/config/schema';
import { CHANGE_CLASSES } from '../../../lambda/approval/types';
import { configError } from '../../support/errors';

/*
 * The `approval` key: absent by default (every change made at once, as without the feature), validated with
 * errors that name the key, and refusing what would let a tag loosen the policy.
 */

describe('approval configuration', () => {
  it('is absent by default: the runtime configuration carries none, and nothing waits', () => {
    const config = parseConfig({}, 'defaults');
    expect(config.approval).toBeUndefined();
    expect('approval' in runtimeConfigOf(config)).toBe(false);
  });

  it('fills the defaults of a present key: no class default, no rule, an hour, stand down, escalate 15 minutes before', () => {
    expect(parseConfig({ approval: {} }, 'x').approval).toEqual({ defaults: {}, rules: [], timeoutMinutes: 60, onTimeout: 'stand-down', escalateMinutesBefore: 15 });
  });

  it('accepts a full policy and passes it on to the playbooks', () => {
    const approval = {
      defaults: { isolate: 'approve', 'deactivate-key': 'auto' },
      rules: [
        { id: 'dev-auto', class: '*', mode: 'auto', match: { accounts: ['222222222222'] } },
        { id: 'prod-tag', class: ['isolate', 'detach-load-balancer'], mode: 'approve', match: { tags: { env: ['prod', 'production'] }, severity: { min: 4 } } },
        { id: 'no-key-low', class: 'deactivate-key', mode: 'never', match: { severity: { max: 2 } } },
      ],
      timeoutMinutes: 30,
      onTimeout: 'act',
      escalateMinutesBefore: 10,
    };
    const config = parseConfig({ approval }, 'x');
    expect(config.approval).toEqual(approval);
    expect(runtimeConfigOf(config).approval).toEqual(approval);
  });

  it('has a default key for every change class', () => {
    const defaults = Object.fromEntries(CHANGE_CLASSES.map((c) => [c, 'approve']));
    expect(parseConfig({ approval: { defaults } }, 'x').approval?.defaults).toEqual(defaults);
  });

  it.each([
    [{ defaults: { isolation: 'approve' } }, 'unknown key "approval.defaults.isolation"'],
    [{ defaults: { isolate: 'ask' } }, '"approval.defaults.isolate"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'maybe' }] }, '"approval.rules.0.mode"'],
    [{ rules: [{ id: 'a', class: 'terminate', mode: 'never' }] }, '"approval.rules.0.class": must be "*" (every class), one of "isolate"'],
    [{ rules: [{ id: 'a', class: [], mode: 'never' }] }, '"approval.rules.0.class"'],
    [{ rules: [{ class: 'isolate', mode: 'never' }] }, '"approval.rules.0.id"'],
    [{ rules: [{ id: 'default', class: 'isolate', mode: 'never' }] }, '"approval.rules.0.id": "default" names the per-class default'],
    [{ rules: [{ id: 'has space', class: 'isolate', mode: 'never' }] }, '"approval.rules.0.id"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never' }, { id: 'a', class: '*', mode: 'approve' }] }, '"approval.rules": two rules have the same id'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', colour: 'red' }] }, 'unknown key "approval.rules.0.colour"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: {} }] }, '"approval.rules.0.match": matches nothing in particular'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { accounts: [] } }] }, '"approval.rules.0.match.accounts"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { accounts: ['prod'] } }] }, '"approval.rules.0.match.accounts.0": must be a 12-digit AWS account id'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { severity: { min: 8, max: 4 } } }] }, '"approval.rules.0.match.severity.min": "min" is above "max"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { severity: {} } }] }, '"approval.rules.0.match.severity": names neither'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { severity: { max: 11 } } }] }, '"approval.rules.0.match.severity.max"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { tags: {} } }] }, '"approval.rules.0.match.tags": names no tag'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'never', match: { tags: { env: [] } } }] }, '"approval.rules.0.match.tags.env"'],
    [{ rules: [{ id: 'a', class: 'isolate', mode: 'auto', match: { tags: { env: 'dev' } } }] }, '"approval.rules.0.mode": a rule that matches on tags cannot be "auto"'],
    [{ rules: Array.from({ length: 21 }, (_, i) => ({ id: `r${i}`, class: 'isolate', mode: 'never' })) }, '"approval.rules": at most 20 rules'],
    [{ timeoutMinutes: 0 }, '"approval.timeoutMinutes"'],
    [{ timeoutMinutes: 20_000 }, '"approval.timeoutMinutes"'],
    [{ onTimeout: 'shrug' }, '"approval.onTimeout"'],
    [{ timeoutMinutes: 10 }, '"approval.escalateMinutesBefore": must be less than "timeoutMinutes"'],
    [{ escalateMinutesBefore: -1 }, '"approval.escalateMinutesBefore"'],
    [{ deadline: 5 }, 'unknown key "approval.deadline"'],
  ])('rejects %j naming the bad key', (approval, expected) => {
    const message = configError({ approval });
    expect(message).toContain('invalid configuration in cdk.json');
    expect(message).toContain(expected);
  });
});
