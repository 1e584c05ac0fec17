import type { EvidenceBucket } from '../../lambda/evidence/destination';
import type { Deployment } from '../config';
import { findDeployedStack } from '../deployment/deployed-stack';
import { UsageError } from '../exit-codes';
import { securityStackName } from '../../lib/naming';
import { BRAKE_TABLE_OUTPUT, EVIDENCE_BUCKET_OUTPUT, LEDGER_TABLE_OUTPUT, TOPIC_ARN_OUTPUT } from '../../lib/stack-outputs';
import { operatorRegion, type BrakeOperatorClients } from '../operator-clients';

/*
 * Where the brake of a deployment lives: the region's ledger table (or, when
 * every regional stack shares one, the home region's brake table), and the
 * topic its release is announced on (and the chat topic, when the stack
 * has one), and the evidence bucket its record is kept in, read from the
 * stack's outputs like `ir respond --execute` finds its trail. --table and
 * --topic-arn name the first two directly; with both (and no --stack) the
 * stack is not read, and the release keeps no record in the bucket (the
 * result says so).
 */

export interface BrakeLocationOptions {
  readonly region?: string;
  readonly stack?: string;
  readonly table?: string;
  readonly topicArn?: string;
}

export interface BrakeLocation {
  readonly region: string;
  readonly stackName: string;
  readonly table: string;
  /** Undefined only when the operator said --no-notify. */
  readonly topicArn: string | undefined;
  /** The stack's chat topic (AWS Chatbot), for the release's chat copy; undefined when it has none or with --no-notify. */
  readonly chatTopicArn?: string;
  /** The stack's evidence bucket and key; undefined when the stack was not read. */
  readonly evidence?: EvidenceBucket;
}

/** A shared brake (blastRadius.homeRegion) is in its home region, whatever --region says; else --region or the environment's. */
export function brakeRegion(deployment: Deployment, options: BrakeLocationOptions): string {
  return deployment.config.blastRadius.homeRegion ?? operatorRegion(options.region, 'the brake');
}

/**
 * `notify` false (--no-notify): no topic is looked for, and none is announced to.
 * `evidence` true (a release that acts): the stack's evidence bucket output is required.
 */
export async function locateBrake(deployment: Deployment, options: BrakeLocationOptions, region: string, clients: BrakeOperatorClients, notify = true, evidence = false): Promise<BrakeLocation> {
  const stackName = options.stack ?? securityStackName(deployment.stackName, deployment.config.regions.length > 0 ? region : undefined);
  const topicArn = notify ? options.topicArn : undefined;
  if (options.table && (topicArn || !notify) && !options.stack) return { region, stackName, table: options.table, topicArn };
  const stack = await findDeployedStack(clients.cloudFormation, stackName, region);
  if (!stack) throw new UsageError(`stack ${stackName} does not exist in ${region}`);
  // A stack or output that is not there is the operator's to fix (wrong --stack, region or account): one line, exit 2.
  const output = <T>(key: string, value: T | undefined): T => {
    if (value === undefined) throw new UsageError(`stack ${stackName} in ${region} has no output ${key}`);
    return value;
  };
  // A shared brake has a table of its own, in the home region's stack; else the brake is in the region's ledger table.
  const shared = Boolean(deployment.config.blastRadius.homeRegion);
  const table = options.table ?? output(shared ? BRAKE_TABLE_OUTPUT : LEDGER_TABLE_OUTPUT, shared ? stack.brakeTable : stack.ledgerTable);
  const topic = notify ? (topicArn ?? output(TOPIC_ARN_OUTPUT, stack.topicArn)) : undefined;
  const bucket = evidence ? output(EVIDENCE_BUCKET_OUTPUT, stack.evidence) : stack.evidence;
  return {
    region,
    stackName,
    table,
    topicArn: topic,
    ...(topic && stack.chatTopicArn ? { chatTopicArn: stack.chatTopicArn } : {}),
    ...(bucket ? { evidence: bucket } : {}),
  };
}
