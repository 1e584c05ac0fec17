import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { ADAPTIVE_MIN_CALLS_PER_SECOND, createAwsClients, DEFAULT_MAX_ATTEMPTS, sdkClientConfig } from '../../../lambda/aws/clients';

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
  it('retry in adaptive mode, with the configured attempts and the rate floor', async () => {
    const clients = createAwsClients({ region: 'eu-west-1' });
    const strategy = await strategyOf(clients.ec2);
    expect(strategy).toBeInstanceOf(AdaptiveRetryStrategy);
    expect(strategy.mode).toBe('adaptive');
    expect(strategy.rateLimiter.minFillRate).toBe(ADAPTIVE_MIN_CALLS_PER_SECOND);
    expect(await clients.ec2.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
  });

  it('give every client its own strategy and rate limiter', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 1 });
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
