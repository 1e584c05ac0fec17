import fc from 'fast-check';
import { evaluateApproval, stricter, type ApprovalSubject } from '../../../lambda/approval/evaluate';
import { approvalSchema, type ApprovalConfig, type ApprovalRule } from '../../../lambda/approval/schema';
import { APPROVAL_MODES, BUILT_IN_DEFAULT_MODES, CHANGE_CLASSES, type ApprovalMode } from '../../../lambda/approval/types';

const PROD = '111111111111';
const DEV = '222222222222';

const policyOf = (input: unknown): ApprovalConfig => approvalSchema.parse(input);
const subject = (overrides: Partial<ApprovalSubject> = {}): ApprovalSubject => ({ changeClass: 'isolate', accountId: PROD, severity: 8, tags: {}, ...overrides });

describe('evaluateApproval: the defaults', () => {
  it('without rules or defaults, every class is auto but those with a built-in default (contain-node, restrict-database-network: approve), decided by "default"', () => {
    expect(BUILT_IN_DEFAULT_MODES).toEqual({ 'contain-node': 'approve', 'restrict-database-network': 'approve' });
    expect(evaluateApproval(policyOf({}), subject({ changeClass: 'contain-node' }))).toEqual({
      mode: 'approve',
      changeClass: 'contain-node',
      ruleId: 'default',
      why: 'no rule matches and approval.defaults names no mode for contain-node: its built-in default, approve',
    });
    // A configured default wins over the built-in one.
    expect(evaluateApproval(policyOf({ defaults: { 'contain-node': 'auto' } }), subject({ changeClass: 'contain-node' }))).toMatchObject({ mode: 'auto', ruleId: 'default' });
    for (const changeClass of CHANGE_CLASSES.filter((c) => BUILT_IN_DEFAULT_MODES[c] === undefined)) {
      expect(evaluateApproval(policyOf({}), subject({ changeClass }))).toEqual({
        mode: 'auto',
        changeClass,
        ruleId: 'default',
        why: `no rule matches and approval.defaults names no mode for ${changeClass}: auto`,
      });
    }
  });

  it('a class default applies to that class only', () => {
    const policy = policyOf({ defaults: { isolate: 'approve' } });
    expect(evaluateApproval(policy, subject())).toMatchObject({ mode: 'approve', ruleId: 'default', why: 'no rule matches: the default for isolate (approval.defaults): approve' });
    expect(evaluateApproval(policy, subject({ changeClass: 'revoke-sessions' }))).toMatchObject({ mode: 'auto', ruleId: 'default' });
  });
});

describe('evaluateApproval: rules on trusted facts (account, severity)', () => {
  it('a rule for the account decides over the default, even when looser', () => {
    const policy = policyOf({ defaults: { isolate: 'approve' }, rules: [{ id: 'dev-auto', class: 'isolate', mode: 'auto', match: { accounts: [DEV] } }] });
    expect(evaluateApproval(policy, subject({ accountId: DEV }))).toMatchObject({ mode: 'auto', ruleId: 'dev-auto' });
    expect(evaluateApproval(policy, subject({ accountId: PROD }))).toMatchObject({ mode: 'approve', ruleId: 'default' });
    // An unknown account matches no rule that names accounts.
    expect(evaluateApproval(policy, subject({ accountId: null }))).toMatchObject({ mode: 'approve', ruleId: 'default' });
  });

  it('severity ranges include both ends', () => {
    const policy = policyOf({ rules: [{ id: 'mid', class: '*', mode: 'approve', match: { severity: { min: 4, max: 7 } } }] });
    expect(evaluateApproval(policy, subject({ severity: 4 })).ruleId).toBe('mid');
    expect(evaluateApproval(policy, subject({ severity: 7 })).ruleId).toBe('mid');
    expect(evaluateApproval(policy, subject({ severity: 3.9 })).ruleId).toBe('default');
    expect(evaluateApproval(policy, subject({ severity: 7.1 })).ruleId).toBe('default');
    const above = policyOf({ rules: [{ id: 'high', class: '*', mode: 'never', match: { severity: { min: 9 } } }] });
    expect(evaluateApproval(above, subject({ severity: 9.5 }))).toMatchObject({ mode: 'never', ruleId: 'high' });
  });

  it('a rule covers its class, its list of classes, or every class with "*"', () => {
    const policy = policyOf({
      rules: [
        { id: 'one', class: 'deactivate-key', mode: 'approve' },
        { id: 'two', class: ['detach-auto-scaling', 'detach-load-balancer'], mode: 'approve' },
      ],
    });
    expect(evaluateApproval(policy, subject({ changeClass: 'deactivate-key' })).ruleId).toBe('one');
    expect(evaluateApproval(policy, subject({ changeClass: 'detach-load-balancer' })).ruleId).toBe('two');
    expect(evaluateApproval(policy, subject({ changeClass: 'isolate' })).ruleId).toBe('default');
    const every = policyOf({ rules: [{ id: 'all', class: '*', mode: 'approve' }] });
    for (const changeClass of CHANGE_CLASSES) expect(evaluateApproval(every, subject({ changeClass })).ruleId).toBe('all');
  });

  it('the strictest matching rule wins; of equally strict ones, the first', () => {
    const policy = policyOf({
      rules: [
        { id: 'prod-auto', class: '*', mode: 'auto', match: { accounts: [PROD] } },
        { id: 'prod-approve-a', class: 'isolate', mode: 'approve', match: { accounts: [PROD] } },
        { id: 'prod-approve-b', class: 'isolate', mode: 'approve' },
      ],
    });
    expect(evaluateApproval(policy, subject())).toMatchObject({ mode: 'approve', ruleId: 'prod-approve-a' });
    expect(evaluateApproval(policy, subject({ changeClass: 'revoke-sessions' }))).toMatchObject({ mode: 'auto', ruleId: 'prod-auto' });
  });

  it('says which rule decided and what it matched on', () => {
    const policy = policyOf({ rules: [{ id: 'prod', class: 'isolate', mode: 'approve', match: { accounts: [PROD], severity: { max: 8 } } }] });
    expect(evaluateApproval(policy, subject()).why).toBe(`rule prod (isolate, account ${PROD}, severity 0 to 8): approve`);
  });
});

