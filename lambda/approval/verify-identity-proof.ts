import type { LedgerTable } from './decisions';
import {
  DECISION_BINDING_HEADER,
  decisionBinding,
  GET_CALLER_IDENTITY_QUERY,
  identityProofSchema,
  PROOF_CLOCK_SKEW_S,
  PROOF_EXPIRES_S,
  SIGV4_QUERY_PARAMETERS,
  type BoundDecision,
  type IdentityProof,
} from './identity-proof';
import { consumeNonce, PROOF_NONCES } from './nonces';

/*
 * Who decided, proven by STS, however the function was invoked
 * (identity-proof.ts says what the proof is). The function never fetches
 * anything the request names: it rebuilds the GetCallerIdentity request for
 * the STS endpoint of its own region (stsEndpoint, from the client seam),
 * copies only the SigV4 query parameters, and sends the binding header it
 * computes itself from the decision it is asked to record. STS then checks
 * the signature over all of it: a proof made for another decision, another
 * region or another endpoint does not verify. The checks before STS give a
 * clear refusal for what can be seen without it (shape, binding, age); the
 * nonce is spent only once STS has said who signed, so nobody can spend
 * another person's.
 *
 * Every refusal changes nothing: nothing is written before the proof holds.
 */

export interface ProofDependencies {
  /** The function's own region: the proof's credential scope must name it. */
  readonly region: string;
  /** The STS endpoint of that region (lambda/aws/sts-endpoint.ts), never a URL from a request. */
  readonly stsEndpoint: URL;
  /** Sends the rebuilt request (globalThis.fetch; tests stand in for STS). */
  readonly fetch: typeof fetch;
  /** Where the proof's nonce is spent (nonces.ts, PROOF_NONCES). */
  readonly ledger: LedgerTable;
  /** How long STS may take to answer. */
  readonly stsTimeoutMs?: number;
}

export interface ProvenIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

export type ProofRefusalReason =
  /** No proof: the request does not prove who sends it. */
  | 'unproven'
  /** Not a presigned GetCallerIdentity this function can rebuild. */
  | 'bad-proof'
  /** Signed too long ago (or in the future, beyond the clock skew allowed). */
  | 'proof-expired'
  /** Signed for another incident, decision or plan. */
  | 'proof-mismatch'
  /** Its nonce was already spent. */
  | 'proof-replayed'
  /** STS did not accept it (its error code is in `code`). */
  | 'sts-refused'
  /** STS could not be asked (network, timeout, an answer that is not STS's). */
  | 'sts-unavailable'
  /** The caller Lambda verified at the URL is not the principal that signed the proof. */
  | 'identity-mismatch';

export type ProofCheck =
  | { readonly status: 'verified'; readonly identity: ProvenIdentity }
  | { readonly status: 'refused'; readonly reason: ProofRefusalReason; readonly detail: string; readonly code?: string };

const refused = (reason: ProofRefusalReason, detail: string, code?: string): ProofCheck => ({ status: 'refused', reason, detail, ...(code ? { code } : {}) });

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Exactly these: the function can send no other header the operator might have signed. */
const SIGNED_HEADERS = `host;${DECISION_BINDING_HEADER}`;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const CREDENTIAL = /^([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]{1,32})\/([a-z0-9-]{1,32})\/aws4_request$/;
const SESSION_TOKEN = /^[A-Za-z0-9+/=_-]+$/;
const ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]{1,512}$/;

function signedAtMs(amzDate: string): number | undefined {
  const parts = AMZ_DATE.exec(amzDate);
  if (!parts) return undefined;
  const [, year, month, day, hour, minute, second] = parts;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  return Number.isNaN(ms) ? undefined : ms;
}

