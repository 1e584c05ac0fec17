import { createHash } from 'node:crypto';
import * as z from '../zod';

/*
 * The proof of who decides, sent with every `ir approve` and `ir deny`: an
 * STS GetCallerIdentity request presigned (SigV4, query parameters) with
 * the operator's own credentials, which also signs one header binding it to
 * this exact decision. The decision function sends it to STS itself and
 * records the ARN STS answers. Only the holder of the credentials can make
 * it, STS checks it, and it names one decision: whoever reaches the function
 * (through its URL or by a direct invoke) cannot name someone else.
 *
 * What both sides must agree on lives here: the request presigned (fixed
 * action, version, path and method), the binding header and its value, and
 * the proof's shape on the wire. The CLI makes it
 * (cli/approval/identity-proof.ts); the function checks it
 * (verify-identity-proof.ts).
 */

/** The header the operator signs, whose value binds the proof to one decision. */
export const DECISION_BINDING_HEADER = 'x-ir-decision';

/** The one request a proof may be: GET / with these query parameters, to the STS endpoint of the function's region. */
export const GET_CALLER_IDENTITY_QUERY: Readonly<Record<string, string>> = { Action: 'GetCallerIdentity', Version: '2011-06-15' };

/** How long the presigned request is valid (X-Amz-Expires): long enough to reach the function, short enough to be of no use afterwards. */
export const PROOF_EXPIRES_S = 60;

/** Clock difference allowed between the operator's machine and the function, either way, on top of the expiry. */
export const PROOF_CLOCK_SKEW_S = 30;

export interface BoundDecision {
  readonly incidentId: string;
  readonly decision: 'approve' | 'deny';
  readonly planHash: string;
  /** The reason recorded with the decision, exactly as sent (absent: none). */
  readonly reason?: string;
  readonly nonce: string;
}

/**
 * The value of the binding header: SHA-256 of the decision (incident,
 * approve or deny, plan hash, and the reason recorded with it) and a fresh
 * nonce, in an unambiguous encoding (a JSON array, so no field can run into
 * the next) with a version tag of its own.
 */
export function decisionBinding(bound: BoundDecision): string {
  return createHash('sha256').update(JSON.stringify(['ir-decision-proof-v1', bound.incidentId, bound.decision, bound.planHash, bound.reason ?? null, bound.nonce])).digest('hex');
}

/** The SigV4 query parameters a presigned request carries: the only ones the function copies into the request it sends. */
export const SIGV4_QUERY_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'] as const;

const bounded = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const identityProofSchema = z.strictObject({
  /** Fresh per decision, single use (the function records it): base64url of at least 128 random bits. */
  nonce: z.string().check(z.regex(/^[A-Za-z0-9_-]{22,64}$/)),
  /** The binding header's value the operator signed (decisionBinding). */
  binding: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** The SigV4 query parameters of the presigned GetCallerIdentity, and nothing else: no URL, no host, no other header. */
  query: z.strictObject({
    'X-Amz-Algorithm': bounded(32),
    'X-Amz-Credential': bounded(256),
    'X-Amz-Date': bounded(16),
    'X-Amz-Expires': bounded(8),
    'X-Amz-SignedHeaders': bounded(256),
    'X-Amz-Signature': bounded(64),
    // A session token (temporary credentials) can be long: STS's own tokens reach a few kilobytes.
    'X-Amz-Security-Token': z.optional(bounded(8192)),
  }),
});

export type IdentityProof = z.infer<typeof identityProofSchema>;
