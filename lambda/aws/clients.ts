import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/*
 * The one seam for AWS clients: endpoint, credentials, retries and timeouts
 * are decided here, for the Lambda handlers, the `ir` CLI, the tests and the
 * demo alike. Clients are created on first use so a playbook only pays for
 * the services it calls.
 */

export interface AwsClientOptions {
  readonly region: string;
  /** Overrides the service endpoint (the local emulator, a VPC endpoint). Defaults to AWS_ENDPOINT_URL, then AWS. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, first one included. Tests against the emulator use 1. */
  readonly maxAttempts?: number;
  /** Per-request socket timeout, so a slow call cannot eat the Lambda timeout. */
  readonly requestTimeoutMs?: number;
}

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly sns: SNSClient;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly sts: STSClient;
  readonly cloudTrail: CloudTrailClient;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

export function sdkClientConfig(options: AwsClientOptions) {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return {
    region: options.region,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    // Standard: a throttled call is retried after a short jittered backoff. Adaptive mode also rate-limits the whole
    // client after a throttle, which delayed the isolation calls behind it by seconds (make bench, burst).
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 3_000),
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    }),
  };
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = sdkClientConfig(options);
  const cache = new Map<string, unknown>();
  const lazy = <T>(name: string, make: () => T): T => {
    if (!cache.has(name)) cache.set(name, make());
    return cache.get(name) as T;
  };
  return {
    get ec2() {
      return lazy('ec2', () => new EC2Client(config));
    },
    get iam() {
      return lazy('iam', () => new IAMClient(config));
    },
    get sns() {
      return lazy('sns', () => new SNSClient(config));
    },
    get autoScaling() {
      return lazy('autoScaling', () => new AutoScalingClient(config));
    },
    get elbv2() {
      return lazy('elbv2', () => new ElasticLoadBalancingV2Client(config));
    },
    get sts() {
      return lazy('sts', () => new STSClient(config));
    },
    get cloudTrail() {
      return lazy('cloudTrail', () => new CloudTrailClient(config));
    },
  };
}
