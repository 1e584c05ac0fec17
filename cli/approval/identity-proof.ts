import { randomBytes } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import {
  DECISION_BINDING_HEADER,
  decisionBinding,
  GET_CALLER_IDENTITY_QUERY,
  PROOF_EXPIRES_S,
  SIGV4_QUERY_PARAMETERS,
  type IdentityProof,
} from '../../lambda/approval/identity-proof';
import { stsEndpoint } from '../../lambda/aws/sts-endpoint';

/*
 * The proof `ir approve` and `ir deny` send of who decides
 * (lambda/approval/identity-proof.ts): STS GetCallerIdentity presigned with
 * the operator's own credentials, for the STS endpoint of the stack's region,
 * valid 60 seconds, signing the header that binds it to this decision and a
 * fresh nonce. It goes in the decision's body; the operator sees nothing of
 * it. The function sends it to STS and records the ARN STS answers.
 */

const sha256 = Hash.bind(null, 'sha256');

export interface ProofRequest {
  readonly incidentId: string;
  readonly decision: 'approve' | 'deny';
  readonly planHash: string;
  /** The reason sent with the decision, exactly as sent. */
  readonly reason?: string;
  /** The stack's region: the function checks the proof is scoped to its own. */
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Defaults to now. */
  readonly signingDate?: Date;
}

export async function presignIdentityProof(request: ProofRequest): Promise<IdentityProof> {
  const nonce = randomBytes(16).toString('base64url');
  const { incidentId, decision, planHash, reason } = request;
  const binding = decisionBinding({ incidentId, decision, planHash, ...(reason === undefined ? {} : { reason }), nonce });
  const endpoint = await stsEndpoint({ region: request.region });
  const signer = new SignatureV4({ service: 'sts', region: request.region, credentials: request.credentials, sha256 });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: endpoint.pathname,
      query: { ...GET_CALLER_IDENTITY_QUERY },
      // host and the binding: the function can rebuild exactly these, and must present this binding for STS to accept.
      headers: { host: endpoint.host, [DECISION_BINDING_HEADER]: binding },
    },
    { expiresIn: PROOF_EXPIRES_S, ...(request.signingDate ? { signingDate: request.signingDate } : {}) },
  );
  const query: Record<string, string> = {};
  for (const name of SIGV4_QUERY_PARAMETERS) {
    const value = presigned.query?.[name];
    if (typeof value === 'string') query[name] = value;
  }
  return { nonce, binding, query: query as IdentityProof['query'] };
}
