import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADAPTIVE_MIN_CALLS_PER_SECOND, ClientNotBundledError, ClientNotLoadedError, createAwsClients, DEFAULT_MAX_ATTEMPTS, sdkClientConfig, worstCaseCallMs } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';

/*
 * The one client seam: every client retries in adaptive mode, with a rate
 * limiter of its own (throttling of one service never slows another) that
 * never paces it below ADAPTIVE_MIN_CALLS_PER_SECOND.
 */

/** What the strategy keeps privately, read to prove the configuration. */
interface StrategyInternals {
  readonly rateLimiter: { readonly minFillRate: number };
  readonly mode: string;
}

async function strategyOf(client: { config: { retryStrategy: () => Promise<unknown> } }): Promise<StrategyInternals> {
  return (await client.config.retryStrategy()) as StrategyInternals;
}

describe('AWS clients', () => {
  it('are made only of the client classes passed, once each, and a service without one fails by name', () => {
    const clients = createAwsClients({ region: 'eu-west-1' }, { sns: EVERY_CLIENT.sns });
    expect(clients.sns).toBeInstanceOf(EVERY_CLIENT.sns);
    expect(clients.sns).toBe(clients.sns);
    expect(() => clients.ec2).toThrow(ClientNotBundledError);
    expect(() => clients.ec2).toThrow('no ec2 client in this bundle');
  });

  it('import a deferred client class once, on first load, for every caller at once; before that its getter refuses by name', async () => {
    const deferred = jest.fn(() => Promise.resolve(EVERY_CLIENT.s3));
    const clients = createAwsClients({ region: 'eu-west-1' }, { s3: { deferred }, sns: EVERY_CLIENT.sns });
    expect(() => clients.s3).toThrow(ClientNotLoadedError);
    expect(() => clients.s3).toThrow("await clients.load('s3') before using clients.s3");
    expect(deferred).not.toHaveBeenCalled();
    const [first, second] = await Promise.all([clients.load('s3'), clients.load('s3')]);
    expect(first).toBeInstanceOf(EVERY_CLIENT.s3);
    expect(second).toBe(first);
    expect(clients.s3).toBe(first);
    expect(deferred).toHaveBeenCalledTimes(1);
    // An eager class loads as its getter makes it.
    await expect(clients.load('sns')).resolves.toBe(clients.sns);
    await expect(clients.load('ec2')).rejects.toThrow(ClientNotBundledError);
  });

  it('try a failed import of a deferred client class again on the next load', async () => {
    const deferred = jest.fn<Promise<typeof EVERY_CLIENT.s3>, []>().mockRejectedValueOnce(new Error('chunk missing')).mockResolvedValue(EVERY_CLIENT.s3);
    const clients = createAwsClients({ region: 'eu-west-1' }, { s3: { deferred } });
    await expect(clients.load('s3')).rejects.toThrow('chunk missing');
    await expect(clients.load('s3')).resolves.toBeInstanceOf(EVERY_CLIENT.s3);
    expect(deferred).toHaveBeenCalledTimes(2);
  });

  it('address S3 by path behind a custom endpoint only', async () => {
    const custom = createAwsClients({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4999' }, EVERY_CLIENT);
    const aws = createAwsClients({ region: 'eu-west-1' }, EVERY_CLIENT);
    expect(custom.s3.config.forcePathStyle).toBe(true);
    expect(aws.s3.config.forcePathStyle).toBe(false);
  });

  it('retry in adaptive mode, with the configured attempts and the rate floor', async () => {
    const clients = createAwsClients({ region: 'eu-west-1' }, EVERY_CLIENT);
    const strategy = await strategyOf(clients.ec2);
    expect(strategy).toBeInstanceOf(AdaptiveRetryStrategy);
    expect(strategy.mode).toBe('adaptive');
    expect(strategy.rateLimiter.minFillRate).toBe(ADAPTIVE_MIN_CALLS_PER_SECOND);
    expect(await clients.ec2.config.maxAttempts()).toBe(5);
    expect(DEFAULT_MAX_ATTEMPTS).toBe(5);
  });

  it('give every client its own strategy and rate limiter', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 1 }, EVERY_CLIENT);
    const [ec2, dynamodb] = await Promise.all([strategyOf(clients.ec2), strategyOf(clients.dynamodb)]);
    expect(ec2).not.toBe(dynamodb);
    expect(ec2.rateLimiter).not.toBe(dynamodb.rateLimiter);
    expect(await clients.dynamodb.config.maxAttempts()).toBe(1);
  });

  it('build a fresh strategy for each client configuration', () => {
    const options = { region: 'us-east-1' };
    expect(sdkClientConfig(options).retryStrategy).not.toBe(sdkClientConfig(options).retryStrategy);
  });
});

describe('worstCaseCallMs: the longest one call can take as the SDK retries it', () => {
  it('is every attempt waiting out connect and request timeouts, plus the longest backoff before each retry', () => {
    // 5 × (3 s connect + 5 s request) + 1 + 2 + 4 + 8 s of throttling backoff.
    expect(worstCaseCallMs()).toBe(55_000);
    expect(worstCaseCallMs({ maxAttempts: 1, requestTimeoutMs: 2_000 })).toBe(4_000);
    // The backoff is capped at 20 s per retry: 1+2+4+8+16+20+20+20+20 s.
    expect(worstCaseCallMs({ maxAttempts: 10 })).toBe(10 * 8_000 + 111_000);
  });

  it('uses the timeouts the clients are built with', () => {
    const handler = sdkClientConfig({ region: 'eu-west-1', requestTimeoutMs: 2_000 }).requestHandler as unknown as { configProvider: Promise<{ connectionTimeout: number; requestTimeout: number }> };
    return handler.configProvider.then((c) => expect([c.connectionTimeout, c.requestTimeout]).toEqual([2_000, 2_000]));
  });
});

describe('a call to an endpoint that never answers', () => {
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    // Accepts the request and never answers: a hung AWS endpoint, on loopback.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails with a TimeoutError once the request timeout has passed, instead of waiting on', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpoint, maxAttempts: 1, requestTimeoutMs: 300, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' } }, EVERY_CLIENT);
    const started = Date.now();
    const error = await clients.ec2.send(new DescribeInstancesCommand({})).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
