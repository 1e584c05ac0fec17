import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { fromIni } from '@aws-sdk/credential-providers';
import { createAwsClients, sdkClientConfig, type AwsClientOptions, type AwsClients } from '../lambda/aws/clients';
import { EVERY_CLIENT } from '../lambda/aws/every-client';
import { UsageError } from './exit-codes';

/*
 * Clients for `ir release` and `ir invoke`, made through the project's one
 * client seam (lambda/aws/clients.ts) so endpoint, retries and timeouts are
 * the Lambda's. Both act with the operator's own credentials (default chain
 * or --profile) in the account those credentials belong to.
 */

export interface OperatorAwsOptions {
  readonly endpointUrl?: string;
  readonly profile?: string;
  readonly region?: string;
  /** Not a command-line option: the demo's emulator (endpoint, its credentials, one attempt per call). */
  readonly clientOverrides?: Omit<AwsClientOptions, 'region'>;
}

/** A synchronous playbook invocation lasts as long as the function runs; Lambda's own limit is 15 minutes. */
const INVOKE_TIMEOUT_MS = 15 * 60 * 1000;

/** The region to act in: the one given (the finding's, or --region), else the environment's. */
export function operatorRegion(preferred: string | null | undefined, what: string): string {
  const region = preferred ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError(`${what} names no region: pass --region`);
  return region;
}

function clientOptions(region: string, options: OperatorAwsOptions): AwsClientOptions {
  return {
    region,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.profile ? { credentials: fromIni({ profile: options.profile }) } : {}),
    ...options.clientOverrides,
  };
}

/**
 * The clients a release acts with. The one place to route a release into
 * another account (the member role of the cross-account setup) later.
 */
export function releaseClients(region: string, options: OperatorAwsOptions): AwsClients {
  return createAwsClients(clientOptions(region, options), EVERY_CLIENT);
}

/**
 * The security account's clients for a release: the ledger and the topic.
 * `--security-profile` names its credentials; without it, the release's own.
 */
export function securityClients(region: string, options: OperatorAwsOptions & { readonly securityProfile?: string }): AwsClients {
  return createAwsClients(clientOptions(region, { ...options, ...(options.securityProfile ? { profile: options.securityProfile } : {}) }), EVERY_CLIENT);
}

export interface DeploymentClients {
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
}

/**
 * The deployed stack's region. Invoke is sent once: a retry after a timeout
 * on our side could run the playbook a second time while the first still runs.
 */
export function deploymentClients(region: string, options: OperatorAwsOptions): DeploymentClients {
  const base = clientOptions(region, options);
  return {
    cloudFormation: new CloudFormationClient(sdkClientConfig(base)),
    lambda: new LambdaClient(sdkClientConfig({ ...base, maxAttempts: 1, requestTimeoutMs: INVOKE_TIMEOUT_MS })),
  };
}

export interface BrakeOperatorClients {
  readonly cloudFormation: CloudFormationClient;
  /** DynamoDB (the ledger), SNS (the topic), STS (who releases). */
  readonly aws: AwsClients;
}

/** `ir brake`: the stack's outputs, its ledger table and topic, all in the brake's region, with the operator's credentials. */
export function brakeOperatorClients(region: string, options: OperatorAwsOptions): BrakeOperatorClients {
  const base = clientOptions(region, options);
  return { cloudFormation: new CloudFormationClient(sdkClientConfig(base)), aws: createAwsClients(base, EVERY_CLIENT) };
}
