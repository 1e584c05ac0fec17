import { performance } from 'node:perf_hooks';
import type { AwsClients } from '../lambda/aws/clients';
import type { Report } from '../lambda/plan/document';
import { launchBenchInstance, seedBenchNetwork, type BenchNetwork } from './fleet';
import { instanceFindingEvent } from './findings';
import { containInstanceHandler, failedOf, functionContext, HOME_ACCOUNT, REGION, responderGroupIds, single } from './handler';
import type { LatencyProxy } from './latency-proxy';
import { criticalPathToIsolation, timelineOf, type RunTimeline } from './round-trips';
import { median } from './stats';

/*
 * Time to isolation: one finding, one instance, the real handler, every call
 * through the proxy. The isolation groups either exist already (every
 * incident after the first in a VPC) or must be created (the first one).
 *
 * Every configuration starts from an emptied emulator: moto answers one call
 * at a time and many of its calls scan every resource of the account, so in
 * one long-lived state (27 instances, their ENIs and a snapshot of every
 * volume) each configuration would pay for the ones measured before it, the
 * 8-ENI rows most. Its time on the critical path is reported next to the raw
 * figure: see criticalPathToIsolation.
 */

export const ENI_COUNTS = [1, 4, 8] as const;
export const VOLUME_COUNTS = [1, 4, 12] as const;

export interface IsolationRow {
  readonly enis: number;
  readonly volumes: number;
  readonly roundTripsBeforeIsolation: number;
  readonly timeToIsolationMs: number;
  readonly totalMs: number;
}

export interface IsolationDetail extends IsolationRow {
  readonly groups: 'existing' | 'created';
  readonly firstMutating: string;
  readonly snapshotMs: number;
  readonly calls: number;
  /**
   * Median, over the runs, of the emulator's time (the proxy's upstream time,
   * its fixed delay excluded) summed over the calls on the critical path to
   * isolation: part of timeToIsolationMs, not subtracted from it.
   */
  readonly emulatorOnPathMs: number;
  /** Calls on that path: each one's fixed proxy delay is in timeToIsolationMs too. */
  readonly callsOnPath: number;
}

export interface IsolationContext {
  readonly direct: AwsClients;
  readonly proxy: LatencyProxy;
  readonly topicArn: string;
  readonly repetitions: number;
  /** Empties the emulator and seeds again what `topicArn` names, as the rest of the benchmark expects it. */
  readonly freshEmulator: () => Promise<void>;
}

type RunResult = RunTimeline & { totalMs: number; snapshotMs: number; emulatorOnPathMs: number; callsOnPath: number };

let findingSeq = 0;

async function runOnce(ctx: IsolationContext, network: BenchNetwork, enis: number, volumes: number): Promise<RunResult> {
  const instance = await launchBenchInstance(ctx.direct, network, enis, volumes);
  const handler = await containInstanceHandler({ endpoint: ctx.proxy.endpoint, topicArn: ctx.topicArn });
  findingSeq += 1;
  const event = instanceFindingEvent({ findingId: `bench-isolation-${findingSeq}`, accountId: HOME_ACCOUNT, region: REGION, instanceId: instance.instanceId });
  ctx.proxy.clear();
  const startedAt = performance.now();
  const report: Report = single(await handler(event, functionContext('contain-instance')));
  const totalMs = performance.now() - startedAt;
  const failed = failedOf(report);
  if (failed.length > 0) throw new Error(`isolation run on ${instance.instanceId} had failures:\n${failed.join('\n')}`);
  const groups = await responderGroupIds(ctx.direct.ec2, network.vpcId);
  const calls = [...ctx.proxy.calls];
  const timeline = timelineOf(calls, startedAt, groups.untrack, groups.isolation);
  const path = criticalPathToIsolation(calls, groups.isolation);
  const snapshotMs = report.steps.find((s) => s.id === 'snapshot-volumes')?.durationMs ?? Number.NaN;
  return { ...timeline, totalMs, snapshotMs, emulatorOnPathMs: path.emulatorMs, callsOnPath: path.calls.length };
}

function summarize(runs: readonly RunResult[], enis: number, volumes: number, groups: IsolationDetail['groups']): IsolationDetail {
  return {
    enis,
    volumes,
    roundTripsBeforeIsolation: Math.max(...runs.map((r) => r.roundTripsBeforeIsolation)),
    timeToIsolationMs: Math.round(median(runs.map((r) => r.timeToIsolationMs))),
    totalMs: Math.round(median(runs.map((r) => r.totalMs))),
    groups,
    firstMutating: runs[0]!.firstMutating,
    snapshotMs: Math.round(median(runs.map((r) => r.snapshotMs))),
    calls: Math.round(median(runs.map((r) => r.calls))),
    emulatorOnPathMs: Math.round(median(runs.map((r) => r.emulatorOnPathMs))),
    callsOnPath: Math.max(...runs.map((r) => r.callsOnPath)),
  };
}

export async function benchIsolation(ctx: IsolationContext): Promise<IsolationDetail[]> {
  const details: IsolationDetail[] = [];
  // First incident in a VPC: the groups are created (a fresh VPC each time).
  await ctx.freshEmulator();
  const firstRuns = [];
  for (let rep = 0; rep < ctx.repetitions; rep += 1) {
    const fresh = await seedBenchNetwork(ctx.direct, `bench-first-${rep}`);
    firstRuns.push(await runOnce(ctx, fresh, 1, 1));
  }
  details.push(summarize(firstRuns, 1, 1, 'created'));

  // Every later incident: the groups exist (an unmeasured first run creates them), in the same emulator state for each configuration.
  for (const enis of ENI_COUNTS) {
    for (const volumes of VOLUME_COUNTS) {
      await ctx.freshEmulator();
      const network = await seedBenchNetwork(ctx.direct, `bench-isolation-${enis}-${volumes}`);
      await runOnce(ctx, network, 1, 1);
      const runs = [];
      for (let rep = 0; rep < ctx.repetitions; rep += 1) runs.push(await runOnce(ctx, network, enis, volumes));
      details.push(summarize(runs, enis, volumes, 'existing'));
    }
  }
  return details;
}
