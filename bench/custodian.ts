import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateTagsCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../lambda/aws/clients';
import { PROJECT_ROOT } from '../lib/lambda-bundle/options';
import { buildBundle } from './bundle';
import { runBundleCold } from './cold-child';
import { isolationOf, parseCustodianAnswer, type CustodianAnswer, type MeasuredRun } from './custodian-runs';
import { sideBySideRow, type SideBySideRow, type Start } from './custodian-targets';
import { launchBenchInstance, seedBenchNetwork, type BenchInstance, type BenchNetwork } from './fleet';
import { instanceFindingEvent } from './findings';
import { STAND_IN_DETECTOR_ID, type GuardDutyFindingJson } from './guardduty-stand-in';
import { containInstanceHandler, failedOf, functionContext, HOME_ACCOUNT, lambdaEnvironment, REGION, responderGroupIds, single, type HandlerEnvironment, type ResponderGroupIds } from './handler';
import type { LatencyProxy } from './latency-proxy';
import { LineChild } from './line-child';
import { traceCalls } from './trace';
import { formatMovesTimeline, movesTimelineOf } from './round-trips';
import { WarmContainer } from './warm-container';

/*
 * Time to isolation side by side with Cloud Custodian (PyPI c7n, pinned in
 * bench/custodian/requirements.txt, installed into .venv/custodian by `make bench`):
 * its guard-duty mode policy (bench/custodian/policy.yml: modify-security-groups
 * to the isolation group, removing all others, then snapshot) run through
 * Custodian's own Lambda entry point (bench/custodian/run_custodian.py),
 * every call through the same latency proxy to the same emulator, on the
 * same instance shapes, the two taking turns run by run.
 *
 * Each ENI count starts from an emptied emulator with one VPC, where an
 * unmeasured responder run has made the responder's groups; Custodian moves
 * ENIs to the same isolation group (by id, its fastest form). Every run is on
 * a fresh instance with a Name tag (an untagged one costs Custodian one
 * DescribeTags more) named by a finding that lists its ENIs, as GuardDuty's
 * do. The responder runs as the stack's default has it: the finding confirmed
 * with GuardDuty (the proxy's stand-in), no incident ledger (Custodian has none).
 *
 * Time to isolation, both sides: from the start to the proxy's answer to the
 * call that put the isolation group on the last ENI.
 * - warm: the start is the handler's call, in a container that has handled a
 *   finding before in that VPC (the responder: its bundle in a long-lived Node
 *   process, warm-container.ts; Custodian: the same Python process, its
 *   earlier event handled, `c7n.handler.dispatch_event` called). Both run
 *   outside this process, whose event loop the latency proxy runs on.
 * - cold: the start is the import of the code Lambda's init loads, in a fresh
 *   process, then the first event (the responder: its bundle imported by a
 *   fresh Node process; Custodian: `from c7n import handler` in a fresh Python
 *   process, config.json read by dispatch_event). Neither interpreter's own
 *   start nor Lambda's sandbox is in it. The responder's cold run is a
 *   container's first finding, so its confirmation looks GuardDuty's detector up first.
 */

export const SIDE_BY_SIDE_ENIS = [1, 8] as const;
const VOLUMES = 1;
const CUSTODIAN_DIR = join(PROJECT_ROOT, 'bench', 'custodian');
const RUNNER = join(CUSTODIAN_DIR, 'run_custodian.py');
export const CUSTODIAN_POLICY = join(CUSTODIAN_DIR, 'policy.yml');
/** Its own virtualenv inside .venv/ (Makefile, CUSTODIAN_VENV): c7n and checkov pin boto3 to different exact versions. */
const VENV_PYTHON = join(PROJECT_ROOT, '.venv', 'custodian', 'bin', 'python');
/** A Custodian run that has not answered by then is stuck, not slow. */
const CUSTODIAN_ANSWER_TIMEOUT_MS = 120_000;

export interface CustodianContext {
  readonly direct: AwsClients;
  readonly proxy: LatencyProxy;
  readonly topicArn: string;
  readonly repetitions: number;
  readonly freshEmulator: () => Promise<void>;
}

/** The calls each side had answered by the time isolation was complete, in the order sent, of the last run of a configuration. */
export interface CallsToIsolation {
  readonly start: Start;
  readonly enis: number;
  readonly responder: string;
  readonly custodian: string;
  /** The responder's moves and checks, of the same run (round-trips.ts formatMovesTimeline). */
  readonly responderTimeline: string;
}

