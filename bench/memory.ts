import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../lambda/aws/clients';
import type { SeededAccount } from '../emulator/seed-account';
import { required } from '../emulator/seed/util';
import { PLAYBOOK_NAMES, type PlaybookName } from '../lambda/routing/playbook-names';
import { PROJECT_ROOT } from '../lib/playbook-function';
import { buildBundle } from './bundle';
import { launchBenchInstance, seedBenchNetwork } from './fleet';
import { fixtureEvent, instanceFindingEvent } from './findings';
import { functionContext, HOME_ACCOUNT, lambdaEnvironment, REGION } from './handler';
import { seededTargetEvents, type Json } from './workload-findings';

/*
 * Peak memory of one playbook run as Lambda runs it: a fresh Node process
 * loads the playbook's bundle, answers one finding (through the latency
 * proxy, enforce mode), and reports its maximum resident set size.
 * The emulator holds the demo's seeded account (workloads too): the new
 * playbooks answer findings about its bucket, function, database and ECS
 * task (workload-findings.ts). Those the emulator cannot hold a target for
 * (answer-sequence)
 * run on their fixture: their reads fail and nothing changes, the row says
 * so, and the figure weighs the bundle and a partial run.
 */

export interface MemoryRow {
  readonly playbook: PlaybookName;
  readonly peakRssMb: number;
  /** Steps of the run that failed (the emulator lacks a few investigation calls); not in results.json. */
  readonly failedSteps: number;
  /** How far the run went: 'end to end', or 'partial: …' where the emulator holds no target for it. */
  readonly run: string;
}

export interface MemoryContext {
  readonly direct: AwsClients;
  readonly proxyEndpoint: string;
  /** Empties the emulator and seeds the demo's account with its workloads; its topic is the one the rest of the benchmark uses. */
  readonly freshAccount: () => Promise<SeededAccount>;
}

/** Why a playbook's run cannot go end to end on the emulator. */
const PARTIAL: Readonly<Partial<Record<PlaybookName, string>>> = {
  'answer-sequence': 'partial: the sequence\'s resources do not exist in the emulator',
};

interface Target {
  readonly direct: AwsClients;
  readonly seed: SeededAccount;
  readonly events: Record<string, Json>;
}

/**
 * The child: import the bundle, run the handler once, print the peak RSS (KiB) as the last line, with the
 * handler's error if it threw (a partial run on the emulator is still weighed, and said to be partial).
 */
const CHILD = `
const [file, event, context] = JSON.parse(process.env.BENCH_CHILD_INPUT);
const { handler } = await import(file);
let failed = null;
let error = null;
try {
  const result = await handler(event, context);
  const reports = Array.isArray(result) ? result : [result];
  if (reports.length === 0 || reports.some((r) => !r || r.summary === undefined)) throw new Error('the handler returned no report');
  failed = reports.reduce((sum, r) => sum + r.summary.failed, 0);
} catch (e) {
  error = String((e && e.message) || e);
}
console.log(JSON.stringify({ failed, error, maxRssKb: process.resourceUsage().maxRSS }));
`;

async function eventFor(playbook: PlaybookName, target: Target): Promise<Record<string, unknown>> {
  const findingId = `bench-memory-${playbook}`;
  switch (playbook) {
    case 'contain-instance': {
      // Two ENIs and three volumes, as the figures before the new playbooks were measured with.
      const instance = await launchBenchInstance(target.direct, await seedBenchNetwork(target.direct, 'bench-memory'), 2, 3);
      return instanceFindingEvent({ findingId, accountId: HOME_ACCOUNT, region: REGION, instanceId: instance.instanceId });
    }
    case 'revoke-credentials': {
      const user = await target.direct.iam.send(new CreateUserCommand({ UserName: 'bench-deploy-bot' }));
      const key = await target.direct.iam.send(new CreateAccessKeyCommand({ UserName: 'bench-deploy-bot' }));
      const event = fixtureEvent('revoke-credentials/malicious-ip-caller-user-key.event.json', HOME_ACCOUNT, REGION, findingId);
      const resource = (event.detail as { resource: { accessKeyDetails: Record<string, unknown> } }).resource;
      // The user's own UserId as principalId: revoke-credentials refuses a principal whose unique id is not the finding's.
      resource.accessKeyDetails = {
        ...resource.accessKeyDetails,
        accessKeyId: required(key.AccessKey?.AccessKeyId, 'access key id'),
        principalId: required(user.User?.UserId, 'user id'),
        userName: 'bench-deploy-bot',
      };
      return event;
    }
    case 'contain-function':
    case 'block-public-access':
    case 'quarantine-object':
    case 'contain-task':
    case 'contain-database':
    case 'quarantine-image':
    case 'contain-eks':
      return target.events[playbook]!;
    case 'answer-sequence':
      return fixtureEvent('answer-sequence/compromised-credentials.event.json', HOME_ACCOUNT, REGION, findingId);
    case 'notify':
      return fixtureEvent('notify/port-probe-unprotected.event.json', HOME_ACCOUNT, REGION, findingId);
  }
}

const run = promisify(execFile);

export async function benchMemory(ctx: MemoryContext): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  const seed = await ctx.freshAccount();
  const target: Target = { direct: ctx.direct, seed, events: await seededTargetEvents(seed, ctx.direct.ec2) };
  for (const playbook of PLAYBOOK_NAMES) {
    const bundle = await buildBundle(playbook);
    const event = await eventFor(playbook, target);
    // Asynchronously: the child's calls go through the proxy, which runs on this process's event loop.
    const { stdout: out } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        ...lambdaEnvironment(playbook, { endpoint: ctx.proxyEndpoint, topicArn: seed.notifications.topicArn }),
        BENCH_CHILD_INPUT: JSON.stringify([`file://${bundle.file}`, event, functionContext(playbook)]),
      },
    });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { failed?: number | null; error?: string | null; maxRssKb?: number };
    if (typeof result.maxRssKb !== 'number') throw new Error(`${playbook} memory run printed no result: ${out}`);
    // Failed steps are the emulator's known gaps (revoke-credentials' investigation reads); the run still went end to end.
    const ran = result.error ? `handler threw: ${result.error}` : (PARTIAL[playbook] ?? 'end to end');
    rows.push({ playbook, peakRssMb: Math.round((result.maxRssKb / 1024) * 10) / 10, failedSteps: result.failed ?? Number.NaN, run: ran });
  }
  return rows;
}