/** What can be checked without STS: the proof is a presigned GetCallerIdentity for this region, of the shape the CLI makes. */
function shapeProblem(proof: IdentityProof, region: string): string | undefined {
  const query = proof.query;
  if (query['X-Amz-Algorithm'] !== ALGORITHM) return `X-Amz-Algorithm must be ${ALGORITHM}`;
  const credential = CREDENTIAL.exec(query['X-Amz-Credential']);
  if (!credential) return 'X-Amz-Credential is not <access key>/<date>/<region>/<service>/aws4_request';
  const [, , scopeDate, scopeRegion, scopeService] = credential;
  if (scopeService !== 'sts') return `the proof is signed for the service ${scopeService}, not sts`;
  if (scopeRegion !== region) return `the proof is signed for the region ${scopeRegion}; this function asks STS in ${region}`;
  if (!AMZ_DATE.test(query['X-Amz-Date']) || !query['X-Amz-Date'].startsWith(scopeDate!)) return 'X-Amz-Date is not the yyyymmddThhmmssZ of the credential scope date';
  if (!/^\d{1,4}$/.test(query['X-Amz-Expires'])) return 'X-Amz-Expires is not a number of seconds';
  const expires = Number(query['X-Amz-Expires']);
  if (expires < 1 || expires > PROOF_EXPIRES_S) return `X-Amz-Expires must be 1 to ${PROOF_EXPIRES_S} seconds (was ${expires})`;
  if (query['X-Amz-SignedHeaders'] !== SIGNED_HEADERS) return `X-Amz-SignedHeaders must be ${SIGNED_HEADERS}: the host and the decision binding, signed (was ${query['X-Amz-SignedHeaders']})`;
  if (!/^[0-9a-f]{64}$/.test(query['X-Amz-Signature'])) return 'X-Amz-Signature is not 64 hex digits';
  const token = query['X-Amz-Security-Token'];
  if (token !== undefined && !SESSION_TOKEN.test(token)) return 'X-Amz-Security-Token has characters no session token has';
  return undefined;
}

/** The one request sent: GET to the fixed endpoint, the fixed action, the proof's SigV4 parameters and nothing else from it. */
export function rebuiltRequest(endpoint: URL, proof: IdentityProof): URL {
  const url = new URL(endpoint.href);
  url.search = '';
  url.hash = '';
  for (const [name, value] of Object.entries(GET_CALLER_IDENTITY_QUERY)) url.searchParams.set(name, value);
  for (const name of SIGV4_QUERY_PARAMETERS) {
    const value = proof.query[name];
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  return match?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity] ?? '').trim();
}

/** STS's answer (the Query protocol's XML): the identity, or its error code and message. */
export function parseStsAnswer(status: number, body: string): ProofCheck {
  if (status === 200) {
    const result = /<GetCallerIdentityResult>([\s\S]*?)<\/GetCallerIdentityResult>/.exec(body)?.[1];
    const arn = result === undefined ? undefined : xmlText(result, 'Arn');
    const account = result === undefined ? undefined : xmlText(result, 'Account');
    const userId = result === undefined ? undefined : xmlText(result, 'UserId');
    if (!arn || !ARN.test(arn) || !account || !/^\d{12}$/.test(account) || !userId) return refused('sts-unavailable', `STS answered HTTP 200 without a GetCallerIdentity result this function can read`);
    if (arnAccount(arn) !== account) return refused('sts-unavailable', `STS answered an ARN (${arn}) outside the account it names (${account})`);
    return { status: 'verified', identity: { arn, account, userId } };
  }
  const code = xmlText(body, 'Code');
  if (status >= 500 || !code) return refused('sts-unavailable', `STS answered HTTP ${status}${code ? ` (${code})` : ''}: the decision was not recorded; try again`, code);
  const message = xmlText(body, 'Message') ?? '';
  return refused('sts-refused', `STS refused the identity proof: ${code}${message ? `: ${message.slice(0, 300)}` : ''}`, code);
}

function arnAccount(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+::(\d{12}):/.exec(arn)?.[1];
}

/**
 * One principal, however its ARN is written: Lambda's URL authorizer and
 * STS both write an assumed-role session as
 * arn:<partition>:sts::<account>:assumed-role/<role>/<session> and a user as
 * arn:<partition>:iam::<account>:user/<path><name>. Role and user names are
 * unique in an account whatever their case (IAM), so they are compared
 * without it; the path is not part of who. Anything else is compared as is.
 */
