import { performance } from 'node:perf_hooks';
import type { AwsClients } from '../lambda/aws/clients';
import { confirmationVerdict, isConfirmed } from '../lambda/confirm/verdicts';
import type { Report } from '../lambda/plan/document';
import { launchBenchInstance, seedBenchNetwork, type BenchNetwork } from './fleet';
import { instanceFindingEvent } from './findings';
import { traceCalls } from './trace';
import { containInstanceHandler, failedOf, functionContext, HOME_ACCOUNT, REGION, responderGroupIds, single } from './handler';
import type { GuardDutyFindingJson } from './guardduty-stand-in';
import type { LatencyProxy } from './latency-proxy';
import { criticalPathToIsolation, formatMovesTimeline, movesTimelineOf, pathRoundTripsBeforeIsolation, timelineOf, type RunTimeline } from './round-trips';
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
  /** The finding was confirmed with GuardDuty (the proxy's stand-in) before the first change; false: confirmFindings off. */
  readonly confirmFindings: boolean;
  /**
   * GuardDuty calls of a run, the most of any run: 1 (GetFindings) once the container knows its
   * detector, 2 when it looks the detector up first (ListDetectors: a container's first finding).
   */
  readonly guardDutyCalls: number;
  /**
   * The container's first finding (a single run: the benchmark's very first): its confirmation looks the
   * detector up before GetFindings. Every other row's runs reuse the detector id the container knows.
   */
  readonly firstOfContainer: boolean;
  /** Round trips before the untrack group over the calls isolation waits for only (round-trips.ts), the most of any run. */
  readonly pathRoundTrips: number;
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

type RunResult = RunTimeline & { totalMs: number; snapshotMs: number; emulatorOnPathMs: number; callsOnPath: number; guardDutyCalls: number; pathRoundTrips: number };

const GUARDDUTY_OPERATIONS = new Set(['ListDetectors', 'GetFindings']);

/** Confirmed when asked for, and said to be NOT confirmed when not: a run that measured something else must not count. */
function checkConfirmation(report: Report, confirm: boolean, guardDutyCalls: number): void {
  const verdict = confirmationVerdict(report.guards);
  const ok = confirm ? verdict !== undefined && isConfirmed(verdict) && guardDutyCalls > 0 : verdict?.reason.startsWith('NOT CONFIRMED') === true && guardDutyCalls === 0;
  if (!ok) throw new Error(`isolation run with confirmFindings ${confirm}: confirmation verdict ${JSON.stringify(verdict)}, ${guardDutyCalls} GuardDuty call(s)`);
}

let findingSeq = 0;

async function runOnce(ctx: IsolationContext, network: BenchNetwork, enis: number, volumes: number, confirm: boolean): Promise<RunResult> {
  const instance = await launchBenchInstance(ctx.direct, network, enis, volumes);
  const handler = await containInstanceHandler({ endpoint: ctx.proxy.endpoint, topicArn: ctx.topicArn, confirmFindings: confirm });
  findingSeq += 1;
  // The ENIs listed as GuardDuty lists them: a warm container moves a single-ENI instance before any read (early/early-move.ts).
  const networkInterfaces = instance.networkInterfaceIds.map((networkInterfaceId) => ({ networkInterfaceId, vpcId: network.vpcId, groupIds: [network.workloadGroupId] }));
  const event = instanceFindingEvent({ findingId: `benchisolation${findingSeq}`, accountId: HOME_ACCOUNT, region: REGION, instanceId: instance.instanceId, networkInterfaces });
  // GuardDuty holds what it delivered (the event's detail is the finding in GuardDuty's own JSON form).
  if (confirm) ctx.proxy.guardDuty.hold(event.detail as GuardDutyFindingJson);
  ctx.proxy.clear();
  const startedAt = performance.now();
  const report: Report = single(await handler(event, functionContext('contain-instance')));
  const totalMs = performance.now() - startedAt;
  const failed = failedOf(report);
  if (failed.length > 0) throw new Error(`isolation run on ${instance.instanceId} had failures:\n${failed.join('\n')}`);
  const groups = await responderGroupIds(ctx.direct.ec2, network.vpcId);
  const calls = [...ctx.proxy.calls];
  traceCalls(`isolation run, ${enis} ENI(s), confirmation ${confirm ? 'on' : 'off'}`, calls, startedAt);
  const guardDutyCalls = calls.filter((c) => GUARDDUTY_OPERATIONS.has(c.operation)).length;
  checkConfirmation(report, confirm, guardDutyCalls);
  const timeline = timelineOf(calls, startedAt, groups.untrack, groups.isolation);
  const path = criticalPathToIsolation(calls, groups.isolation);
  const snapshotMs = report.steps.find((s) => s.id === 'snapshot-volumes')?.durationMs ?? Number.NaN;
  const pathRoundTrips = pathRoundTripsBeforeIsolation(calls, groups.untrack);
  // Each run's call timeline: the round trips to isolation and when each check ran against the moves.
  console.log(`  isolation run, ${enis} ENI(s), confirmation ${confirm ? 'on' : 'off'}: ${formatMovesTimeline(movesTimelineOf(calls, groups.untrack, groups.isolation))}`);
  return { ...timeline, totalMs, snapshotMs, emulatorOnPathMs: path.emulatorMs, callsOnPath: path.calls.length, guardDutyCalls, pathRoundTrips };
}