export interface CustodianDetail {
  readonly version: string;
  readonly rows: readonly SideBySideRow[];
  readonly callsToIsolation: readonly CallsToIsolation[];
}

/** The .venv's Python with c7n, and c7n's version; fails loud, saying how to install it. */
function custodianPython(): { python: string; version: string } {
  const probe = existsSync(VENV_PYTHON)
    ? spawnSync(VENV_PYTHON, ['-c', 'import c7n.handler; from importlib.metadata import version; print(version("c7n"))'], { encoding: 'utf8', timeout: 60_000 })
    : undefined;
  if (!probe || probe.status !== 0) {
    throw new Error(`Cloud Custodian is not installed in ${VENV_PYTHON}: \`make bench\` installs it (bench/custodian/requirements.txt)\n${probe?.stderr ?? ''}`);
  }
  return { python: VENV_PYTHON, version: probe.stdout.trim() };
}

/** What Custodian's Lambda gets: the emulator's test credentials, every call to the proxy, nothing read from ~/.aws. */
function custodianEnvironment(endpoint: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** config.json for the isolation group of this VPC, checked against Custodian's schema (run_custodian.py prepare). */
function prepareCustodian(python: string, endpoint: string, isolationGroupId: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-custodian-'));
  const result = spawnSync(python, [RUNNER, 'prepare', CUSTODIAN_POLICY, isolationGroupId, HOME_ACCOUNT, dir], { encoding: 'utf8', env: custodianEnvironment(endpoint), timeout: 120_000 });
  if (result.status !== 0) throw new Error(`Custodian policy preparation failed: ${result.stderr}${result.stdout}`);
  return dir;
}

/** One Custodian Lambda container: a Python process handling one event per stdin line. */
class CustodianContainer {
  private constructor(private readonly child: LineChild) {}

  static start(python: string, configDir: string, endpoint: string): CustodianContainer {
    return new CustodianContainer(LineChild.start('the Custodian runner', python, [RUNNER, 'serve', configDir], { env: custodianEnvironment(endpoint) }, CUSTODIAN_ANSWER_TIMEOUT_MS));
  }

  async invoke(event: unknown): Promise<CustodianAnswer> {
    const answer = parseCustodianAnswer(await this.child.ask(JSON.stringify(event)));
    if (answer.error !== null) throw new Error(`Custodian's run failed: ${answer.error}\n${this.child.stderr}`);
    return answer;
  }

  close(): Promise<void> {
    return this.child.close();
  }
}

let findingSeq = 0;

/** A fresh instance with a Name tag, and a finding that names it and lists its ENIs as GuardDuty's findings do. */
async function target(ctx: CustodianContext, network: BenchNetwork, enis: number): Promise<{ instance: BenchInstance; event: Record<string, unknown> }> {
  const instance = await launchBenchInstance(ctx.direct, network, enis, VOLUMES);
  // Letters and digits only, as GuardDuty's finding ids (the finding's ARN must name it: lambda/close-loop/finding-identifier.ts).
  findingSeq += 1;
  await ctx.direct.ec2.send(new CreateTagsCommand({ Resources: [instance.instanceId], Tags: [{ Key: 'Name', Value: `bench-side-by-side-${findingSeq}` }] }));
  const event = instanceFindingEvent({ findingId: `benchsidebyside${findingSeq}`, accountId: HOME_ACCOUNT, region: REGION, instanceId: instance.instanceId });
  const described = await ctx.direct.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.instanceId] }));
  const interfaces = described.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces ?? [];
  const details = (event.detail as { resource: { instanceDetails: Record<string, unknown> } }).resource.instanceDetails;
  details.networkInterfaces = interfaces.map((eni) => ({
    networkInterfaceId: eni.NetworkInterfaceId,
    privateIpAddress: eni.PrivateIpAddress,
    privateIpAddresses: [],
    ipv6Addresses: [],
    securityGroups: (eni.Groups ?? []).map((g) => ({ groupId: g.GroupId, groupName: g.GroupName })),
    subnetId: eni.SubnetId,
    vpcId: eni.VpcId,
  }));
  details.tags = [{ key: 'Name', value: `bench-side-by-side-${findingSeq}` }];
  return { instance, event };
}

