import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { UsageError } from '../exit-codes';
import { isMissingStack } from './stack-function';

/**
 * Outputs of the deployed stack (a contract: lib/stack-outputs.ts), every
 * one of `keys` required. A stack or output that is not there is the
 * operator's to fix (wrong --stack, region or account): one line, exit 2.
 */
export async function requiredStackOutputs<K extends string>(
  cloudFormation: CloudFormationClient,
  stackName: string,
  region: string,
  keys: readonly K[],
): Promise<Record<K, string>> {
  const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    if (isMissingStack(error)) throw new UsageError(`stack ${stackName} does not exist in ${region}`);
    throw error;
  });
  const stack = stacks.Stacks?.find((s) => s.StackName === stackName) ?? stacks.Stacks?.[0];
  if (!stack) throw new UsageError(`stack ${stackName} does not exist in ${region}`);
  const values: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    if (!value) throw new UsageError(`stack ${stackName} in ${region} has no output ${key}`);
    values[key] = value;
  }
  return values as Record<K, string>;
}
