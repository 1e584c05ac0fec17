import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/*
 * Stands in for @aws-sdk/credential-provider-node in the Lambda bundles
 * (lib/lambda-bundle/options.ts aliases it). Lambda hands a function its
 * role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, the first place the SDK's default chain looks and the
 * one that answers there. The rest of the chain (SSO, profiles, web identity,
 * processes, instance metadata) and the nested STS, SSO and sign-in clients
 * it brings are about 100 kB that every cold start would compile for nothing.
 * `ir`, the demo and the tests keep the whole chain.
 */

export type DefaultProviderInit = Parameters<typeof fromEnv>[0];

/** The same name and shape as the SDK's: each client's runtime configuration calls it. */
export function defaultProvider(init?: DefaultProviderInit): AwsCredentialIdentityProvider {
  return fromEnv(init);
}
