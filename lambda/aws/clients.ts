import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import { AdaptiveRetryStrategy, DefaultRateLimiter, MAXIMUM_RETRY_DELAY, THROTTLING_RETRY_DELAY_BASE } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AbortableHttpHandler } from './ambient-abort';

/*
 * The one seam for AWS clients: endpoint, credentials, retries and timeouts
 * are decided here, for the Lambda handlers, the `ir` CLI, the tests and the
 * demo alike. Clients are created on first use so a playbook only pays for
 * the services it calls. The client classes come from the caller: each
 * playbook's Lambda entry point (lambda/handlers/) passes only those of the
 * services its steps call, so its bundle holds no other SDK client; `ir`,
 * the demo and the tests pass every one (every-client.ts).
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

export interface ServiceClients {
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
  /** Confirms a finding before acting (lambda/confirm/): only ever used with the security (home) account's credentials. */
  readonly guardDuty: GuardDutyClient;
  /** Notes a response on the finding's Security Hub counterpart (lambda/close-loop/): only ever used with the security (home) account's credentials. */
  readonly securityHub: SecurityHubClient;
  /** The one-time schedules of a response waiting for a decision (lambda/approval/scheduler-writer.ts): only ever used with the security (home) account's credentials. */
  readonly scheduler: SchedulerClient;
  /** Finds the approval link function's URL for the decision links (lambda/approval/link-url.ts): only ever used with the security (home) account's credentials. */
  readonly lambda: LambdaClient;
  /** ECS tasks, task definitions and container instances (contain-task). */
  readonly ecs: ECSClient;
  /** contain-database: the DB instance or cluster a finding names, in the finding's account. */
  readonly rds: RDSClient;
  /** quarantine-image: the tags of a backup recovery point, in the finding's account. */
  readonly backup: BackupClient;
}

export type ServiceName = keyof ServiceClients;

export interface AwsClients extends ServiceClients {
  /** The service's client, importing its class first if it is deferred. */
  load<S extends ServiceName>(service: S): Promise<ServiceClients[S]>;
}

export type ClientClass<S extends ServiceName> = new (config: SdkClientConfig) => ServiceClients[S];

/**
 * A client class imported on first use, so its code is in a chunk of its
 * own that a cold start does not load: for a service only needed once the
 * threat is contained (S3, for the evidence).
 */
export interface DeferredClientClass<S extends ServiceName> {
  readonly deferred: () => Promise<ClientClass<S>>;
}

/** The SDK client class of each service a process can call. */
export type ClientClasses = { readonly [S in ServiceName]?: ClientClass<S> | DeferredClientClass<S> };

/** A service whose client class the caller did not pass: its bundle cannot call it. */
export class ClientNotBundledError extends Error {
  constructor(readonly service: ServiceName) {
    super(`no ${service} client in this bundle: its entry point (lambda/handlers/) does not pass the ${service} client class`);
    this.name = 'ClientNotBundledError';
  }
}

/** A deferred client used before it was loaded: a programming error, named. */
export class ClientNotLoadedError extends Error {
  constructor(readonly service: ServiceName) {
    super(`the ${service} client class is imported on first use: await clients.load('${service}') before using clients.${service}`);
    this.name = 'ClientNotLoadedError';
  }
}

/**
 * Attempts per call, the first included. A flood of findings is when AWS
 * throttles: with the SDK's default of 3, one call in 125 still fails at 20%
 * throttling, and a response reads and changes a few dozen things (make bench
 * lost 2 of 500 findings so, after every Lambda retry). The backoff between 5
 * attempts stays well inside a playbook's timeout, and the deadline stops
 * any step from starting too late.
 */
export const DEFAULT_MAX_ATTEMPTS = 5;
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

/** The socket connect timeout of a client: at most 3 s, and never longer than its request timeout. */
function connectionTimeoutMs(requestTimeoutMs: number): number {
  return Math.min(requestTimeoutMs, 3_000);
}

/**
 * The longest one call can take with these settings, as the SDK retries it:
 * every attempt waits out the connect and the request timeout, and each
 * retry first sleeps the longest backoff the SDK may draw (the throttling
 * base doubled per retry, capped). The adaptive rate limiter's own wait
 * after throttles comes on top; it is not bounded here. A step that must
 * end in time (contain-instance's isolation moves) bounds its calls itself.
 */
