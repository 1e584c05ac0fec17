import { STSClient } from '@aws-sdk/client-sts';
import { sdkClientConfig, type AwsClientOptions } from './clients';

/*
 * The STS endpoint of a region, as the project's one client seam resolves it
 * (clients.ts: an explicit endpoint, else AWS_ENDPOINT_URL, else AWS's own
 * regional endpoint through the SDK's endpoint rules, partition included:
 * sts.cn-north-1.amazonaws.com.cn). The decision proof is presigned for this
 * endpoint by `ir approve` and sent to it by the decision function
 * (lambda/approval/verify-identity-proof.ts): both sides resolve it the same
 * way, and neither ever takes it from a request.
 */

export async function stsEndpoint(options: Pick<AwsClientOptions, 'region' | 'endpoint'>): Promise<URL> {
  const client = new STSClient(sdkClientConfig({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) }));
  try {
    const custom = client.config.endpoint;
    if (custom) {
      const { protocol, hostname, port, path } = await custom();
      return new URL(`${protocol}//${hostname}${port ? `:${port}` : ''}${path || '/'}`);
    }
    // Regional, never the global endpoint: the proof's credential scope names the function's region.
    const resolved = client.config.endpointProvider({ Region: options.region, UseFIPS: false, UseDualStack: false, UseGlobalEndpoint: false });
    return new URL(resolved.url.href);
  } finally {
    client.destroy();
  }
}
