import { parseFindings } from '../../../lambda/finding/parse';
import { uniqueIdInPrincipalId } from '../../../lambda/playbooks/revoke-credentials/acting-principal';
import { ROLE_IDS, USER_IDS } from '../../support/aws-mocks/iam-unique-ids';
import { loadFixtures } from '../../support/fixtures';

/*
 * The fixtures and the IAM mocks tell the same story: the principalId of
 * every fixture's IAM user or role is the UserId / RoleId the mocks answer
 * for that name (test/support/aws-mocks/iam-unique-ids.ts). revoke-credentials
 * refuses a principal whose id differs, so a fixture drifting from the mocks
 * would turn a test of a revocation into a test of a refusal. The fixtures
 * that are about a principal that is NOT ours are listed, with why.
 */

const NOT_OUR_PRINCIPAL: Readonly<Record<string, string>> = {
  'revoke-credentials/exfiltration-s3-cross-account': 'a role of account 999999999999 named like ours',
  'revoke-credentials/exfiltration-s3-role-id-mismatch': 'a role id that is not our role of that name',
};

const PLACEHOLDER = /^GeneratedFinding/;

function stemOf(name: string): string {
  return name.replace(/\.(event|raw|get-findings)\.json$/, '');
}

describe('fixture principalIds and the IAM mocks', () => {
  const cases = loadFixtures().flatMap((fixture) =>
    parseFindings(fixture.json).flatMap((finding) => {
      const details = finding.resource?.accessKeyDetails;
      const name = details?.userName;
      if (!details || !name || PLACEHOLDER.test(name)) return [];
      const kind: 'user' | 'role' | undefined = details.userType === 'IAMUser' ? 'user' : details.userType === 'AssumedRole' || details.userType === 'Role' ? 'role' : undefined;
      return kind ? [{ fixture: fixture.name, kind, name, principalId: details.principalId ?? null }] : [];
    }),
  );

  it('finds the IAM users and roles of the fixtures', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.fixture, c] as const))('%s: principalId names the id the mocks give that principal', (_, c) => {
    const table = c.kind === 'user' ? USER_IDS : ROLE_IDS;
    const id = uniqueIdInPrincipalId(c.kind, c.principalId);
    if (NOT_OUR_PRINCIPAL[stemOf(c.fixture)]) expect(id).not.toBe(table[c.name]);
    else expect(id).toBe(table[c.name]);
  });
});
