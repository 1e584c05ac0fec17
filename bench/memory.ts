import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../lambda/aws/clients';
import { required } from '../emulator/seed/util';
import { PLAYBOOK_NAMES, type PlaybookName } from '../lambda/routing/playbook-names';
import { PROJECT_ROOT } from '../lib/playbook-function';
import { buildBundle } from './bundle';
import { launchBenchInstance, type BenchNetwork } from './fleet';
import { fixtureEvent, instanceFindingEvent } from './findings';
import { functionContext, HOME_ACCOUNT, lambdaEnvironment, REGION } from './handler';

/*
 * Peak memory of one playbook run as Lambda runs it: a fresh Node process
 * loads the playbook's bundle, answers one finding (through the latency
 * proxy, enforce mode), and reports its maximum resident set size.
 */

export interface MemoryRow {
  readonly playbook: PlaybookName;
  readonly peakRssMb: number;
  /** Steps of the run that failed (the emulator lacks a few investigation calls); not in results.json. */
  readonly failedSteps: number;
}

export interface MemoryContext {
  readonly direct: AwsClients;
  readonly network: BenchNetwork;
  readonly proxyEndpoint: string;
  readonly topicArn: string;
}

/** The child: import the bundle, run the handler once, print the peak RSS (KiB) as the last line. */
const CHILD = `
const [file, event, context] = JSON.parse(process.env.BENCH_CHILD_INPUT);
const { handler } = await import(file);
const report = await handler(event, context);
if (!report || report.summary === undefined) throw new Error('the handler returned no report');
console.log(JSON.stringify({ failed: report.summary.failed, maxRssKb: process.resourceUsage().maxRSS }));
`;

async function eventFor(playbook: PlaybookName, ctx: MemoryContext): Promise<Record<string, unknown>> {
  const findingId = `bench-memory-${playbook}`;
  switch (playbook) {
    case 'contain-instance': {
      const instance = await launchBenchInstance(ctx.direct, ctx.network, 2, 3);
      return instanceFindingEvent({ findingId, accountId: HOME_ACCOUNT, region: REGION, instanceId: instance.instanceId });
    }
    case 'revoke-credentials': {
      await ctx.direct.iam.send(new CreateUserCommand({ UserName: 'bench-deploy-bot' }));
      const key = await ctx.direct.iam.send(new CreateAccessKeyCommand({ UserName: 'bench-deploy-bot' }));
      const event = fixtureEvent('revoke-credentials/malicious-ip-caller-user-key.event.json', HOME_ACCOUNT, REGION, findingId);
      const resource = (event.detail as { resource: { accessKeyDetails: Record<string, unknown> } }).resource;
      resource.accessKeyDetails = { ...resource.accessKeyDetails, accessKeyId: required(key.AccessKey?.AccessKeyId, 'access key id'), userName: 'bench-deploy-bot' };
      return event;
    }
    case 'answer-sequence':
      // Its resources do not exist in the emulator: every read fails and nothing changes, which is enough to weigh the bundle.
      return fixtureEvent('answer-sequence/compromised-credentials.event.json', HOME_ACCOUNT, REGION, findingId);
    case 'notify':
      return fixtureEvent('notify/port-probe-unprotected.event.json', HOME_ACCOUNT, REGION, findingId);
  }
}

const run = promisify(execFile);

export async function benchMemory(ctx: MemoryContext): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const playbook of PLAYBOOK_NAMES) {
    const bundle = await buildBundle(playbook);
    const event = await eventFor(playbook, ctx);
    // Asynchronously: the child's calls go through the proxy, which runs on this process's event loop.
    const { stdout: out } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        ...lambdaEnvironment(playbook, { endpoint: ctx.proxyEndpoint, topicArn: ctx.topicArn }),
        BENCH_CHILD_INPUT: JSON.stringify([`file://${bundle.file}`, event, functionContext(playbook)]),
      },
    });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { failed?: number; maxRssKb?: number };
    if (typeof result.maxRssKb !== 'number' || typeof result.failed !== 'number') throw new Error(`${playbook} memory run printed no result: ${out}`);
    // Failed steps are the emulator's known gaps (revoke-credentials' investigation reads); the run still went end to end.
    rows.push({ playbook, peakRssMb: Math.round((result.maxRssKb / 1024) * 10) / 10, failedSteps: result.failed });
  }
  return rows;
}
