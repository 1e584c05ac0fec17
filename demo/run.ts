import { EMULATOR_CONFIG_OVERRIDES } from '../emulator/runtime-config';
import { DEFAULT_RUNTIME_CONFIG, type Mode, type RuntimeConfig } from '../lambda/config/schema';
import { routingTableFor } from '../lambda/config/routing-of';
import { parseFindings } from '../lambda/finding/parse';
import type { Finding } from '../lambda/finding/schema';
import type { Report } from '../lambda/plan/document';
import { respond } from '../lambda/respond/respond';
import { routeFinding } from '../lambda/routing/route';
import { paint } from '../cli/render/colors';
import { renderPlan, renderReport } from '../cli/render/plan-text';
import { EMULATOR_REGION, emulatorClients, emulatorSqs } from '../emulator/clients';
import { startMoto, type MotoServer } from '../emulator/moto-server';
import { seedAccount, type SeededAccount } from '../emulator/seed-account';
import { readInbox } from '../test/integration/support/inbox';
import { captureAccountState, diffState } from './account-state';
import { demoFindings } from './instantiate';
import { heading, indent, say, step } from './progress';

/*
 * The demo: the real playbooks against a local AWS emulator. It seeds an
 * account, replays real-shaped findings through the same routing and
 * playbooks as the Lambda, first as a dry-run and then in enforce mode, and
 * shows the plan, what changed and the notification for each.
 */

interface Scenario {
  readonly file: string;
  readonly finding: Finding;
}

function describeFinding(finding: Finding): string {
  const resource = finding.resource?.instanceDetails?.instanceId ?? finding.resource?.accessKeyDetails?.accessKeyId ?? finding.resource?.resourceType ?? 'unknown';
  return `${paint('bold', finding.type)}  severity ${finding.severity}  on ${resource}`;
}

/** One finding answered in one mode, as `ir demo --json` prints it. */
export interface DemoRun {
  readonly file: string;
  readonly mode: Mode;
  readonly report: Report;
  readonly changes: readonly { readonly what: string; readonly before: string; readonly after: string }[];
  readonly notification: { readonly subject: string; readonly message: string } | null;
}

interface ReplayResult {
  readonly problems: number;
  /** Read-only actions that failed against the emulator: its known gaps, not the playbooks'. */
  readonly unsupportedReads: readonly string[];
  readonly runs: readonly DemoRun[];
}

export interface DemoResult {
  readonly problems: number;
  readonly unsupportedReads: readonly string[];
  readonly runs: readonly DemoRun[];
}

async function replay(mode: Mode, scenarios: readonly Scenario[], seed: SeededAccount, endpoint: string): Promise<ReplayResult> {
  const clients = emulatorClients(endpoint, EMULATOR_REGION);
  const sqs = emulatorSqs(endpoint, EMULATOR_REGION);
  // The emulator has no GuardDuty findings API: every report says the finding was NOT confirmed (emulator/runtime-config.ts).
  const config: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, mode };
  const table = routingTableFor(config);
  let failures = 0;
  const unsupportedReads = new Set<string>();
  const runs: DemoRun[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    const route = routeFinding(scenario.finding, table);
    heading(`${mode} ${index + 1}/${scenarios.length}: ${scenario.file.replace(/\.json$/, '')}`);
    say(`  finding  ${describeFinding(scenario.finding)}`);
    say(`  route    ${paint('cyan', route.playbook)}: ${route.why}`);
    const before = await captureAccountState(clients, seed);
    const report: Report = await step(`running ${route.playbook} (${mode})`, () =>
      respond(scenario.finding, {
        config,
        clients,
        dryRun: mode === 'dry-run',
        topicArn: seed.notifications.topicArn,
        responder: { protectedRoleNames: [] },
      }),
    );
    say(mode === 'dry-run' ? renderPlan(report) : renderReport(report));
    const changes = diffState(before, await captureAccountState(clients, seed));
    say(`  ${paint('bold', 'what changed')}`);
    if (changes.length === 0) say(`    ${paint('green', 'nothing')}${mode === 'dry-run' ? ' (dry-run: verified by describing the account before and after)' : ''}`);
    for (const change of changes) say(`    ${change.what}: ${paint('dim', change.before)} → ${paint('yellow', change.after)}`);
    if (mode === 'dry-run' && changes.length > 0) failures += 1;
    const [notification] = await readInbox(sqs, seed.notifications.inboxQueueUrl);
    say(`  ${paint('bold', 'notification')} ${notification ? paint('dim', `(${notification.subject})`) : paint('red', 'none arrived')}`);
    // The dry-run plan is printed above; in enforce mode the email itself is the point.
    if (notification && mode === 'enforce') say(paint('dim', indent(notification.message.trimEnd())));
    if (!notification) failures += 1;
    runs.push({ file: scenario.file, mode, report, changes, notification: notification ? { subject: notification.subject, message: notification.message } : null });
    for (const failed of report.steps.filter((s) => s.status === 'failed')) {
      // Read-only evidence calls the emulator does not implement are shown above and listed at the end; any other failure is a problem.
      if (!failed.mutating && failed.error?.code === 'UnparseableResponse') unsupportedReads.add(failed.action);
      else failures += 1;
    }
  }
  return { problems: failures, unsupportedReads: [...unsupportedReads], runs };
}

/** Runs the whole demo; `problems` counts what did not behave (0 = every step did). */
export async function runDemo(): Promise<DemoResult> {
  const started = Date.now();
  say(paint('bold', 'GuardDuty incident response: demo against a local AWS emulator (moto server on 127.0.0.1)'));
  const moto: MotoServer = await step('starting the AWS emulator', () => startMoto());
  try {
    const clients = emulatorClients(moto.endpoint, EMULATOR_REGION);
    const seed = await step('seeding an account: VPC, 2 instances (2 ENIs, 3 volumes), ASG, target group, IAM user with 2 keys, roles, SNS topic', () =>
      seedAccount(clients, emulatorSqs(moto.endpoint, EMULATOR_REGION), EMULATOR_REGION),
    );
    const scenarios = demoFindings(seed).map(({ file, event }) => ({ file, finding: parseFindings(event)[0]! }));
    say(`  ${scenarios.length} findings to replay: ${scenarios.map((s) => s.finding.type).join(', ')}`);
    const dryRun = await replay('dry-run', scenarios, seed, moto.endpoint);
    const enforce = await replay('enforce', scenarios, seed, moto.endpoint);
    const problems = dryRun.problems + enforce.problems;
    const unsupportedReads = new Set([...dryRun.unsupportedReads, ...enforce.unsupportedReads]);
    heading('summary');
    say(`  ${scenarios.length} findings, dry-run then enforce, in ${((Date.now() - started) / 1000).toFixed(1)} s: ${problems === 0 ? paint('green', 'every change and notification behaved') : paint('red', `${problems} problem(s), see above`)}`);
    if (unsupportedReads.size > 0) {
      say(`  ${paint('yellow', 'note')}: read-only evidence calls the emulator does not implement failed as reported above (on AWS they answer): ${[...unsupportedReads].sort().join(', ')}`);
    }
    return { problems, unsupportedReads: [...unsupportedReads].sort(), runs: [...dryRun.runs, ...enforce.runs] };
  } finally {
    await step('stopping the AWS emulator', () => moto.stop());
  }
}
