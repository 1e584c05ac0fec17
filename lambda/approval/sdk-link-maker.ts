import { sdkClientConfig, type AwsClients } from '../aws/clients';
import type { LambdaEnvironment } from '../runtime/environment';
import type { ApprovalLinkMaker } from './wait-links';

/**
 * The email's signed decision links: the link key (KMS; its code loaded only when a response waits) with the
 * function's own credentials, and the link function's URL through the home account's Lambda client.
 */
export function sdkLinkMaker(approval: LambdaEnvironment['approval'], region: string, home: Pick<AwsClients, 'load'>): ApprovalLinkMaker | undefined {
  const keyId = approval?.macKeyArn;
  const functionName = approval?.linkFunctionName;
  if (!keyId || !functionName) return undefined;
  return async (request) => {
    // Loaded only when a response waits: the KMS client and the signing code stay out of the cold start.
    const [{ KMSClient }, { approvalLinkBaseUrl }, { approvalLinkMaker }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('../approval/link-url'),
      import('../approval/wait-links'),
    ]);
    const key = { kms: new KMSClient(sdkClientConfig({ region })), keyId };
    return approvalLinkMaker({ key, baseUrl: async () => approvalLinkBaseUrl(await home.load('lambda'), functionName) })(request);
  };
}
