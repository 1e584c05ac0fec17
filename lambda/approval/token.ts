import { randomBytes } from 'node:crypto';
import * as z from '../zod';
import { generateMac, MAC_LENGTH, verifyMac, type MacKey } from './mac-key';

/*
 * The token of an emailed approval link: the incident, the plan hash, the
 * decision, an expiry and a nonce, tagged with a KMS HMAC key (mac-key.ts).
 *
 *   v1.<payload, base64url JSON>.<HMAC-SHA-256 of "ir-approval-link-v1\n" + payload part, base64url>
 *
 * Nothing in the payload is believed before the MAC is checked; the expiry
 * is checked after. A token is single-use: its nonce is consumed by a
 * conditional ledger write when the link decides (nonces.ts), so a
 * replayed link changes nothing. It binds the plan hash, so a link for a
 * plan that has since changed is refused by the decision's own condition.
 * The token is a bearer credential for one decision on one plan: it is
 * never logged.
 */

export const TOKEN_VERSION = 'v1';
const MAC_CONTEXT = 'ir-approval-link-v1\n';
/** Longer than any token this code makes: a longer one is refused before KMS is asked. */
export const TOKEN_MAX_LENGTH = 2048;

const payloadSchema = z.strictObject({
  i: z.string().check(z.minLength(1), z.maxLength(256)),
  h: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  d: z.enum(['approve', 'deny']),
  e: z.number().check(z.int(), z.positive()),
  n: z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/)),
});

export interface ApprovalToken {
  readonly incidentId: string;
  readonly planHash: string;
  readonly decision: 'approve' | 'deny';
  /** Expiry, epoch seconds. */
  readonly expiresAt: number;
  readonly nonce: string;
}

export type TokenRefusal = 'malformed' | 'forged' | 'expired';

export type TokenCheck = { readonly status: 'valid'; readonly token: ApprovalToken } | { readonly status: 'refused'; readonly reason: TokenRefusal; readonly detail: string };

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

function macMessage(payloadPart: string): Uint8Array {
  return encoder.encode(`${MAC_CONTEXT}${payloadPart}`);
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export async function signToken(key: MacKey, token: ApprovalToken): Promise<string> {
  const payload = payloadSchema.parse({ i: token.incidentId, h: token.planHash, d: token.decision, e: token.expiresAt, n: token.nonce });
  const payloadPart = b64url(JSON.stringify(payload));
  const mac = await generateMac(key, macMessage(payloadPart));
  return `${TOKEN_VERSION}.${payloadPart}.${b64url(mac)}`;
}

const refused = (reason: TokenRefusal, detail: string): TokenCheck => ({ status: 'refused', reason, detail });

/** Checks a token's shape, then its MAC (KMS), then its expiry; `now` in epoch milliseconds. */
export async function verifyToken(key: MacKey, text: string | undefined, now: number): Promise<TokenCheck> {
  if (!text) return refused('malformed', 'the link carries no approval token');
  if (text.length > TOKEN_MAX_LENGTH) return refused('malformed', 'the approval token is longer than any this stack makes');
  const parts = text.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) {
    return refused('malformed', 'the approval token is not one this stack makes (cut or edited link?)');
  }
  const [, payloadPart, macPart] = parts as [string, string, string];
  const mac = new Uint8Array(Buffer.from(macPart, 'base64url'));
  // A cut tag (even an empty one) is not KMS's to judge: asking would be an error, not a refusal.
  if (mac.length !== MAC_LENGTH) return refused('malformed', 'the approval token is not one this stack makes (cut or edited link?)');
  const valid = await verifyMac(key, macMessage(payloadPart), mac);
  if (!valid) return refused('forged', 'the approval token was not signed by this stack, or was changed after signing');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return refused('malformed', 'the approval token is signed but unreadable');
  }
  const payload = payloadSchema.safeParse(json);
  if (!payload.success) return refused('malformed', 'the approval token is signed but does not hold a decision');
  const { i, h, d, e, n } = payload.data;
  if (e * 1000 <= now) return refused('expired', `the link expired at ${new Date(e * 1000).toISOString()}`);
  return { status: 'valid', token: { incidentId: i, planHash: h, decision: d, expiresAt: e, nonce: n } };
}
