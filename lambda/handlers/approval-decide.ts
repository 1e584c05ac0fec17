import { parseFunctionUrlEvent } from '../approval/function-url-event';
import { handleOperatorRequest, json, type JsonResponse, type OperatorDependencies } from '../approval/operator-channel';
import { decisionDependencies, readApprovalEnvironment } from '../approval/runtime';
import { stsEndpoint } from '../aws/sts-endpoint';

/*
 * The operator decision function: its function URL (AuthType AWS_IAM) serves
 * `ir approve`, `ir deny` and `ir pending`. A decision is recorded as the
 * principal STS names for the identity proof the request carries
 * (lambda/approval/verify-identity-proof.ts), not as the caller ARN in the
 * event: a direct lambda:InvokeFunction could hand-make that one. The stack
 * still grants no principal a direct invoke of this function (the chat
 * buttons have their own function, approval-chat.ts; test/cdk/approval.test.ts
 * proves it), and operators are given lambda:InvokeFunctionUrl
 * (docs/approval-channels.md). Anything that is not a function URL request
 * is refused.
 *
 * The function asks STS at the regional endpoint the client seam resolves
 * (no VPC: the function reaches it over the Internet, like every AWS API
 * it calls); GetCallerIdentity needs no permission of its role, the
 * operator's signature is what STS checks.
 */

let dependencies: Promise<OperatorDependencies> | undefined;

async function operatorDependencies(): Promise<OperatorDependencies> {
  const env = readApprovalEnvironment();
  return {
    ...decisionDependencies(env),
    proof: { region: env.region, stsEndpoint: await stsEndpoint({ region: env.region }), fetch: (input, init) => fetch(input, init) },
    // Loud: a decision refused for its identity (no proof, another signer, a replay) may be someone trying to decide as someone else.
    onProofRefused: (refusal) => console.warn(JSON.stringify({ message: 'approval decision refused: identity proof', ...refusal })),
  };
}

function dependenciesOnce(): Promise<OperatorDependencies> {
  // A cold start that failed (a bad environment) is tried again by the next request, and refused again, loudly.
  dependencies ??= operatorDependencies().catch((error: unknown) => {
    dependencies = undefined;
    throw error;
  });
  return dependencies;
}

export async function handler(event: unknown): Promise<JsonResponse> {
  const request = parseFunctionUrlEvent(event);
  if (!request) return json(400, { status: 'refused', reason: 'bad-request', detail: 'not a function URL request' });
  return handleOperatorRequest(await dependenciesOnce(), request, () => Date.now());
}