describe('evaluateApproval: tag rules only tighten', () => {
  const policy = policyOf({
    rules: [
      { id: 'dev-auto', class: '*', mode: 'auto', match: { accounts: [DEV] } },
      { id: 'prod-tag', class: 'isolate', mode: 'approve', match: { tags: { env: ['prod', 'production'] } } },
    ],
  });

  it('a matching tag rule replaces a looser decision, and says so', () => {
    const decided = evaluateApproval(policy, subject({ accountId: DEV, tags: { env: 'prod' } }));
    expect(decided).toMatchObject({ mode: 'approve', ruleId: 'prod-tag' });
    expect(decided.why).toContain('stricter than auto (rule dev-auto)');
  });

  it('tags compare without regard to case or surrounding spaces (matching more only ever tightens)', () => {
    expect(evaluateApproval(policy, subject({ accountId: DEV, tags: { ENV: ' Production ' } })).ruleId).toBe('prod-tag');
    expect(evaluateApproval(policy, subject({ accountId: DEV, tags: { env: 'staging' } })).ruleId).toBe('dev-auto');
  });

  it('a tag rule never replaces a decision that is as strict or stricter', () => {
    const strict = policyOf({
      rules: [
        { id: 'prod-never', class: 'isolate', mode: 'never', match: { accounts: [PROD] } },
        { id: 'prod-tag', class: 'isolate', mode: 'approve', match: { tags: { env: 'prod' } } },
      ],
    });
    expect(evaluateApproval(strict, subject({ tags: { env: 'prod' } }))).toMatchObject({ mode: 'never', ruleId: 'prod-never' });
  });

  it('every tag a rule names must be present', () => {
    const both = policyOf({ rules: [{ id: 'both', class: '*', mode: 'never', match: { tags: { env: 'prod', tier: 'db' } } }] });
    expect(evaluateApproval(both, subject({ tags: { env: 'prod' } })).ruleId).toBe('default');
    expect(evaluateApproval(both, subject({ tags: { env: 'prod', tier: 'DB' } })).ruleId).toBe('both');
  });

  it('a tag rule matches on its accounts and severity too', () => {
    const scoped = policyOf({ rules: [{ id: 'scoped', class: '*', mode: 'approve', match: { accounts: [PROD], severity: { max: 5 }, tags: { env: 'prod' } } }] });
    expect(evaluateApproval(scoped, subject({ tags: { env: 'prod' }, severity: 8 })).ruleId).toBe('default');
    expect(evaluateApproval(scoped, subject({ tags: { env: 'prod' }, severity: 5 })).ruleId).toBe('scoped');
    expect(evaluateApproval(scoped, subject({ tags: { env: 'prod' }, severity: 5, accountId: DEV })).ruleId).toBe('default');
  });
});

/* Properties over any configuration the schema accepts. */

const ACCOUNTS = [PROD, DEV, '333333333333'];
const TAG_KEYS = ['env', 'Env', 'tier', 'owner'];
const TAG_VALUES = ['prod', 'PROD', 'dev', 'db', ''];

