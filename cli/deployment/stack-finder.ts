import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { toStepError } from '../../lambda/aws/errors';
import { ConfigError, runtimeConfigOf, type RuntimeConfig } from '../../lambda/config/schema';
import { securityStackName } from '../../lib/naming';
import type { Deployment } from '../config';
import { UsageError } from '../exit-codes';
import { findDeployedStack, type DeployedStack } from './deployed-stack';

/*
 * The deployed stack of each region a command works in (one DescribeStacks
 * per region), and the configuration a plan is made with:
 *
 *   1. --config, when given (the operator said so; a difference from the
 *      deployed one is pointed out);
 *   2. the configuration the stack was deployed with (its output);
 *   3. cdk.json (or the defaults), saying why the deployed one was not used.
 */

export interface StackLookup {
  readonly stackName: string;
  readonly region: string;
  readonly stack: DeployedStack | undefined;
  /** Why there is no stack: not deployed there, or not readable (the AWS error). */
  readonly missing?: string;
}

export interface ChosenConfig {
  readonly config: RuntimeConfig;
  /** One line for the operator: which configuration, and why. */
  readonly source: string;
  /** The --config file differs from what is deployed: the operator should know. */
  readonly warning?: string;
  /**
   * The region of the stack this configuration is deployed with (RespondOptions.stackRegion: where its
   * guardDuty.detectorId is the detector): the stack's own region when read from it; for a local file, its one
   * region when `regions` names exactly one; else unknown (the detector is looked up in every region).
   */
  readonly stackRegion?: string;
}

export class StackFinder {
  private readonly lookups = new Map<string, Promise<StackLookup>>();

  constructor(
    private readonly deployment: Deployment,
    private readonly explicitStack: string | undefined,
    private readonly cloudFormationIn: (region: string) => CloudFormationClient,
  ) {}

  /** The stack name in a region: --stack, else the deployment's (one per region when the configuration lists regions). */
  stackNameIn(region: string): string {
    return this.explicitStack ?? securityStackName(this.deployment.stackName, this.deployment.config.regions.length > 0 ? region : undefined);
  }

  /** The stack in a region, or why there is none: a lookup that fails is a fact to report, not a crash. */
  lookup(region: string): Promise<StackLookup> {
    let found = this.lookups.get(region);
    if (!found) {
      const stackName = this.stackNameIn(region);
      found = findDeployedStack(this.cloudFormationIn(region), stackName, region).then(
        (stack): StackLookup => (stack ? { stackName, region, stack } : { stackName, region, stack: undefined, missing: `stack ${stackName} does not exist in ${region}` }),
        (error: unknown): StackLookup => {
          // A configuration output that does not parse is a broken deployment, not a missing one: loud, exit 2.
          if (error instanceof ConfigError) throw error;
          const aws = toStepError(error);
          return { stackName, region, stack: undefined, missing: `stack ${stackName} in ${region} could not be read (cloudformation:DescribeStacks: ${aws.code}: ${aws.message})` };
        },
      );
      this.lookups.set(region, found);
    }
    return found;
  }

  /** The stack, which must be there: a manual action that changes things records, keeps evidence and notifies through it. */
  async require(region: string, why: string): Promise<DeployedStack> {
    const found = await this.lookup(region);
    if (!found.stack) throw new UsageError(`${found.missing ?? `stack ${found.stackName} not found in ${region}`}: ${why} (pass --stack and --region of the deployed stack)`);
    return found.stack;
  }

  /** The configuration to plan with, for a region's stack (see the top of this file). */
  async configFor(region: string | undefined, explicitConfig: string | undefined): Promise<ChosenConfig> {
    const local = runtimeConfigOf(this.deployment.config);
    // A file does not say which region its stack was deployed to, unless it names one region only.
    const { regions } = this.deployment.config;
    const localRegion = regions.length === 1 ? { stackRegion: regions[0]! } : {};
    const found = region === undefined ? undefined : await this.lookup(region);
    const deployed = found?.stack?.config;
    if (explicitConfig) {
      const differs = deployed !== undefined && JSON.stringify(deployed) !== JSON.stringify(local);
      return {
        config: local,
        ...localRegion,
        source: `configuration: ${this.deployment.source}`,
        ...(differs ? { warning: `--config ${explicitConfig} differs from the configuration stack ${found!.stackName} (${found!.region}) was deployed with` } : {}),
      };
    }
    if (deployed) return { config: deployed, stackRegion: found!.region, source: `configuration: as deployed in stack ${found!.stackName} (${found!.region})` };
    const why = found === undefined ? 'offline' : found.stack ? `stack ${found.stackName} (${found.region}) does not output its configuration (deployed by an older version)` : found.missing!;
    return { config: local, ...localRegion, source: `configuration: ${this.deployment.source}; not the deployed one: ${why}` };
  }
}
