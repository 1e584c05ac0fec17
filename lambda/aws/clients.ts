import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry';
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
  /** The incident ledger (lambda/ledger/), in the responder's own account. */
  readonly dynamodb: DynamoDBClient;
  /** The evidence bucket's client: only ever used with the security (home) account's credentials. */
  readonly s3: S3Client;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * The slowest the adaptive retry mode may pace one client after throttles,
 * in calls per second. Adaptive mode slows a throttled client down so that
 * a flood of findings backs off from an API that is refusing calls, instead
 * of burning every retry on it. Its own floor is 0.5 calls a second: a
 * container answering a burst at that pace would take minutes to reach an
 * instance (make bench showed it, throttling 20% of the calls). At 10 it
 * still backs off, and a response keeps moving.
 */
export const ADAPTIVE_MIN_CALLS_PER_SECOND = 10;

/** One per client: throttling on one service must not slow the calls of another. */
export function adaptiveRetryStrategy(maxAttempts: number): AdaptiveRetryStrategy {
  return new AdaptiveRetryStrategy(maxAttempts, { rateLimiter: new DefaultRateLimiter({ minFillRate: ADAPTIVE_MIN_CALLS_PER_SECOND }) });
}

/** The configuration of one SDK client: call once per client (each gets its own retry strategy and rate limiter). */
export function sdkClientConfig(options: AwsClientOptions) {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  return {
    region: options.region,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts,
    retryStrategy: adaptiveRetryStrategy(maxAttempts),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 3_000),
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it the handler only logs a warning past requestTimeout and keeps waiting: a hung call would eat the Lambda timeout.
      throwOnRequestTimeout: true,
    }),
  };
}

/** A custom endpoint (the emulator, a VPC endpoint) cannot resolve <bucket>.<host>: address the bucket in the path. */
function s3Config(config: ReturnType<typeof sdkClientConfig>) {
  return { ...config, ...('endpoint' in config ? { forcePathStyle: true } : {}) };
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = () => sdkClientConfig(options);
  const cache = new Map<string, unknown>();
  const lazy = <T>(name: string, make: () => T): T => {
    if (!cache.has(name)) cache.set(name, make());
    return cache.get(name) as T;
  };
  return {
    get ec2() {
      return lazy('ec2', () => new EC2Client(config()));
    },
    get iam() {
      return lazy('iam', () => new IAMClient(config()));
    },
    get sns() {
      return lazy('sns', () => new SNSClient(config()));
    },
    get autoScaling() {
      return lazy('autoScaling', () => new AutoScalingClient(config()));
    },
    get elbv2() {
      return lazy('elbv2', () => new ElasticLoadBalancingV2Client(config()));
    },
    get sts() {
      return lazy('sts', () => new STSClient(config()));
    },
    get cloudTrail() {
      return lazy('cloudTrail', () => new CloudTrailClient(config()));
    },
    get dynamodb() {
      return lazy('dynamodb', () => new DynamoDBClient(config()));
    },
    get s3() {
      return lazy('s3', () => new S3Client(s3Config(config())));
    },
  };
}
