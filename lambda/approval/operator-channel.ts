import * as z from '../zod';
import { applyDecision, type AppliedDecision, type DecisionDependencies } from './apply-decision';
import { bodyText, queryParameter, verifiedCaller, type FunctionUrlEvent } from './function-url-event';
import { listPendingApprovals, readApproval } from './pending-approval';

/*
 * The decision function of people with AWS credentials: `ir approve`, `ir
 * deny` and `ir pending` call its function URL (AuthType AWS_IAM) signed
 * with the operator's own credentials, so IAM decides who may approve
 * (lambda:InvokeFunctionUrl on this function), and the decision records the
 * ARN Lambda verified, never a name from the request. The chat channel's
 * custom actions invoke the same function directly (chat-channel.ts).
 */

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

export async function handleOperatorRequest(deps: DecisionDependencies, event: FunctionUrlEvent, now: () => number): Promise<JsonResponse> {
  const caller = verifiedCaller(event);
  // Fail closed: without Lambda's verified identity (the URL is not AWS_IAM, or the event was forged), nobody decides or reads.
  if (!caller) return json(403, { status: 'refused', reason: 'unidentified', detail: 'the request carries no identity verified by IAM' });
  const method = event.requestContext.http.method.toUpperCase();
  if (method === 'GET') {
    const incidentId = queryParameter(event, 'incident');
    if (incidentId === undefined) return json(200, await listPendingApprovals(deps.ledger));
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
  const { incidentId, decision, planHash, reason } = request.data;
  return answerOf(
    await applyDecision(deps, {
      incidentId,
      planHash,
      decision,
      by: caller.arn,
      channel: 'cli',
      at: new Date(now()).toISOString(),
      ...(reason?.trim() ? { reason: reason.trim() } : {}),
    }),
  );
}
