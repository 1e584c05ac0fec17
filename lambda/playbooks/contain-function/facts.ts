import type { StepError } from '../../aws/errors';
import type { FunctionTarget } from '../../finding/lambda-function';

/** How a read ended: found, gone (ResourceNotFound), failed otherwise, or not made (offline). */
export type Lookup<T> =
  | { readonly state: 'found'; readonly value: T }
  | { readonly state: 'missing'; readonly error: StepError }
  | { readonly state: 'failed'; readonly error: StepError }
  | { readonly state: 'not-read' };

export const NOT_READ = { state: 'not-read' } as const;

export function foundValue<T>(lookup: Lookup<T>): T | undefined {
  return lookup.state === 'found' ? lookup.value : undefined;
}

/**
 * What the evidence keeps of a function's configuration: never the values of
 * its environment variables (they often hold secrets), only their names.
 */
export interface FunctionConfiguration {
  readonly functionArn: string | null;
  readonly functionName: string | null;
  readonly version: string | null;
  readonly codeSha256: string | null;
  readonly codeSize: number | null;
  readonly revisionId: string | null;
  readonly lastModified: string | null;
  readonly runtime: string | null;
  readonly packageType: string | null;
  readonly handler: string | null;
  readonly state: string | null;
  /** The execution role's ARN. */
  readonly role: string | null;
  readonly vpc: { readonly vpcId: string | null; readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] } | null;
  readonly environmentVariableNames: readonly string[];
}

/** One provisioned concurrency configuration of a version or alias (ListProvisionedConcurrencyConfigs). */
export interface ProvisionedConcurrency {
  /** The version or alias it is on (the qualifier of its FunctionArn). */
  readonly qualifier: string;
  readonly requested: number;
  readonly allocated: number | null;
  readonly status: string | null;
}

/** A function the finding names cleanly, and what Lambda says of it. */
export interface FunctionFacts {
  readonly kind: 'function';
  readonly target: FunctionTarget;
  /** The unqualified function ($LATEST): it exists in the finding's account and region. */
  readonly configuration: Lookup<FunctionConfiguration>;
  /** The version the finding names, when it is a published version (its code hash is what ran). */
  readonly versionConfiguration: Lookup<FunctionConfiguration> | null;
  /** Reserved concurrent executions; null: unreserved. */
  readonly reservedConcurrency: Lookup<number | null>;
  /**
   * Its provisioned concurrency configurations: Lambda refuses a reserved concurrency below their sum, so
   * PutFunctionConcurrency(0) fails while any is above 0 (the plan foresees it: throttle-step.ts).
   */
  readonly provisionedConcurrency: Lookup<readonly ProvisionedConcurrency[]>;
  readonly tags: Lookup<Readonly<Record<string, string>>>;
}

/** The finding names no function the responder can trust: nothing is read, nothing is done. */
export interface UnverifiedFacts {
  readonly kind: 'unverified';
  readonly why: string;
}

export type ContainFunctionFacts = FunctionFacts | UnverifiedFacts;
