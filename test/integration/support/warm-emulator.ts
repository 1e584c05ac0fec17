import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListScheduleGroupsCommand } from '@aws-sdk/client-scheduler';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { emulatorClients, emulatorEventBridge, emulatorSqs } from '../../../emulator/clients';

/*
 * moto loads each service's code on the first call to it: on a loaded
 * two-core machine that first call can take seconds, and it would land in
 * whichever test happens to call the service first (a timed-out beforeAll,
 * a late answer read as a fault). So before the first test file, one cheap
 * read per service the tests use, round after round, until a whole round
 * answers quickly; bounded, with an error naming the services that never did.
 */

/** A round counts as warm when every call in it answered within this. */
export const WARM_CALL_MS = 1_500;
/** Give up after this long. moto's cold imports take a few seconds even on a loaded machine. */
export const WARM_UP_BUDGET_MS = 120_000;

type Probe = readonly [service: string, call: () => Promise<unknown>];

function probes(endpoint: string): Probe[] {
  const clients = emulatorClients(endpoint);
  const sqs = emulatorSqs(endpoint);
  const events = emulatorEventBridge(endpoint);
  return [
    ['ec2', () => clients.ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }))],
    ['iam', () => clients.iam.send(new ListRolesCommand({ MaxItems: 1 }))],
    ['sts', () => clients.sts.send(new GetCallerIdentityCommand({}))],
    ['sns', () => clients.sns.send(new ListTopicsCommand({}))],
    ['sqs', () => sqs.send(new ListQueuesCommand({}))],
    ['dynamodb', () => clients.dynamodb.send(new ListTablesCommand({}))],
    ['autoscaling', () => clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}))],
    ['elbv2', () => clients.elbv2.send(new DescribeTargetGroupsCommand({}))],
    ['s3', () => clients.s3.send(new ListBucketsCommand({}))],
    ['events', () => events.send(new ListRulesCommand({}))],
    ['cloudtrail', () => clients.cloudTrail.send(new DescribeTrailsCommand({}))],
    ['guardduty', () => clients.guardDuty.send(new ListDetectorsCommand({}))],
    ['scheduler', () => clients.scheduler.send(new ListScheduleGroupsCommand({}))],
  ];
}

interface ProbeResult {
  readonly service: string;
  readonly ms: number;
  /** The call ended without an HTTP answer (a timeout, a dropped connection): the service is not ready. An error answer is an answer. */
  readonly error?: string;
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

async function timed([service, call]: Probe): Promise<ProbeResult> {
  const started = Date.now();
  try {
    await call();
    return { service, ms: Date.now() - started };
  } catch (error) {
    const ms = Date.now() - started;
    if (httpStatusOf(error) !== undefined) return { service, ms };
    return { service, ms, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const slow = (r: ProbeResult) => r.error !== undefined || r.ms > WARM_CALL_MS;
const describe = (r: ProbeResult) => `${r.service} ${r.ms} ms${r.error ? ` (${r.error})` : ''}`;

/** Resolves once a whole round of reads answered within WARM_CALL_MS each; throws after WARM_UP_BUDGET_MS. */
export async function waitForWarmEmulator(endpoint: string, budgetMs = WARM_UP_BUDGET_MS): Promise<void> {
  const all = probes(endpoint);
  const deadline = Date.now() + budgetMs;
  let last: ProbeResult[] = [];
  while (Date.now() < deadline) {
    // One at a time: the first call of each service is what is slow, and the machine is busy already.
    last = [];
    for (const probe of all) last.push(await timed(probe));
    if (!last.some(slow)) return;
  }
  throw new Error(
    `the AWS emulator at ${endpoint} did not warm up within ${budgetMs / 1000} s: in the last round these reads failed or took over ${WARM_CALL_MS} ms: ${last.filter(slow).map(describe).join('; ')}`,
  );
}