/** Read back from the emulator: every ENI on the isolation group alone. */
async function checkIsolated(ctx: CustodianContext, instance: BenchInstance, isolationGroupId: string, who: string): Promise<void> {
  const described = await ctx.direct.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.instanceId] }));
  const interfaces = described.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces ?? [];
  const open = interfaces.filter((eni) => (eni.Groups ?? []).map((g) => g.GroupId).join(' ') !== isolationGroupId);
  if (open.length > 0 || interfaces.length !== instance.networkInterfaceIds.length) {
    throw new Error(`${who} left ${instance.instanceId} with ${open.length} of ${interfaces.length} ENI(s) not on the isolation group alone`);
  }
}

/**
 * The stack's default, the finding confirmed (with the proxy's GuardDuty stand-in); lambdaEnvironment keeps localEmulator,
 * so the Security Hub note, which moto cannot answer, is recorded skipped rather than failed (not on the way to isolation).
 */
function responderEnvironment(ctx: CustodianContext): HandlerEnvironment {
  // The security account's detector configured, as docs/configuration.md advises: a cold container asks GetFindings at once
  // rather than looking the detector up first (ListDetectors, one round trip more on a container's first finding).
  return { endpoint: ctx.proxy.endpoint, topicArn: ctx.topicArn, confirmFindings: true, runtimeConfig: { guardDuty: { detectorId: STAND_IN_DETECTOR_ID } } };
}

interface Side {
  readonly ctx: CustodianContext;
  readonly network: BenchNetwork;
  readonly groups: ResponderGroupIds;
  readonly bundleFile: string;
}

/** warm: `container` is a warm Lambda container of the bundle (warm-container.ts); cold: a fresh process imports the bundle. */
async function responderRun(side: Side, enis: number, start: Start, container?: WarmContainer): Promise<MeasuredRun> {
  const { ctx } = side;
  const { instance, event } = await target(ctx, side.network, enis);
  ctx.proxy.guardDuty.hold(event.detail as GuardDutyFindingJson);
  let startedAt: number;
  if (start === 'warm') {
    if (!container) throw new Error('a warm responder run needs its warm container');
    ctx.proxy.clear();
    const warm = await container.invoke(event, functionContext('contain-instance'));
    if (warm.failed.length > 0) throw new Error(`responder run on ${instance.instanceId} had failures:\n${warm.failed.join('\n')}`);
    startedAt = warm.handlerStartedAt;
  } else {
    ctx.proxy.clear();
    const cold = await runBundleCold(side.bundleFile, lambdaEnvironment('contain-instance', responderEnvironment(ctx)), event, functionContext('contain-instance'));
    if (cold.failed.length > 0) throw new Error(`responder cold run on ${instance.instanceId} had failures:\n${cold.failed.join('\n')}`);
    startedAt = cold.importStartedAt;
    if (process.env.BENCH_TRACE) process.stderr.write(`responder cold: import took ${(cold.handlerStartedAt - cold.importStartedAt).toFixed(0)} ms\n`);
  }
  const calls = [...ctx.proxy.calls];
  traceCalls(`responder ${start} ${enis} ENI(s)`, calls, startedAt);
  const run = isolationOf(calls, startedAt, instance, side.groups.isolation);
  await checkIsolated(ctx, instance, side.groups.isolation, 'the responder');
  return { ...run, movesTimeline: formatMovesTimeline(movesTimelineOf(calls, side.groups.untrack, side.groups.isolation)) };
}

/** The warm container's first finding, unmeasured: its cold start, in the VPC whose groups it then remembers. */
async function warmUp(side: Side, container: WarmContainer): Promise<void> {
  const { instance, event } = await target(side.ctx, side.network, 1);
  side.ctx.proxy.guardDuty.hold(event.detail as GuardDutyFindingJson);
  const run = await container.invoke(event, functionContext('contain-instance'));
  if (run.failed.length > 0) throw new Error(`the responder container's first run on ${instance.instanceId} had failures:\n${run.failed.join('\n')}`);
}

async function custodianRun(side: Side, container: CustodianContainer, enis: number, start: Start): Promise<MeasuredRun> {
  const { ctx } = side;
  const { instance, event } = await target(ctx, side.network, enis);
  ctx.proxy.clear();
  const answer = await container.invoke(event);
  // The runner's epoch times on the proxy's clock (this process's performance.now()).
  const startedAt = (start === 'cold' ? answer.importStartedAt : answer.handlerStartedAt) - performance.timeOrigin;
  traceCalls(`Custodian ${start} ${enis} ENI(s)`, ctx.proxy.calls, startedAt);
  const run = isolationOf([...ctx.proxy.calls], startedAt, instance, side.groups.isolation);
  await checkIsolated(ctx, instance, side.groups.isolation, 'Custodian');
  return run;
}

