import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { DescribeInstancesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { performance } from 'node:perf_hooks';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../lambda/aws/clients';
import { DEFAULT_MEMBER_ROLE_NAME, parseConfig } from '../lambda/config/schema';
import { FINDING_ID_TAG } from '../lambda/playbooks/contain-instance/names';
import { drainQueue } from '../test/integration/support/inbox';
import { launchBenchInstance, seedBenchNetwork, type BenchInstance, type BenchNetwork } from './fleet';
import { instanceFindingEvent } from './findings';
import { containInstanceHandler, functionContext, REGION, responderGroupIds } from './handler';
import type { LatencyProxy, RecordedCall } from './latency-proxy';
import { groupsOf } from './round-trips';

/*
 * A burst: 100 compromised instances across the security account and a
 * member account, each finding delivered 5 times (GuardDuty updates and
 * EventBridge redeliveries), 500 invocations in a shuffled order, as many
 * at once as the playbook's reserved concurrency allows, while the proxy
 * throttles 20% of the calls. An invocation that throws is retried as
 * Lambda retries asynchronous invocations (retryAttempts). Then the
 * accounts are read back: each instance isolated, one snapshot set each,
 * every notification in the inbox.
 */

/** BENCH_BURST_INSTANCES: a smaller burst for a quick try; the benchmark's figure is with 100. */
export const BURST_INSTANCES = Number(process.env.BENCH_BURST_INSTANCES ?? 100);
export const DELIVERIES_PER_FINDING = 5;
export const THROTTLED_SHARE = 0.2;
const ENIS = 2;
const VOLUMES = 2;

export interface BurstResult {
  readonly findings: number;
  readonly wallMs: number;
  readonly perSecond: number;
  readonly lost: number;
  readonly duplicated: number;
}

export interface BurstDetail extends BurstResult {
  readonly concurrency: number;
  readonly calls: number;
  readonly throttledCalls: number;
  readonly invocationRetries: number;
  readonly problems: readonly string[];
}

export interface BurstAccount {
  readonly accountId: string;
  readonly clients: AwsClients;
}

export interface BurstContext {
  readonly accounts: readonly [BurstAccount, BurstAccount];
  readonly proxy: LatencyProxy;
  readonly topicArn: string;
  readonly inbox: { readonly sqs: SQSClient; readonly queueUrl: string };
}

interface Target {
  readonly account: BurstAccount;
  readonly network: BenchNetwork;
  readonly instance: BenchInstance;
  readonly findingId: string;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function seedTargets(ctx: BurstContext): Promise<Target[]> {
  const targets: Target[] = [];
  for (const [index, account] of ctx.accounts.entries()) {
    if (index > 0) {
      // The member role the member stack creates (the emulator does not check its trust policy).
      await account.clients.iam.send(
        new CreateRoleCommand({ RoleName: DEFAULT_MEMBER_ROLE_NAME, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }),
      );
    }
    const network = await seedBenchNetwork(account.clients, `bench-burst-${index}`);
    for (let n = 0; n < BURST_INSTANCES / ctx.accounts.length; n += 1) {
      const instance = await launchBenchInstance(account.clients, network, ENIS, VOLUMES);
      targets.push({ account, network, instance, findingId: `bench-burst-${account.accountId}-${n}` });
    }
  }
  return targets;
}

export async function benchBurst(ctx: BurstContext): Promise<BurstDetail> {
  const targets = await seedTargets(ctx);
  const handler = await containInstanceHandler({ endpoint: ctx.proxy.endpoint, topicArn: ctx.topicArn });
  const deliveries = shuffled(targets.flatMap((t) => Array.from({ length: DELIVERIES_PER_FINDING }, () => t)), 42);
  // The stack's defaults: this many invocations at once, each retried this often when it throws.
  const defaults = parseConfig({}, 'defaults');
  const concurrency = defaults.reservedConcurrency;
  const maxAttempts = 1 + defaults.retryAttempts;
  let invocationRetries = 0;
  const problems: string[] = [];

  ctx.proxy.clear();
  ctx.proxy.setThrottling(THROTTLED_SHARE, 7);
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < deliveries.length) {
      const target = deliveries[next]!;
      next += 1;
      if (next % 50 === 0) process.stderr.write(`bench: burst ${next}/${deliveries.length}\n`);
      const event = instanceFindingEvent({ findingId: target.findingId, accountId: target.account.accountId, region: REGION, instanceId: target.instance.instanceId });
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        try {
          await handler(event, functionContext('contain-instance'));
          break;
        } catch (error) {
          if (attempt === maxAttempts) problems.push(`${target.findingId}: invocation failed ${maxAttempts} times: ${String(error)}`);
          else invocationRetries += 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  ctx.proxy.setThrottling(0);
  const calls = [...ctx.proxy.calls];

  const { lost, duplicated } = await check(ctx, targets, calls, problems);
  return {
    findings: deliveries.length,
    wallMs: Math.round(wallMs),
    perSecond: Math.round((deliveries.length / (wallMs / 1000)) * 10) / 10,
    lost,
    duplicated,
    concurrency,
    calls: calls.length,
    throttledCalls: calls.filter((c) => c.throttled).length,
    invocationRetries,
    problems,
  };
}

async function check(ctx: BurstContext, targets: readonly Target[], calls: readonly RecordedCall[], problems: string[]): Promise<{ lost: number; duplicated: number }> {
  let lost = 0;
  let duplicated = 0;
  const isolationOf = new Map<string, string>();
  for (const target of targets) {
    const key = `${target.account.accountId}/${target.network.vpcId}`;
    if (!isolationOf.has(key)) isolationOf.set(key, (await responderGroupIds(target.account.clients.ec2, target.network.vpcId)).isolation);
    const isolation = isolationOf.get(key)!;
    const { ec2 } = target.account.clients;
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [target.instance.instanceId] }));
    const enis = described.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces ?? [];
    const open = enis.filter((eni) => (eni.Groups ?? []).map((g) => g.GroupId).join(' ') !== isolation);
    if (open.length > 0 || enis.length !== ENIS) {
      lost += 1;
      problems.push(`${target.instance.instanceId}: ${open.length} ENI(s) not on the isolation group only`);
    }
    const snapshots = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${FINDING_ID_TAG}`, Values: [target.findingId] }] }));
    const taken = snapshots.Snapshots?.length ?? 0;
    if (taken === 0) {
      lost += 1;
      problems.push(`${target.instance.instanceId}: no snapshot`);
    } else if (taken !== VOLUMES) {
      duplicated += 1;
      problems.push(`${target.instance.instanceId}: ${taken} snapshots for ${VOLUMES} volumes`);
    }
    // Isolated exactly once: each ENI put on the isolation group by one successful call.
    for (const eniId of target.instance.networkInterfaceIds) {
      const moves = calls.filter((c) => c.operation === 'ModifyNetworkInterfaceAttribute' && c.status === 200 && c.params.NetworkInterfaceId === eniId && groupsOf(c)[0] === isolation);
      if (moves.length > 1) {
        duplicated += 1;
        problems.push(`${eniId}: moved onto the isolation group ${moves.length} times`);
      }
    }
  }
  const notifications = await readAll(ctx.inbox.sqs, ctx.inbox.queueUrl);
  const expected = targets.length * DELIVERIES_PER_FINDING;
  if (notifications < expected) {
    lost += expected - notifications;
    problems.push(`${expected - notifications} notification(s) missing: ${notifications} of ${expected} in the inbox`);
  }
  return { lost, duplicated };
}

/** Every message in the inbox; drainQueue stops at the first empty answer, which is bounded by the queue's size. */
async function readAll(sqs: SQSClient, queueUrl: string): Promise<number> {
  return (await drainQueue(sqs, queueUrl)).length;
}
