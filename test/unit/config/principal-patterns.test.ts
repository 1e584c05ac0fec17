import fc from 'fast-check';
import { parseRuntimeConfig } from '../../../lambda/config/schema';
import { matchingPrincipalPattern } from '../../../lambda/iam/principal-patterns';

const ACCOUNT = '111122223333';
const role = (name: string, accountId: string | null = ACCOUNT) => ({ kind: 'role' as const, name, accountId });
const user = (name: string, accountId: string | null = ACCOUNT) => ({ kind: 'user' as const, name, accountId });

describe('credentials in the configuration', () => {
  it('defaults to no exempt and no protected principal', () => {
    expect(parseRuntimeConfig({}, 'test').credentials).toEqual({ exemptPrincipals: [], protectedPrincipals: [] });
    expect(parseRuntimeConfig({ credentials: {} }, 'test').credentials).toEqual({ exemptPrincipals: [], protectedPrincipals: [] });
  });

  it('takes role and user ARNs, with * in the account or the name', () => {
    const credentials = {
      exemptPrincipals: ['arn:aws:iam::111122223333:user/honeypot'],
      protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::111122223333:role/ops-*', 'arn:aws:iam::111122223333:user/a+b=c,d.e@f_g-h'],
    };
    expect(parseRuntimeConfig({ credentials }, 'test').credentials).toEqual(credentials);
  });

  it.each([
    ['a path', 'arn:aws:iam::111122223333:role/team/BreakGlass'],
    ['a short account', 'arn:aws:iam::1111:role/BreakGlass'],
    ['a wildcard in part of the account', 'arn:aws:iam::1111*:role/BreakGlass'],
    ['a group', 'arn:aws:iam::111122223333:group/admins'],
    ['a role session', 'arn:aws:sts::111122223333:assumed-role/BreakGlass/s'],
    ['a bare name', 'BreakGlass'],
    ['a ? wildcard', 'arn:aws:iam::111122223333:role/Break?lass'],
    ['a space', 'arn:aws:iam::111122223333:role/Break Glass'],
    ['an empty name', 'arn:aws:iam::111122223333:role/'],
    ['a name over 64 characters', `arn:aws:iam::111122223333:role/${'a'.repeat(65)}`],
  ])('rejects %s with a message naming the key and the expected form', (_what, pattern) => {
    expect(() => parseRuntimeConfig({ credentials: { protectedPrincipals: [pattern] } }, 'cdk.json')).toThrow(
      /invalid configuration in cdk\.json: "credentials\.protectedPrincipals\.0": must be an IAM role or user ARN without a path, such as "arn:aws:iam::111122223333:role\/BreakGlass"/,
    );
  });

  it('rejects unknown keys under credentials', () => {
    expect(() => parseRuntimeConfig({ credentials: { exemptTags: [] } }, 'cdk.json')).toThrow(/unknown key "credentials.exemptTags"/);
  });
});

describe('matchingPrincipalPattern', () => {
  it('matches the exact principal, its kind and its account', () => {
    const patterns = ['arn:aws:iam::111122223333:role/BreakGlass'];
    expect(matchingPrincipalPattern(patterns, role('BreakGlass'))).toBe(patterns[0]);
    expect(matchingPrincipalPattern(patterns, user('BreakGlass'))).toBeUndefined();
    expect(matchingPrincipalPattern(patterns, role('BreakGlass', '444455556666'))).toBeUndefined();
  });

  it('is anchored: no prefix, suffix or substring match without a *', () => {
    const patterns = ['arn:aws:iam::111122223333:role/Admin'];
    for (const name of ['AdminHelper', 'XAdmin', 'Admi', 'Admin2', 'the-Admin-role']) expect(matchingPrincipalPattern(patterns, role(name))).toBeUndefined();
  });

  it('compares names case-insensitively, as IAM identifies them', () => {
    expect(matchingPrincipalPattern(['arn:aws:iam::111122223333:role/BreakGlass'], role('BREAKGLASS'))).toBeDefined();
    expect(matchingPrincipalPattern(['arn:aws:iam::111122223333:user/ops-*'], user('OPS-alice'))).toBeDefined();
  });

  it('* stands for any run of characters, including none; other characters are literal', () => {
    const patterns = ['arn:aws:iam::*:role/ops-*-admin'];
    expect(matchingPrincipalPattern(patterns, role('ops--admin', '999988887777'))).toBeDefined();
    expect(matchingPrincipalPattern(patterns, role('ops-eu-west-admin'))).toBeDefined();
    expect(matchingPrincipalPattern(patterns, role('ops-eu-west-admin2'))).toBeUndefined();
    // '.' is a literal dot in a name, never a regex wildcard.
    expect(matchingPrincipalPattern(['arn:aws:iam::111122223333:user/a.b'], user('axb'))).toBeUndefined();
    expect(matchingPrincipalPattern(['arn:aws:iam::111122223333:user/a.b'], user('a.b'))).toBeDefined();
  });

  it('an unknown account is matched on the kind and the name: these patterns only ever stop the responder', () => {
    expect(matchingPrincipalPattern(['arn:aws:iam::111122223333:role/BreakGlass'], role('BreakGlass', null))).toBeDefined();
  });

  it('a pattern without * matches exactly the names equal to it, ignoring case', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\w+=,.@-]{1,20}$/), fc.stringMatching(/^[\w+=,.@-]{1,20}$/), (patternName, name) => {
        const matched = matchingPrincipalPattern([`arn:aws:iam::${ACCOUNT}:user/${patternName}`], user(name)) !== undefined;
        expect(matched).toBe(patternName.toLowerCase() === name.toLowerCase());
      }),
    );
  });
});
