import { DisabledException, GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { approvalLinks, TOKEN_PARAMETER } from '../../../lambda/approval/link';
import { signToken, verifyToken, type ApprovalToken } from '../../../lambda/approval/token';
import { answerAsKms, INCIDENT, LINK_KEY_ID, macKey, NOW, OTHER_KEY_ID, PLAN_HASH } from './support';

/*
 * The approval link's token (lambda/approval/token.ts): valid only as
 * signed by the stack's KMS HMAC key, unchanged, and before its expiry;
 * bound to the incident, the plan hash and the decision. KMS is mocked
 * (support.ts answers as KMS does); each call's exact parameters are
 * asserted.
 */

const kms = mockClient(KMSClient);
const key = macKey();

const TOKEN: ApprovalToken = { incidentId: INCIDENT, planHash: PLAN_HASH, decision: 'approve', expiresAt: NOW / 1000 + 3600, nonce: 'n'.repeat(24) };

/** What the MAC covers: the context line, then the token's payload part as it is in the link. */
const macMessage = (token: string) => new TextEncoder().encode(`ir-approval-link-v1\n${token.split('.')[1]!}`);

function editPayload(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [version, payload, mac] = token.split('.') as [string, string, string];
  const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(json);
  return `${version}.${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
}

beforeEach(() => {
  kms.reset();
  answerAsKms(kms);
});

describe('signing', () => {
  it('asks KMS for an HMAC_SHA_256 MAC of the context line and payload with the link key, and puts KMS’s MAC in the token', async () => {
    const mac = new Uint8Array(32).fill(7);
    kms.on(GenerateMacCommand).resolves({ KeyId: LINK_KEY_ID, MacAlgorithm: 'HMAC_SHA_256', Mac: mac });
    const token = await signToken(key, TOKEN);
    const [version, payload, tag] = token.split('.') as [string, string, string];
    expect(version).toBe('v1');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual({ i: INCIDENT, h: PLAN_HASH, d: 'approve', e: TOKEN.expiresAt, n: TOKEN.nonce });
    expect(tag).toBe(Buffer.from(mac).toString('base64url'));
    expect(kms.commandCalls(GenerateMacCommand).map((call) => call.args[0].input)).toEqual([{ KeyId: LINK_KEY_ID, MacAlgorithm: 'HMAC_SHA_256', Message: macMessage(token) }]);
  });

  it('fails, typed, when KMS answers without a MAC: no link without a tag', async () => {
    kms.on(GenerateMacCommand).resolves({ KeyId: LINK_KEY_ID, MacAlgorithm: 'HMAC_SHA_256' });
    await expect(signToken(key, TOKEN)).rejects.toMatchObject({ name: 'UnparseableResponse', code: 'UnparseableResponse' });
  });

  it('fails with KMS’s own error when KMS refuses', async () => {
    kms.on(GenerateMacCommand).rejects(new DisabledException({ message: 'key is disabled', $metadata: { httpStatusCode: 400 } }));
    await expect(signToken(key, TOKEN)).rejects.toMatchObject({ name: 'DisabledException', message: 'key is disabled' });
  });
});

describe('verifying', () => {
  it('verifies a token it signed with one VerifyMac of the link key, giving back what it binds', async () => {
    const token = await signToken(key, TOKEN);
    await expect(verifyToken(key, token, NOW)).resolves.toEqual({ status: 'valid', token: TOKEN });
    expect(kms.commandCalls(VerifyMacCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: LINK_KEY_ID, MacAlgorithm: 'HMAC_SHA_256', Message: macMessage(token), Mac: new Uint8Array(Buffer.from(token.split('.')[2]!, 'base64url')) },
    ]);
  });

  it('refuses a token signed with another key (forged): KMS answers KMSInvalidMacException', async () => {
    const token = await signToken(macKey(OTHER_KEY_ID), TOKEN);
    await expect(verifyToken(key, token, NOW)).resolves.toEqual({
      status: 'refused',
      reason: 'forged',
      detail: 'the approval token was not signed by this stack, or was changed after signing',
    });
    expect(kms.commandCalls(VerifyMacCommand)[0]!.args[0].input.KeyId).toBe(LINK_KEY_ID);
  });

  it('refuses a token KMS does not call valid, even without an error (forged)', async () => {
    kms.on(VerifyMacCommand).resolves({ KeyId: LINK_KEY_ID, MacAlgorithm: 'HMAC_SHA_256', MacValid: false });
    await expect(verifyToken(key, await signToken(key, TOKEN), NOW)).resolves.toMatchObject({ status: 'refused', reason: 'forged' });
  });

  it.each([
    ['another incident', (p: Record<string, unknown>) => (p.i = 'instance#123456789012#us-east-1#i-other')],
    ['another plan', (p: Record<string, unknown>) => (p.h = 'c'.repeat(64))],
    ['the other decision', (p: Record<string, unknown>) => (p.d = 'deny')],
    ['a later expiry', (p: Record<string, unknown>) => (p.e = (p.e as number) + 86_400)],
    ['another nonce', (p: Record<string, unknown>) => (p.n = 'm'.repeat(24))],
  ])('refuses a token edited to name %s (forged)', async (_what, edit) => {
    const token = editPayload(await signToken(key, TOKEN), edit);
    await expect(verifyToken(key, token, NOW)).resolves.toMatchObject({ status: 'refused', reason: 'forged' });
  });

  it.each([
    ['the key is disabled', new DisabledException({ message: 'arn is disabled', $metadata: { httpStatusCode: 400 } })],
    ['the role may not use the key', Object.assign(new Error('not authorized to perform: kms:VerifyMac'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } })],
    ['KMS throttles', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
  ])('does not call a token forged when %s: KMS’s error is thrown, with its name', async (_what, error) => {
    const token = await signToken(key, TOKEN);
    kms.on(VerifyMacCommand).rejects(error);
    await expect(verifyToken(key, token, NOW)).rejects.toMatchObject({ name: error.name, message: error.message });
  });

  it('refuses an expired token, at and after its expiry', async () => {
    const token = await signToken(key, TOKEN);
    await expect(verifyToken(key, token, TOKEN.expiresAt * 1000)).resolves.toMatchObject({ status: 'refused', reason: 'expired' });
    await expect(verifyToken(key, token, TOKEN.expiresAt * 1000 - 1)).resolves.toMatchObject({ status: 'valid' });
  });

  it.each([
    undefined,
    '',
    'v1.abc',
    'v2.abc.def',
    'v1.a b.c',
    `v1.${'a'.repeat(3000)}.b`,
    // A tag of no bytes, one cut short, one too long: no HMAC-SHA-256 tag KMS made.
    'v1.abc.d',
    `v1.abc.${Buffer.alloc(31, 1).toString('base64url')}`,
    `v1.abc.${Buffer.alloc(33, 1).toString('base64url')}`,
  ])('refuses %p as malformed without asking KMS', async (text) => {
    await expect(verifyToken(key, text, NOW)).resolves.toMatchObject({ status: 'refused', reason: 'malformed' });
    expect(kms.calls()).toHaveLength(0);
  });
});

it('makes an approve and a deny link on the given URL, each with its own nonce, each MAC from KMS', async () => {
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
  expect(kms.commandCalls(GenerateMacCommand).map((call) => [call.args[0].input.KeyId, call.args[0].input.MacAlgorithm])).toEqual([
    [LINK_KEY_ID, 'HMAC_SHA_256'],
    [LINK_KEY_ID, 'HMAC_SHA_256'],
  ]);
});
