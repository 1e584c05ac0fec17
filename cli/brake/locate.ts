import type { Deployment } from '../config';
import { requiredStackOutputs } from '../deployment/stack-outputs';
import { securityStackName } from '../../lib/naming';
import { BRAKE_TABLE_OUTPUT, LEDGER_TABLE_OUTPUT, TOPIC_ARN_OUTPUT } from '../../lib/stack-outputs';
import { operatorRegion, type BrakeOperatorClients } from '../operator-clients';

/*
 * Where the brake of a deployment lives: the region's ledger table (or, when
 * every regional stack shares one, the home region's brake table), and the
 * topic its release is announced on, read from the stack's outputs like
 * `ir invoke` finds its functions. --table and --topic-arn name them
 * directly (no CloudFormation call for the one given).
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
}

/** A shared brake (blastRadius.homeRegion) is in its home region, whatever --region says; else --region or the environment's. */
export function brakeRegion(deployment: Deployment, options: BrakeLocationOptions): string {
  return deployment.config.blastRadius.homeRegion ?? operatorRegion(options.region, 'the brake');
}

/** `notify` false (--no-notify): no topic is looked for, and none is announced to. */
export async function locateBrake(deployment: Deployment, options: BrakeLocationOptions, region: string, clients: BrakeOperatorClients, notify = true): Promise<BrakeLocation> {
  const stackName = options.stack ?? securityStackName(deployment.stackName, deployment.config.regions.length > 0 ? region : undefined);
  const topicArn = notify ? options.topicArn : undefined;
  if (options.table && (topicArn || !notify)) return { region, stackName, table: options.table, topicArn };
  // A shared brake has a table of its own, in the home region's stack; else the brake is in the region's ledger table.
  const tableOutput = deployment.config.blastRadius.homeRegion ? BRAKE_TABLE_OUTPUT : LEDGER_TABLE_OUTPUT;
  const wanted = notify && !topicArn ? [tableOutput, TOPIC_ARN_OUTPUT] : [tableOutput];
  const outputs: Partial<Record<string, string>> = await requiredStackOutputs(clients.cloudFormation, stackName, region, wanted);
  return { region, stackName, table: options.table ?? outputs[tableOutput]!, topicArn: notify ? (topicArn ?? outputs[TOPIC_ARN_OUTPUT]) : undefined };
}
