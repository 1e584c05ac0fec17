import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { toStepError } from '../../lambda/aws/errors';
import type { PlaybookName } from '../../lambda/routing/playbook-names';
import { functionNameOutput } from '../../lib/stack-outputs';
import { UsageError } from '../exit-codes';

/** CloudFormation answers a DescribeStacks of a stack that does not exist with this code and message. */
export function isMissingStack(error: unknown): boolean {
  const { code, message } = toStepError(error);
  return code === 'ValidationError' && /does not exist/i.test(message);
}

/**
 * The deployed function of a playbook, from the stack's outputs (a contract:
 * lib/stack-outputs.ts). A stack or output that is not there is the
 * operator's to fix (wrong --stack, region or account): one line, exit 2.
 */
export async function playbookFunctionName(cloudFormation: CloudFormationClient, stackName: string, playbook: PlaybookName, region: string): Promise<string> {
  const outputKey = functionNameOutput(playbook);
  const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    if (isMissingStack(error)) throw new UsageError(`stack ${stackName} does not exist in ${region}: it has no output ${outputKey} naming the ${playbook} function`);
    throw error;
  });
  const stack = stacks.Stacks?.find((s) => s.StackName === stackName) ?? stacks.Stacks?.[0];
  if (!stack) throw new UsageError(`stack ${stackName} does not exist in ${region}: it has no output ${outputKey} naming the ${playbook} function`);
  const value = stack.Outputs?.find((o) => o.OutputKey === outputKey)?.OutputValue;
  if (!value) throw new UsageError(`stack ${stackName} in ${region} has no output ${outputKey}: it does not deploy the ${playbook} function`);
  return value;
}