interface EniCountResult {
  readonly rows: SideBySideRow[];
  readonly calls: CallsToIsolation[];
}

async function benchEniCount(ctx: CustodianContext, python: string, bundleFile: string, enis: number): Promise<EniCountResult> {
  await ctx.freshEmulator();
  const network = await seedBenchNetwork(ctx.direct, `bench-side-by-side-${enis}`);
  // Unmeasured: the responder makes its groups in this VPC, and its handler is loaded in this process.
  const first = await target(ctx, network, 1);
  ctx.proxy.guardDuty.hold(first.event.detail as GuardDutyFindingJson);
  const handler = await containInstanceHandler(responderEnvironment(ctx));
  const failed = failedOf(single(await handler(first.event, functionContext('contain-instance'))));
  if (failed.length > 0) throw new Error(`the responder's first run in ${network.vpcId} had failures:\n${failed.join('\n')}`);
  const side: Side = { ctx, network, groups: await responderGroupIds(ctx.direct.ec2, network.vpcId), bundleFile };
  const configDir = prepareCustodian(python, ctx.proxy.endpoint, side.groups.isolation);
  try {
    const warm = { responder: [] as MeasuredRun[], custodian: [] as MeasuredRun[] };
    const container = CustodianContainer.start(python, configDir, ctx.proxy.endpoint);
    const responder = WarmContainer.start(bundleFile, lambdaEnvironment('contain-instance', responderEnvironment(ctx)));
    try {
      // Unmeasured: each container's cold start (the responder's remembers the VPC's groups from it).
      await custodianRun(side, container, 1, 'cold');
      await warmUp(side, responder);
      // Taking turns, who goes first alternating: the emulator's state grows run by run, and neither side always meets it larger.
      for (let rep = 0; rep < ctx.repetitions; rep += 1) {
        const responderRuns = async () => warm.responder.push(await responderRun(side, enis, 'warm', responder));
        const custodianRuns = async () => warm.custodian.push(await custodianRun(side, container, enis, 'warm'));
        for (const runIt of rep % 2 === 0 ? [responderRuns, custodianRuns] : [custodianRuns, responderRuns]) await runIt();
      }
    } finally {
      await Promise.all([container.close(), responder.close()]);
    }
    const cold = { responder: [] as MeasuredRun[], custodian: [] as MeasuredRun[] };
    for (let rep = 0; rep < ctx.repetitions; rep += 1) {
      const responderRuns = async () => cold.responder.push(await responderRun(side, enis, 'cold'));
      const custodianRuns = async () => {
        const fresh = CustodianContainer.start(python, configDir, ctx.proxy.endpoint);
        try {
          cold.custodian.push(await custodianRun(side, fresh, enis, 'cold'));
        } finally {
          await fresh.close();
        }
      };
      for (const runIt of rep % 2 === 0 ? [responderRuns, custodianRuns] : [custodianRuns, responderRuns]) await runIt();
    }
    const callsOf = (start: Start, runs: typeof warm): CallsToIsolation => ({ start, enis, responder: runs.responder.at(-1)!.callsToIsolation, custodian: runs.custodian.at(-1)!.callsToIsolation, responderTimeline: runs.responder.at(-1)!.movesTimeline ?? '' });
    return {
      rows: [sideBySideRow('warm', enis, warm.responder, warm.custodian), sideBySideRow('cold', enis, cold.responder, cold.custodian)],
      calls: [callsOf('warm', warm), callsOf('cold', cold)],
    };
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

export async function benchCustodian(ctx: CustodianContext): Promise<CustodianDetail> {
  const { python, version } = custodianPython();
  // BENCH_BUNDLE=<file> (a diagnosis): another build of the bundle, e.g. unminified for a CPU profile.
  const bundle = process.env.BENCH_BUNDLE ? { file: process.env.BENCH_BUNDLE } : await buildBundle('contain-instance');
  const rows: SideBySideRow[] = [];
  const callsToIsolation: CallsToIsolation[] = [];
  // BENCH_ENIS=1 (a diagnosis): one ENI count only; the committed figures are of both.
  const only = process.env.BENCH_ENIS ? Number(process.env.BENCH_ENIS) : undefined;
  for (const enis of SIDE_BY_SIDE_ENIS.filter((n) => only === undefined || n === only)) {
    const result = await benchEniCount(ctx, python, bundle.file, enis);
    rows.push(...result.rows);
    callsToIsolation.push(...result.calls);
  }
  return { version, rows, callsToIsolation };
}
