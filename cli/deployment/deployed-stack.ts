import { DescribeStacksCommand, type CloudFormationClient, type Output } from '@aws-sdk/client-cloudformation';
import { ConfigError, parseRuntimeConfig, type RuntimeConfig } from '../../lambda/config/schema';
import type { EvidenceBucket } from '../../lambda/evidence/destination';
import {
  BRAKE_TABLE_OUTPUT,
  CHAT_TOPIC_ARN_OUTPUT,
  EVIDENCE_BUCKET_OUTPUT,
  EVIDENCE_KEY_ARN_OUTPUT,
  LEDGER_TABLE_OUTPUT,
  RUNTIME_CONFIG_OUTPUT,
  TOPIC_ARN_OUTPUT,
} from '../../lib/stack-outputs';
import { UsageError } from '../exit-codes';
import { isMissingStack } from './stack-function';

/*
 * What a manual action needs of the deployed stack to leave the same trail
 * as the Lambda: the topic it notifies (and its chat topic, when chat is
 * configured), the ledger it records in, the
 * evidence bucket (and its key) it writes to, and the runtime configuration
 * its playbooks run with. All read from the stack's outputs (a contract:
 * lib/stack-outputs.ts) in one DescribeStacks call. An output the stack does
 * not have is left undefined: each command says what it cannot do without it.
 */

export interface DeployedStack {
  readonly stackName: string;
  readonly region: string;
  readonly topicArn: string | undefined;
  /** The chat copy's topic (AWS Chatbot): only a stack with chat configured outputs it. */
  readonly chatTopicArn: string | undefined;
  readonly ledgerTable: string | undefined;
  /** The shared brake's table: only the home region's stack of a shared brake outputs it. */
  readonly brakeTable: string | undefined;
  readonly evidence: EvidenceBucket | undefined;
  /** Undefined for a stack deployed before it output its configuration. */
  readonly config: RuntimeConfig | undefined;
}

function outputOf(outputs: readonly Output[] | undefined, key: string): string | undefined {
  return outputs?.find((o) => o.OutputKey === key)?.OutputValue || undefined;
}

/** The stack's configuration output, held to the same schema as the Lambda's IR_RUNTIME_CONFIG. */
function configOf(text: string | undefined, where: string): RuntimeConfig | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${where}: output ${RUNTIME_CONFIG_OUTPUT} is not JSON`);
  }
  return parseRuntimeConfig(json, `${where} output ${RUNTIME_CONFIG_OUTPUT}`);
}

/**
 * The deployed stack, or undefined when there is no such stack in the
 * region (the caller decides whether that is an error). Any other failure
 * (no permission, throttling past the retries) is thrown as it came.
 */
export async function findDeployedStack(cloudFormation: CloudFormationClient, stackName: string, region: string): Promise<DeployedStack | undefined> {
  const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
    if (isMissingStack(error)) return undefined;
    throw error;
  });
  const stack = answer?.Stacks?.find((s) => s.StackName === stackName) ?? answer?.Stacks?.[0];
  if (!stack) return undefined;
  const outputs = stack.Outputs;
  const bucket = outputOf(outputs, EVIDENCE_BUCKET_OUTPUT);
  const keyArn = outputOf(outputs, EVIDENCE_KEY_ARN_OUTPUT);
  return {
    stackName,
    region,
    topicArn: outputOf(outputs, TOPIC_ARN_OUTPUT),
    chatTopicArn: outputOf(outputs, CHAT_TOPIC_ARN_OUTPUT),
    ledgerTable: outputOf(outputs, LEDGER_TABLE_OUTPUT),
    brakeTable: outputOf(outputs, BRAKE_TABLE_OUTPUT),
    evidence: bucket ? { bucket, region, ...(keyArn ? { keyArn } : {}) } : undefined,
    config: configOf(outputOf(outputs, RUNTIME_CONFIG_OUTPUT), `stack ${stackName} in ${region}`),
  };
}

/** An output the command cannot go without, named with the stack it is missing from. */
export function requiredOutput<T>(stack: DeployedStack, value: T | undefined, outputKey: string, why: string): T {
  if (value === undefined) throw new UsageError(`stack ${stack.stackName} in ${stack.region} has no output ${outputKey}: ${why}`);
  return value;
}
