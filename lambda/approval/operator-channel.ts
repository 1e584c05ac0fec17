import * as z from '../zod';
import { applyDecision, type AppliedDecision, type DecisionDependencies } from './apply-decision';
import { bodyText, queryParameter, verifiedCaller, type FunctionUrlEvent } from './function-url-event';
import { listPendingApprovals, readApproval } from './pending-approval';
import { verifyIdentityProof, type ProofDependencies, type ProofRefusalReason } from './verify-identity-proof';

/*
 * The decision function of people with AWS credentials: `ir approve`, `ir
 * deny` and `ir pending` call its function URL (AuthType AWS_IAM) signed
 * with the operator's own credentials, so IAM decides who may approve
 * (lambda:InvokeFunctionUrl on this function).
 *
 * Who decided is what STS says, not what the event says: the caller ARN in
 * requestContext is only as true as the way the event came (a direct
 * lambda:InvokeFunction can hand-make it), so every decision carries an
 * identity proof, a GetCallerIdentity the operator presigned and bound to
 * this decision, which the function sends to STS (verify-identity-proof.ts);
 * the ARN STS answers is recorded, and a URL caller that is someone else is
 * refused. Reading (`ir pending`, GET) decides nothing and needs no proof.
 */

export interface OperatorDependencies extends DecisionDependencies {
  /** Checks the identity proof of a decision (the STS endpoint, fetch, the ledger for its nonce). */
  readonly proof: Omit<ProofDependencies, 'ledger'>;
  /** Told of every refused proof (the function logs it: a forged or replayed decision is worth an alarm). */
  readonly onProofRefused?: (refusal: ProofRefusal) => void;
}

/** What is said of a refused proof: never the proof itself (for its 60 seconds it is a bearer token). */
export interface ProofRefusal {
  readonly reason: ProofRefusalReason;
  readonly code?: string;
  readonly detail: string;
  readonly incidentId: string;
  readonly decision: 'approve' | 'deny';
  readonly urlCaller?: string;
}

export interface JsonResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(statusCode: number, value: unknown): JsonResponse {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(value) };
}

export const decisionRequestSchema = z.strictObject({
  incidentId: z.string().check(z.minLength(1), z.maxLength(256)),
  decision: z.enum(['approve', 'deny']),
  planHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  reason: z.optional(z.string().check(z.maxLength(1000))),
  /** The identity proof (identity-proof.ts): checked on its own, for a refusal that says what is wrong with it. */
  proof: z.optional(z.unknown()),
});

export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/** A denial must say why (`ir deny --reason`); the reason is recorded with it. */
export function missingReason(request: DecisionRequest): boolean {
  return request.decision === 'deny' && !request.reason?.trim();
}

export function answerOf(applied: AppliedDecision): JsonResponse {
  if (applied.status === 'refused') return json(409, applied);
  return json(200, { status: 'recorded', decision: applied.decision, evidence: applied.evidence, resume: applied.resume });
}

/** The HTTP status of each refused proof: a proof that is not one is bad input; STS out of reach is for retrying. */
const PROOF_REFUSAL_STATUS: Readonly<Record<ProofRefusalReason, number>> = {
  unproven: 403,
  'bad-proof': 400,
  'proof-expired': 403,
  'proof-mismatch': 403,
  'proof-replayed': 409,
  'sts-refused': 403,
  'sts-unavailable': 503,
  'identity-mismatch': 403,
};

export async function handleOperatorRequest(deps: OperatorDependencies, event: FunctionUrlEvent, now: () => number): Promise<JsonResponse> {
  const method = event.requestContext.http.method.toUpperCase();
  if (method === 'GET') {
    // Fail closed: reading needs Lambda's verified identity (the URL is AWS_IAM); reading decides nothing, so it needs no proof.
    if (!verifiedCaller(event)) return json(403, { status: 'refused', reason: 'unidentified', detail: 'the request carries no identity verified by IAM' });
    const incidentId = queryParameter(event, 'incident');
    if (incidentId === undefined) return json(200, await listPendingApprovals(deps.ledger, new Date(now())));
    const approval = await readApproval(deps.ledger, incidentId);
    return approval ? json(200, { approval }) : json(404, { status: 'refused', reason: 'no-pending', detail: `incident ${incidentId} has no approval in the ledger` });
  }
  if (method !== 'POST') return json(405, { status: 'refused', reason: 'method', detail: 'GET lists or shows approvals; POST decides' });
  let body: unknown;
  try {
    body = JSON.parse(bodyText(event));
  } catch {
    return json(400, { status: 'refused', reason: 'bad-request', detail: 'the body is not JSON' });
  }
  const request = decisionRequestSchema.safeParse(body);
  if (!request.success) return json(400, { status: 'refused', reason: 'bad-request', detail: `the decision is not valid: ${request.error.issues[0]?.path.join('.') || 'body'}: ${request.error.issues[0]?.message ?? ''}` });
  if (missingReason(request.data)) return json(400, { status: 'refused', reason: 'bad-request', detail: 'a denial needs a reason (--reason)' });
  const { incidentId, decision, planHash, reason, proof } = request.data;
  const at = now();
  const proven = await verifyIdentityProof(
    { ...deps.proof, ledger: deps.ledger },
    // The raw userArn, not verifiedCaller's: a caller that is present but is no ARN must not count as absent.
    { decision: { incidentId, decision, planHash, ...(reason === undefined ? {} : { reason }) }, proof, urlCaller: event.requestContext.authorizer?.iam?.userArn, now: at },
  );
  if (proven.status === 'refused') {
    const urlCaller = event.requestContext.authorizer?.iam?.userArn;
    deps.onProofRefused?.({ reason: proven.reason, ...(proven.code ? { code: proven.code } : {}), detail: proven.detail, incidentId, decision, ...(urlCaller ? { urlCaller } : {}) });
    return json(PROOF_REFUSAL_STATUS[proven.reason], proven);
  }
  return answerOf(
    await applyDecision(deps, {
      incidentId,
      planHash,
      decision,
      by: proven.identity.arn,
      channel: 'cli',
      at: new Date(at).toISOString(),
      ...(reason?.trim() ? { reason: reason.trim() } : {}),
    }),
  );
}