const modeArb = fc.constantFrom<ApprovalMode>(...APPROVAL_MODES);
const classArb = fc.constantFrom(...CHANGE_CLASSES);
const severityArb = fc.integer({ min: 0, max: 100 }).map((n) => n / 10);
const tagsArb = fc.dictionary(fc.constantFrom(...TAG_KEYS), fc.constantFrom(...TAG_VALUES), { maxKeys: 3 });
const rangeArb = fc.tuple(fc.option(severityArb, { nil: undefined }), fc.option(severityArb, { nil: undefined })).filter(([a, b]) => a !== undefined || b !== undefined).map(([a, b]) => {
  const [min, max] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
});

function ruleArb(id: string, withTags: boolean | undefined) {
  return fc
    .record({
      class: fc.oneof(fc.constant('*' as const), classArb, fc.uniqueArray(classArb, { minLength: 1, maxLength: 3 })),
      accounts: fc.option(fc.uniqueArray(fc.constantFrom(...ACCOUNTS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
      severity: fc.option(rangeArb, { nil: undefined }),
      tags: withTags === false ? fc.constant(undefined) : withTags ? tagsArb.filter((t) => Object.keys(t).length > 0) : fc.option(tagsArb.filter((t) => Object.keys(t).length > 0), { nil: undefined }),
      mode: modeArb,
    })
    .map(({ accounts, severity, tags, mode, ...rest }) => {
      const match = { ...(accounts ? { accounts } : {}), ...(severity ? { severity } : {}), ...(tags ? { tags } : {}) };
      // The schema refuses "auto" on a tag rule: such a rule could only loosen.
      const safeMode: ApprovalMode = tags && mode === 'auto' ? 'approve' : mode;
      return { id, ...rest, mode: safeMode, ...(Object.keys(match).length > 0 ? { match } : {}) };
    });
}

const rulesArb = fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(`r${i}`, undefined))));
const policyArb = fc
  .record({ defaults: fc.dictionary(classArb, modeArb, { maxKeys: 3 }), rules: rulesArb })
  .map((input) => policyOf(input));
const subjectArb = fc.record({ changeClass: classArb, accountId: fc.option(fc.constantFrom(...ACCOUNTS), { nil: null }), severity: severityArb, tags: tagsArb });

const atLeastAsStrict = (a: ApprovalMode, b: ApprovalMode) => a === b || stricter(a, b);

describe('evaluateApproval: properties', () => {
  it('adding a tag to the resource never makes a decision looser', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, fc.constantFrom(...TAG_KEYS), fc.constantFrom(...TAG_VALUES), (policy, s, key, value) => {
        fc.pre(!(key in s.tags));
        const before = evaluateApproval(policy, s).mode;
        const after = evaluateApproval(policy, { ...s, tags: { ...s.tags, [key]: value } }).mode;
        expect(atLeastAsStrict(after, before)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('whatever the tags, the decision is at least as strict as for the untagged resource', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, (policy, s) => {
        expect(atLeastAsStrict(evaluateApproval(policy, s).mode, evaluateApproval(policy, { ...s, tags: {} }).mode)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('adding a tag-matched rule (anywhere in the list) never makes a decision looser', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, ruleArb('added', true), fc.nat(), (policy, s, added, at) => {
        const rules: ApprovalRule[] = [...policy.rules];
        rules.splice(at % (rules.length + 1), 0, added as ApprovalRule);
        const widened = policyOf({ ...policy, rules });
        expect(atLeastAsStrict(evaluateApproval(widened, s).mode, evaluateApproval(policy, s).mode)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('the decision is the mode of the rule it names (or the default), for the class asked about', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, (policy, s) => {
        const decided = evaluateApproval(policy, s);
        expect(decided.changeClass).toBe(s.changeClass);
        const mode = decided.ruleId === 'default' ? (policy.defaults[s.changeClass] ?? BUILT_IN_DEFAULT_MODES[s.changeClass] ?? 'auto') : policy.rules.find((r) => r.id === decided.ruleId)?.mode;
        expect(decided.mode).toBe(mode);
      }),
      { numRuns: 300 },
    );
  });

  it('the strictest matching rule wins: no rule that matches is stricter than the decision', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, (policy, s) => {
        const decided = evaluateApproval(policy, s);
        for (const rule of policy.rules) {
          // Alone (no defaults, so the default is auto and a tag rule is never auto), a rule names itself exactly when it matches.
          const matches = evaluateApproval(policyOf({ rules: [{ ...rule, mode: 'never' }] }), s).ruleId === rule.id;
          if (matches) expect(atLeastAsStrict(decided.mode, rule.mode)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