export function worstCaseCallMs(options: Pick<AwsClientOptions, 'maxAttempts' | 'requestTimeoutMs'> = {}): number {
  const attempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let backoff = 0;
  for (let retry = 1; retry < attempts; retry += 1) backoff += Math.min(THROTTLING_RETRY_DELAY_BASE * 2 ** retry, MAXIMUM_RETRY_DELAY);
  return attempts * (connectionTimeoutMs(requestTimeoutMs) + requestTimeoutMs) + backoff;
}

export interface SdkClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly maxAttempts: number;
  readonly retryStrategy: AdaptiveRetryStrategy;
  readonly requestHandler: AbortableHttpHandler;
  /** S3 only. */
  readonly forcePathStyle?: boolean;
}

/** The configuration of one SDK client: call once per client (each gets its own retry strategy and rate limiter). */
export function sdkClientConfig(options: AwsClientOptions): SdkClientConfig {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region: options.region,
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts,
    retryStrategy: adaptiveRetryStrategy(maxAttempts),
    // Also ends a request when the work that sent it runs out of time (ambient-abort.ts: the pre-plan phases' cut-offs).
    requestHandler: new AbortableHttpHandler({
      connectionTimeout: connectionTimeoutMs(requestTimeout),
      requestTimeout,
      // Without it the handler only logs a warning past requestTimeout and keeps waiting: a hung call would eat the Lambda timeout.
      throwOnRequestTimeout: true,
    }),
  };
}

/** A custom endpoint (the emulator, a VPC endpoint) cannot resolve <bucket>.<host>: address the bucket in the path. */
function configFor(service: ServiceName, options: AwsClientOptions): SdkClientConfig {
  const config = sdkClientConfig(options);
  return service === 's3' && config.endpoint !== undefined ? { ...config, forcePathStyle: true } : config;
}

function isDeferred<S extends ServiceName>(entry: ClientClass<S> | DeferredClientClass<S>): entry is DeferredClientClass<S> {
  return typeof (entry as Partial<DeferredClientClass<S>>).deferred === 'function';
}

export function createAwsClients(options: AwsClientOptions, classes: ClientClasses): AwsClients {
  const cache = new Map<ServiceName, ServiceClients[ServiceName]>();
  const loaded = new Map<ServiceName, Promise<unknown>>();
  function make<S extends ServiceName>(service: S, Client: ClientClass<S>): ServiceClients[S] {
    const made = new Client(configFor(service, options));
    cache.set(service, made);
    return made;
  }
  function client<S extends ServiceName>(service: S): ServiceClients[S] {
    const made = cache.get(service) as ServiceClients[S] | undefined;
    if (made) return made;
    const entry = classes[service] as ClientClass<S> | DeferredClientClass<S> | undefined;
    if (!entry) throw new ClientNotBundledError(service);
    if (isDeferred(entry)) throw new ClientNotLoadedError(service);
    return make(service, entry);
  }
  async function load<S extends ServiceName>(service: S): Promise<ServiceClients[S]> {
    const entry = classes[service] as ClientClass<S> | DeferredClientClass<S> | undefined;
    if (!entry || !isDeferred(entry) || cache.has(service)) return client(service);
    // One import per service, however many callers ask at once.
    let pending = loaded.get(service) as Promise<ClientClass<S>> | undefined;
    if (!pending) {
      pending = entry.deferred();
      loaded.set(service, pending);
      // A failed import is not remembered: the next call tries again.
      pending.catch(() => loaded.delete(service));
    }
    const Client = await pending;
    return (cache.get(service) as ServiceClients[S] | undefined) ?? make(service, Client);
  }
  return {
    load,
    get ec2() {
      return client('ec2');
    },
    get iam() {
      return client('iam');
    },
    get sns() {
      return client('sns');
    },
    get autoScaling() {
      return client('autoScaling');
    },
    get elbv2() {
      return client('elbv2');
    },
    get sts() {
      return client('sts');
    },
    get cloudTrail() {
      return client('cloudTrail');
    },
    get dynamodb() {
      return client('dynamodb');
    },
    get s3() {
      return client('s3');
    },
    get guardDuty() {
      return client('guardDuty');
    },
    get securityHub() {
      return client('securityHub');
    },
    get scheduler() {
      return client('scheduler');
    },
    get lambda() {
      return client('lambda');
    },
    get ecs() {
      return client('ecs');
    },
    get rds() {
      return client('rds');
    },
    get backup() {
      return client('backup');
    },
  };
}
