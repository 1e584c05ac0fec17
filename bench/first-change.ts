import { performance } from 'node:perf_hooks';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../lambda/aws/clients';
import type { Report } from '../lambda/plan/document';
import { PLAYBOOKS } from '../lambda/playbooks/registry';
import { ACTING_PLAYBOOKS, type PlaybookName } from '../lambda/routing/playbook-names';
import { seedAccount } from '../emulator/seed-account';
import { buildBundle } from './bundle';
import { changeActionsOf, firstChangeOf } from './change-actions';
import { runBundleCold } from './cold-child';
import { functionContext, lambdaEnvironment, REGION, single } from './handler';
import type { LatencyProxy } from './latency-proxy';
import { median } from './stats';
import { SEEDED_TARGET_PLAYBOOKS, seededTargetEvents, type Json, type SeededTargetPlaybook } from './workload-findings';

/*
 * Time to first change: from the moment a playbook's Lambda starts on a
 * finding to the moment the proxy answers its first changing call (an action
 * one of its mutating step kinds declares: change-actions.ts), every call
 * delayed by the proxy. Each playbook answers a finding about a resource the
 * emulator's seeded account holds (seedAccount with workloads; the findings:
 * workload-findings.ts), in a freshly
 * reset emulator each round, with the finding's confirmation off (moto has no
 * GuardDuty findings; the isolation part measures what confirming adds: one
 * round trip) and no incident ledger.
 *
 * Cold: a fresh Node process imports the playbook's bundle (what Lambda's
 * init loads) and runs its handler once, timed from the import's start:
 * Lambda's init plus the first invocation, not the process's own start nor
 * Lambda's sandbox. Warm: the handler already loaded in this process, its
 * clients made by an earlier finding (an unmeasured round), timed from the
 * handler's call: a container's later findings.
 */

type Targeted = SeededTargetPlaybook;
const TARGETED = SEEDED_TARGET_PLAYBOOKS;

/** Why the other acting playbooks are not measured. */
export const NOT_MEASURED: Readonly<Partial<Record<PlaybookName, string>>> = {
  'answer-sequence': 'an attack sequence names several resources at once; its changes are the member playbooks\' own',
};

export interface FirstChangeRow {
  readonly playbook: Targeted;
  /** The first changing call answered, e.g. `s3:PutBucketPublicAccessBlock` (of the first run). */
  readonly firstChange: string;
  /** Median from the handler's call to the first change, the handler loaded and warm. */
  readonly warmMs: number;
  /** Median from the bundle's import in a fresh process to the first change. */
  readonly coldMs: number;
  /** Of coldMs, the median from the handler's call (after the import). */
  readonly coldHandlerMs: number;
  /** Calls answered before the first change (warm, the most of any run). */
  readonly callsBefore: number;
  /** Failed steps of a run (the emulator's gaps), the most of any run: the first change is still made. */
  readonly failedSteps: number;
  /** Which steps failed, in any run (`id: error code`). */
  readonly failed: string;
  /** Runs that made no change on the emulator, and why: their time is left out of the medians. */
  readonly note?: string;
}

export interface FirstChangeContext {
  readonly direct: AwsClients;
  readonly sqs: SQSClient;
  readonly proxy: LatencyProxy;
  readonly repetitions: number;
  /** Empties the emulator: every round seeds the account again (its names are fixed). */
  readonly resetEmulator: () => Promise<void>;
}

/**
 * contain-eks's node containment is class contain-node, `approve` by default: without an approval key nothing may
 * wait, so nothing would change. Measured as a team that lets it act at once configures it.
 */
const RUNTIME_CONFIG: Partial<Record<Targeted, Record<string, unknown>>> = {
  'contain-eks': { approval: { defaults: { 'contain-node': 'auto' } } },
};

let findingSeq = 0;

/** A finding id of its own per run (hex, as GuardDuty's), wherever the event names the old one. */
function withFreshId(event: Json): Json {
  const oldId = String((event.detail as Json).id);
  findingSeq += 1;
  const newId = `${oldId.slice(0, Math.max(0, oldId.length - 8))}${findingSeq.toString(16).padStart(8, '0')}`;
  return JSON.parse(JSON.stringify(event).replaceAll(oldId, newId)) as Json;
}

/** A freshly reset emulator with the account seeded again; the findings that name its resources. */
async function freshRound(ctx: FirstChangeContext): Promise<{ events: Record<Targeted, Json>; topicArn: string }> {
  await ctx.resetEmulator();
  const seed = await seedAccount(ctx.direct, ctx.sqs, REGION, { workloads: true });
  return { events: await seededTargetEvents(seed, ctx.direct.ec2), topicArn: seed.notifications.topicArn };
}

interface RunResult {
  /** From the start (handler call, or import for a cold run) to the first change's answer; NaN when none. */
  readonly ms: number;
  readonly handlerMs: number;
  readonly firstChange: string | undefined;
  readonly callsBefore: number;
  readonly failed: string[];
}

type Handler = (event: unknown, context: { invokedFunctionArn: string }) => Promise<Report | Report[]>;

