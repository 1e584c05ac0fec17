import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApprovalView } from '../../lambda/approval/pending-approval';
import type { DecisionRequest } from '../../lambda/approval/operator-channel';
import { sendSigned } from '../../lambda/aws/signed-request';
import { presignIdentityProof } from './identity-proof';

/*
 * `ir approve`, `ir deny` and `ir pending` talk to the operator decision
 * function's URL (AuthType AWS_IAM), signing each request with SigV4 for
 * the service "lambda" with the operator's own credentials. Lambda checks
 * the signature and IAM (lambda:InvokeFunctionUrl, and lambda:InvokeFunction
 * through the URL) before the function runs,
 * and the function records the ARN it verified: the CLI never says who it
 * is.
 */

export interface DecisionEndpoint {
  readonly url: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function operatorCredentials(profile: string | undefined): AwsCredentialIdentityProvider {
  return profile ? fromIni({ profile }) : defaultProvider();
}

export class DecisionCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DecisionCallError';
  }
}

export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

/** A decision as the operator gives it: the CLI adds the identity proof. */
export type OperatorDecision = Omit<DecisionRequest, 'proof'>;

async function call(endpoint: DecisionEndpoint, method: 'GET' | 'POST', query: Record<string, string>, body?: DecisionRequest): Promise<Answer> {
  const url = new URL(endpoint.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const answer = await sendSigned({
    url,
    method,
    region: endpoint.region,
    credentials: endpoint.credentials,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    timeoutMs: 30_000,
  });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    // 403 from Lambda itself (IAM said no) is JSON too; anything else is not our function.
    throw new DecisionCallError(answer.status, `the decision URL answered HTTP ${answer.status} with a body that is not JSON`);
  }
  if (answer.status === 403 && typeof json.Message === 'string') {
    // As docs/approval-channels.md "Who may decide": URLs created since October 2025 need both actions.
    throw new DecisionCallError(
      403,
      `IAM refused the request (${json.Message}): your credentials need, on the decision function, lambda:InvokeFunctionUrl ` +
        '(condition lambda:FunctionUrlAuthType = AWS_IAM) and lambda:InvokeFunction (condition lambda:InvokedViaFunctionUrl = true); see docs/approval-channels.md',
    );
  }
  return { status: answer.status, json };
}

export async function readApprovalOf(endpoint: DecisionEndpoint, incidentId: string): Promise<ApprovalView | undefined> {
  const answer = await call(endpoint, 'GET', { incident: incidentId });
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new DecisionCallError(answer.status, `reading the approval failed: ${JSON.stringify(answer.json)}`);
  return answer.json.approval as ApprovalView;
}

export async function listPending(endpoint: DecisionEndpoint): Promise<{ approvals: ApprovalView[]; truncated: boolean }> {
  const answer = await call(endpoint, 'GET', {});
  if (answer.status !== 200) throw new DecisionCallError(answer.status, `listing the approvals failed: ${JSON.stringify(answer.json)}`);
  return answer.json as unknown as { approvals: ApprovalView[]; truncated: boolean };
}

export async function sendDecision(endpoint: DecisionEndpoint, request: OperatorDecision): Promise<Answer> {
  const proof = await presignIdentityProof({ ...request, region: endpoint.region, credentials: endpoint.credentials });
  return call(endpoint, 'POST', {}, { ...request, proof });
}