function summarize(runs: readonly RunResult[], enis: number, volumes: number, groups: IsolationDetail['groups'], confirmFindings: boolean, firstOfContainer = false): IsolationDetail {
  return {
    enis,
    volumes,
    confirmFindings,
    firstOfContainer,
    pathRoundTrips: Math.max(...runs.map((r) => r.pathRoundTrips)),
    guardDutyCalls: Math.max(...runs.map((r) => r.guardDutyCalls)),
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

/** Runs with and without the confirmation, taking turns (with first), so both see the same emulator states. */
async function runBoth(ctx: IsolationContext, network: () => Promise<BenchNetwork>, enis: number, volumes: number, groups: IsolationDetail['groups']): Promise<IsolationDetail[]> {
  const on: RunResult[] = [];
  const off: RunResult[] = [];
  for (let rep = 0; rep < ctx.repetitions; rep += 1) {
    on.push(await runOnce(ctx, await network(), enis, volumes, true));
    off.push(await runOnce(ctx, await network(), enis, volumes, false));
  }
  return [summarize(on, enis, volumes, groups, true), summarize(off, enis, volumes, groups, false)];
}

export async function benchIsolation(ctx: IsolationContext): Promise<IsolationDetail[]> {
  const details: IsolationDetail[] = [];
  // First incident in a VPC: the groups are created (a fresh VPC each time).
  await ctx.freshEmulator();
  let vpcs = 0;
  const freshVpc = () => seedBenchNetwork(ctx.direct, `bench-first-${(vpcs += 1)}`);
  // The very first run of the process is its container's first finding: the confirmation looks the
  // detector up (ListDetectors) before GetFindings. Measured on its own; every later run knows the id.
  const firstOfContainer = await runOnce(ctx, await freshVpc(), 1, 1, true);
  details.push(...(await runBoth(ctx, freshVpc, 1, 1, 'created')));
  details.push(summarize([firstOfContainer], 1, 1, 'created', true, true));

  // Every later incident: the groups exist (an unmeasured first run creates them, a second finds them), in the same emulator state for each configuration.
  for (const enis of ENI_COUNTS) {
    for (const volumes of VOLUME_COUNTS) {
      await ctx.freshEmulator();
      const network = await seedBenchNetwork(ctx.direct, `bench-isolation-${enis}-${volumes}`);
      await runOnce(ctx, network, 1, 1, true);
      // A warm container with the groups in place has answered a finding in the VPC since they exist: it remembers them.
      await runOnce(ctx, network, 1, 1, true);
      details.push(...(await runBoth(ctx, () => Promise.resolve(network), enis, volumes, 'existing')));
    }
  }
  return details;
}
