import { approvalLinks, TOKEN_PARAMETER } from '../../../lambda/approval/link';
import { signToken, verifyToken, type ApprovalToken } from '../../../lambda/approval/token';
import { INCIDENT, NOW, PLAN_HASH, testMacKey } from './support';

/*
 * The approval link's token (lambda/approval/token.ts): valid only as
 * signed by the stack's key, unchanged, and before its expiry; bound to the
 * incident, the plan hash and the decision.
 */

const TOKEN: ApprovalToken = { incidentId: INCIDENT, planHash: PLAN_HASH, decision: 'approve', expiresAt: NOW / 1000 + 3600, nonce: 'n'.repeat(24) };

function editPayload(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [version, payload, mac] = token.split('.') as [string, string, string];
  const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(json);
  return `${version}.${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
}

describe('approval token', () => {
  it('verifies a token it signed, giving back what it binds', async () => {
    const key = testMacKey();
    const token = await signToken(key, TOKEN);
    await expect(verifyToken(key, token, NOW)).resolves.toEqual({ status: 'valid', token: TOKEN });
  });

  it('refuses a token signed with another key (forged)', async () => {
    const token = await signToken(testMacKey(), TOKEN);
    await expect(verifyToken(testMacKey(), token, NOW)).resolves.toMatchObject({ status: 'refused', reason: 'forged' });
  });

  it.each([
    ['another incident', (p: Record<string, unknown>) => (p.i = 'instance#123456789012#us-east-1#i-other')],
    ['another plan', (p: Record<string, unknown>) => (p.h = 'c'.repeat(64))],
    ['the other decision', (p: Record<string, unknown>) => (p.d = 'deny')],
    ['a later expiry', (p: Record<string, unknown>) => (p.e = (p.e as number) + 86_400)],
    ['another nonce', (p: Record<string, unknown>) => (p.n = 'm'.repeat(24))],
  ])('refuses a token edited to name %s (forged)', async (_what, edit) => {
    const key = testMacKey();
    const token = editPayload(await signToken(key, TOKEN), edit);
    await expect(verifyToken(key, token, NOW)).resolves.toMatchObject({ status: 'refused', reason: 'forged' });
  });

  it('refuses an expired token, at and after its expiry', async () => {
    const key = testMacKey();
    const token = await signToken(key, TOKEN);
    await expect(verifyToken(key, token, TOKEN.expiresAt * 1000)).resolves.toMatchObject({ status: 'refused', reason: 'expired' });
    await expect(verifyToken(key, token, TOKEN.expiresAt * 1000 - 1)).resolves.toMatchObject({ status: 'valid' });
  });

  it.each([undefined, '', 'v1.abc', 'v2.abc.def', 'v1.a b.c', `v1.${'a'.repeat(3000)}.b`])('refuses %p as malformed without asking KMS', async (text) => {
    const key = testMacKey();
    await expect(verifyToken(key, text, NOW)).resolves.toMatchObject({ status: 'refused', reason: 'malformed' });
    expect(key.calls.verify).toBe(0);
  });

  it('makes an approve and a deny link on the given URL, each with its own nonce', async () => {
    const key = testMacKey();
    const links = await approvalLinks(key, { baseUrl: 'https://abc.lambda-url.us-east-1.on.aws/', incidentId: INCIDENT, planHash: PLAN_HASH, expiresAt: new Date(NOW + 3_600_000) });
    const tokens = await Promise.all(
      [links.approve, links.deny].map(async (link) => {
        const url = new URL(link);
        expect(url.origin).toBe('https://abc.lambda-url.us-east-1.on.aws');
        const check = await verifyToken(key, url.searchParams.get(TOKEN_PARAMETER) ?? undefined, NOW);
        if (check.status !== 'valid') throw new Error(check.detail);
        return check.token;
      }),
    );
    expect(tokens.map((t) => t.decision)).toEqual(['approve', 'deny']);
    expect(tokens[0]!.nonce).not.toBe(tokens[1]!.nonce);
    expect(tokens[0]).toMatchObject({ incidentId: INCIDENT, planHash: PLAN_HASH, expiresAt: NOW / 1000 + 3600 });
  });
});