/** The playbook's handler in this process (tsx runs the source), loaded after its environment is set as the stack sets it. */
async function warmHandler(playbook: Targeted): Promise<Handler> {
  const module = (await import(`../lambda/handlers/${playbook}`)) as { handler: Handler };
  return module.handler;
}

function measured(ctx: FirstChangeContext, playbook: Targeted, startedAt: number, handlerStartedAt: number, failed: string[]): RunResult {
  const calls = [...ctx.proxy.calls];
  const first = firstChangeOf(calls, changeActionsOf(PLAYBOOKS[playbook].stepSpecs));
  return {
    ms: first ? first.answeredAt - startedAt : Number.NaN,
    handlerMs: first ? first.answeredAt - handlerStartedAt : Number.NaN,
    firstChange: first?.action,
    callsBefore: first ? calls.filter((c) => c.answeredAt < first.answeredAt).length : 0,
    failed,
  };
}

async function runWarm(ctx: FirstChangeContext, playbook: Targeted, event: Json, topicArn: string): Promise<RunResult> {
  // Every handler reads its environment when called too (IR_PLAYBOOK, the topic): set as the stack sets this playbook's.
  Object.assign(process.env, lambdaEnvironment(playbook, { endpoint: ctx.proxy.endpoint, topicArn, runtimeConfig: RUNTIME_CONFIG[playbook] }));
  const handler = await warmHandler(playbook);
  ctx.proxy.clear();
  const startedAt = performance.now();
  const report = single(await handler(withFreshId(event), functionContext(playbook)));
  // `id: code`, as the cold child reports them: the same failure reads the same in both.
  const failed = [...report.reads, ...report.steps].filter((o) => o.status === 'failed').map((o) => `${o.id}: ${o.error?.code}`);
  return measured(ctx, playbook, startedAt, startedAt, failed);
}

async function runCold(ctx: FirstChangeContext, playbook: Targeted, bundleFile: string, event: Json, topicArn: string): Promise<RunResult> {
  ctx.proxy.clear();
  const cold = await runBundleCold(bundleFile, lambdaEnvironment(playbook, { endpoint: ctx.proxy.endpoint, topicArn, runtimeConfig: RUNTIME_CONFIG[playbook] }), withFreshId(event), functionContext(playbook));
  return measured(ctx, playbook, cold.importStartedAt, cold.handlerStartedAt, [...cold.failed]);
}

function summarize(playbook: Targeted, warm: readonly RunResult[], cold: readonly RunResult[]): FirstChangeRow {
  const all = [...warm, ...cold];
  const changed = (runs: readonly RunResult[]) => runs.filter((r) => r.firstChange !== undefined);
  const unchanged = all.filter((r) => r.firstChange === undefined);
  // A run the emulator kept from changing anything is reported, not hidden in a median: the row says so.
  const note = unchanged.length === 0 ? '' : `${unchanged.length} of ${all.length} runs made no change (failed: ${unchanged[0]!.failed.join('; ') || 'none'})`;
  return {
    playbook,
    firstChange: changed(all)[0]?.firstChange ?? 'none',
    warmMs: Math.round(median(changed(warm).map((r) => r.ms))),
    coldMs: Math.round(median(changed(cold).map((r) => r.ms))),
    coldHandlerMs: Math.round(median(changed(cold).map((r) => r.handlerMs))),
    callsBefore: Math.max(0, ...changed(warm).map((r) => r.callsBefore)),
    failedSteps: Math.max(...all.map((r) => r.failed.length)),
    failed: [...new Set(all.flatMap((r) => r.failed))].join('; '),
    ...(note ? { note } : {}),
  };
}

export async function benchFirstChange(ctx: FirstChangeContext): Promise<FirstChangeRow[]> {
  const bundles = new Map<Targeted, string>();
  for (const playbook of TARGETED) bundles.set(playbook, (await buildBundle(playbook)).file);
  const warm = new Map<Targeted, RunResult[]>(TARGETED.map((p) => [p, []]));
  const cold = new Map<Targeted, RunResult[]>(TARGETED.map((p) => [p, []]));

  // Unmeasured: loads each handler and makes its clients, as a container's first finding does.
  const warmUp = await freshRound(ctx);
  for (const playbook of TARGETED) await runWarm(ctx, playbook, warmUp.events[playbook], warmUp.topicArn);

  for (let rep = 0; rep < ctx.repetitions; rep += 1) {
    const warmRound = await freshRound(ctx);
    for (const playbook of TARGETED) warm.get(playbook)!.push(await runWarm(ctx, playbook, warmRound.events[playbook], warmRound.topicArn));
    const coldRound = await freshRound(ctx);
    for (const playbook of TARGETED) cold.get(playbook)!.push(await runCold(ctx, playbook, bundles.get(playbook)!, coldRound.events[playbook], coldRound.topicArn));
  }
  return TARGETED.map((playbook) => summarize(playbook, warm.get(playbook)!, cold.get(playbook)!));
}

/** The acting playbooks not measured, each with why. */
export function unmeasuredPlaybooks(): { playbook: PlaybookName; why: string }[] {
  return ACTING_PLAYBOOKS.filter((p) => !(TARGETED as readonly string[]).includes(p)).map((playbook) => ({ playbook, why: NOT_MEASURED[playbook] ?? 'no seeded target' }));
}