export function principalOf(arn: string): string {
  const parts = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!parts) return arn;
  const [, partition, , account, resource] = parts as unknown as [string, string, string, string, string];
  const session = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
  if (session) return `${partition}:${account}:assumed-role/${session[1]!.toLowerCase()}/${session[2]}`;
  const user = /^user\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (user) return `${partition}:${account}:user/${user[1]!.toLowerCase()}`;
  return `${partition}:${account}:${resource}`;
}

async function askSts(deps: ProofDependencies, proof: IdentityProof, binding: string): Promise<ProofCheck> {
  let answer: Response;
  try {
    answer = await deps.fetch(rebuiltRequest(deps.stsEndpoint, proof), {
      method: 'GET',
      headers: { [DECISION_BINDING_HEADER]: binding },
      // STS never redirects; following one would send the proof somewhere else.
      redirect: 'error',
      signal: AbortSignal.timeout(deps.stsTimeoutMs ?? 5_000),
    });
  } catch (error) {
    return refused('sts-unavailable', `STS could not be reached (${error instanceof Error ? error.name : 'error'}): the decision was not recorded; try again`);
  }
  return parseStsAnswer(answer.status, await answer.text());
}

export interface ProofSubject {
  /** The decision the function is asked to record: the proof must be bound to exactly this. */
  readonly decision: Omit<BoundDecision, 'nonce'>;
  /** The request body's proof, unparsed. */
  readonly proof: unknown;
  /** The caller ARN Lambda verified at the function URL, if the event came through it (or claims to). */
  readonly urlCaller: string | undefined;
  readonly now: number;
}

export async function verifyIdentityProof(deps: ProofDependencies, subject: ProofSubject): Promise<ProofCheck> {
  if (subject.proof === undefined) {
    return refused('unproven', 'the decision carries no identity proof (a presigned sts:GetCallerIdentity bound to it): use `ir approve` / `ir deny`, which sign one with your credentials');
  }
  const parsed = identityProofSchema.safeParse(subject.proof);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refused('bad-proof', `the identity proof is not valid: ${issue?.path.join('.') || 'proof'}: ${issue?.message ?? ''}`);
  }
  const proof = parsed.data;
  const problem = shapeProblem(proof, deps.region);
  if (problem) return refused('bad-proof', `the identity proof is not valid: ${problem}`);

  const binding = decisionBinding({ ...subject.decision, nonce: proof.nonce });
  if (proof.binding !== binding) {
    return refused('proof-mismatch', 'the identity proof was signed for another decision (incident, approve or deny, plan hash or reason): it proves nothing about this one');
  }

  const signedAt = signedAtMs(proof.query['X-Amz-Date']);
  if (signedAt === undefined) return refused('bad-proof', 'the identity proof is not valid: X-Amz-Date is not a date');
  const expiresAt = signedAt + Number(proof.query['X-Amz-Expires']) * 1000;
  if (signedAt > subject.now + PROOF_CLOCK_SKEW_S * 1000) return refused('proof-expired', `the identity proof is dated ${new Date(signedAt).toISOString()}, in the future: check this machine's clock`);
  if (subject.now > expiresAt + PROOF_CLOCK_SKEW_S * 1000) return refused('proof-expired', `the identity proof expired at ${new Date(expiresAt).toISOString()}: run the command again`);

  const sts = await askSts(deps, proof, binding);
  if (sts.status !== 'verified') return sts;

  if (subject.urlCaller !== undefined && principalOf(subject.urlCaller) !== principalOf(sts.identity.arn)) {
    return refused('identity-mismatch', `the request was sent as ${subject.urlCaller} but its identity proof is signed by ${sts.identity.arn}: both must be the same principal`);
  }

  // Kept until long after the proof could be presented again: past that, the age check refuses it first.
  const nonce = await consumeNonce(deps.ledger, proof.nonce, subject.decision.incidentId, new Date(subject.now).toISOString(), (expiresAt + PROOF_CLOCK_SKEW_S * 1000) / 1000, PROOF_NONCES);
  if (nonce.status === 'replayed') return refused('proof-replayed', nonce.detail);
  return sts;
}
