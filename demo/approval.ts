import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { renderApproval } from '../cli/commands/approve';
import { safeLine } from '../lambda/text/untrusted';
import { paint } from '../cli/render/colors';
import { renderReport } from '../cli/render/plan-text';
import { EMULATOR_REGION, emulatorClients, emulatorSqs } from '../emulator/clients';
import { launchInstance } from '../emulator/seed/instances';
import type { SeededAccount } from '../emulator/seed-account';
import { applyDecision, type AppliedDecision } from '../lambda/approval/apply-decision';
import { approvalViewOf, type ApprovalView } from '../lambda/approval/pending-approval';
import { GetScheduleCommand, ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import type { AwsClients } from '../lambda/aws/clients';
import { parseFindings } from '../lambda/finding/parse';
import type { Report } from '../lambda/plan/document';
import type { ResumeOutcome } from '../lambda/respond/resume';
import type { LambdaEnvironment } from '../lambda/runtime/environment';
import { readInbox } from '../test/integration/support/inbox';
import { captureAccountState, diffState, type StateChange } from './account-state';
import { APPROVAL_TAG, DEMO_SCHEDULE_GROUP, type EmulatedStack } from './emulated-stack';
import { approvalFinding } from './instantiate';
import { heading, indent, say, step } from './progress';

/*
 * One approval, end to end. The stack's policy (config `approval`, in the
 * emulated stack's configuration) says a person decides the isolation of an
 * instance tagged data=cardholder. A finding about such an instance is
 * answered by the contain-instance Lambda's own code (lambda/runtime/
 * handle.ts, as EventBridge invokes it): the evidence steps run, the
 * isolation waits, the pending approval goes to the ledger and the email
 * says AWAITING APPROVAL with the plan hash. Then an operator approves: the
 * decision is applied as the decision function applies it (apply-decision.ts:
 * the ledger's one conditional write, the evidence, the playbook woken) by
 * the ARN STS names for the operator's credentials, and the playbook's code
 * takes the approval-decided event, reads the instance again and isolates it.
 *
 * What the emulator cannot do, and what stands in for it:
 *  - Lambda function URLs: `ir approve` signs a request to the decision
 *    function's IAM-authenticated URL; here the decision is applied with the
 *    same code, in this process.
 *  - Lambda itself: the decision function's asynchronous invoke of the
 *    playbook is delivered to the playbook's handler code in this process.
 *
 * The escalation and deadline schedules are real: the playbook writes them
 * with its own ScheduleWriter (lambda/approval/scheduler-writer.ts) to
 * moto's EventBridge Scheduler, in the stack's group, and the demo lists
 * them from there (moto stores schedules; it never fires them: the decision
 * ends this wait, not a deadline).
 */

export interface ApprovalResult {
  readonly instanceId: string;
  readonly first: Report;
  /** What the first response changed (the evidence steps: never the instance's security groups). */
  readonly firstChanges: readonly StateChange[];
  readonly firstNotification: string | null;
  /** The schedules the wait created, as the emulator's EventBridge Scheduler holds them. */
  readonly schedules: readonly string[];
  readonly pending: ApprovalView | null;
  /** The operator, as STS names the credentials the decision was made with. */
  readonly operatorArn: string;
  readonly decision: AppliedDecision;
  readonly resumed: ResumeOutcome | null;
  readonly resumedChanges: readonly StateChange[];
  readonly resumedNotification: string | null;
  readonly problems: readonly string[];
}

interface ApprovalInput {
  readonly endpoint: string;
  readonly seed: SeededAccount;
  readonly stack: EmulatedStack;
}

export const NO_FUNCTION_URL =
  'ir approve: not available in the local emulator (it signs a request to the decision function’s IAM-authenticated function URL, which moto cannot serve); the decision is recorded as that function records it';

export async function showApproval(input: ApprovalInput): Promise<ApprovalResult> {
  const { endpoint, seed, stack } = input;
  const clients = emulatorClients(endpoint, EMULATOR_REGION);
  const sqs = emulatorSqs(endpoint, EMULATOR_REGION);
  const problems: string[] = [];
  const lastNote = async () => (await readInbox(sqs, seed.notifications.inboxQueueUrl)).at(-1) ?? null;

  heading('an approval: a change the policy gives to a person');
  const rule = stack.config.approval?.rules[0];
  say(`  policy (config approval): rule ${paint('bold', rule?.id ?? '?')}: ${String(rule?.class)} → ${paint('yellow', rule?.mode ?? '?')} for resources tagged ${APPROVAL_TAG.key}=${APPROVAL_TAG.value}; evidence steps never wait`);
  say(`  a decision is waited for ${stack.config.approval?.timeoutMinutes} min, then: ${stack.config.approval?.onTimeout}; the escalation goes ${stack.config.approval?.escalateMinutesBefore} min before`);
  const instance = await step(`launching payments-01 (env=prod, ${APPROVAL_TAG.key}=${APPROVAL_TAG.value})`, () =>
    launchInstance(clients.ec2, seed.network, { name: 'payments-01', tags: { [APPROVAL_TAG.key]: APPROVAL_TAG.value } }),
  );
  const { event } = approvalFinding(seed, instance);
  const finding = parseFindings(event)[0]!;
  say(`  finding  ${paint('bold', finding.type)}  severity ${finding.severity}  on ${instance.instanceId} (payments-01)`);
  await lastNote();

  const lambda = await playbookLambda(input);
  const before = await captureAccountState(clients, seed, [instance.instanceId]);
  const first = await step('the contain-instance Lambda’s code answers the finding (lambda/runtime/handle.ts, as EventBridge invokes it)', () => lambda.invoke(event));
  say(renderReport(first));
  const firstChanges = diffState(before, await captureAccountState(clients, seed, [instance.instanceId]));
  say(`  ${paint('bold', 'what changed')} (the evidence steps; the isolation waits)`);
  for (const change of firstChanges) say(`    ${change.what}: ${paint('dim', change.before)} → ${paint('yellow', change.after)}`);
  const firstNote = await lastNote();
  say(`  ${paint('bold', 'notification')} ${paint('dim', firstNote?.subject ?? 'none arrived')}`);
  const planHash = first.approval?.planHash ?? '';
  say(`  ${paint('yellow', 'AWAITING APPROVAL')} on plan ${paint('bold', planHash)}`);
  const schedules = await schedulesOf(clients, DEMO_SCHEDULE_GROUP);
  say(`  ${paint('bold', 'schedules')} (EventBridge Scheduler, group ${DEMO_SCHEDULE_GROUP}: written by the playbook's ScheduleWriter; the emulator never fires them)`);
  for (const schedule of schedules) say(`    ${schedule.name} ${schedule.expression} → ${schedule.input}`);

  const pending = approvalViewOf(
    (await clients.dynamodb.send(new GetItemCommand({ TableName: stack.ledgerTable, Key: { pk: { S: `approval#${first.incidentId}` } }, ConsistentRead: true }))).Item,
  );
  say(`  ${paint('bold', 'ir pending')} (what it lists, read here from the ledger; the steps shortened to one line each)`);
  if (pending) say(indent(pendingLines(pending).join('\n'), '    '));

  heading(`the operator approves incident ${first.incidentId}`);
  say(`  ${paint('yellow', NO_FUNCTION_URL)}`);
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  const operatorArn = identity.Arn ?? 'unknown';
  say(`  the operator, as sts:GetCallerIdentity names the credentials: ${paint('bold', operatorArn)}`);
  const beforeDecision = await captureAccountState(clients, seed, [instance.instanceId]);
  const decision = await step(`recording the decision: approve, channel cli, on plan ${planHash.slice(0, 12)}… (the ledger’s conditional write, the evidence, the playbook woken)`, () =>
    applyDecision(
      {
        ledger: { dynamodb: clients.dynamodb, table: stack.ledgerTable },
        evidence: { bucket: stack.evidenceBucket, region: EMULATOR_REGION, keyArn: stack.evidenceKeyArn, s3: () => Promise.resolve(clients.s3) },
        lambda: lambda.asLambdaService(),
        playbookFunctions: { 'contain-instance': lambda.functionName },
      },
      { incidentId: first.incidentId, planHash, decision: 'approve', by: operatorArn, channel: 'cli', at: new Date().toISOString() },
    ),
  );
  if (decision.status === 'recorded') {
    say(`    ledger      ${paint('green', 'recorded')} approval#${first.incidentId}: approved by ${operatorArn}`);
    say(`    evidence    ${decision.evidence.status === 'done' ? paint('green', decision.evidence.detail) : paint('red', JSON.stringify(decision.evidence))}`);
    say(`    playbook    ${decision.resume.status === 'done' ? paint('green', decision.resume.detail) : paint('red', JSON.stringify(decision.resume))}`);
  } else {
    say(`    ${paint('red', `refused: ${decision.detail}`)}`);
  }
  const resumed = lambda.resumed();
  const final = resumed?.status === 'resumed' ? resumed.report : undefined;
  say(`  ${paint('bold', 'the playbook, resumed by the approval-decided event')} (the instance read again, the plan made again and compared with the approved one)`);
  if (final) say(renderReport(final));
  else say(`    ${paint('red', `not resumed: ${JSON.stringify(resumed)}`)}`);
  const resumedChanges = diffState(beforeDecision, await captureAccountState(clients, seed, [instance.instanceId]));
  say(`  ${paint('bold', 'what changed')}`);
  for (const change of resumedChanges) say(`    ${change.what}: ${paint('dim', change.before)} → ${paint('yellow', change.after)}`);
  const resumedNote = await lastNote();
  say(`  ${paint('bold', 'notification')} ${paint('dim', resumedNote?.subject ?? 'none arrived')}`);

  if (first.approval?.status !== 'awaiting') problems.push(`the response did not wait for a decision (approval: ${first.approval?.status ?? 'none'})`);
  if (!schedules.some((s) => s.input === JSON.stringify({ kind: 'approval-deadline', incidentId: first.incidentId }))) problems.push('no deadline schedule was written');
  if (firstChanges.some((c) => c.what.endsWith('security groups'))) problems.push('the isolation ran before the decision');
  if (!firstNote?.subject.includes('AWAITING APPROVAL')) problems.push('the team was not told that a decision is awaited');
  if (decision.status !== 'recorded') problems.push(`the decision was refused: ${decision.detail}`);
  else if (decision.evidence.status !== 'done') problems.push('the decision was not kept in the evidence bucket');
  if (final?.approval?.status !== 'approved') problems.push(`the resumed response did not act on the approval (${final?.approval?.status ?? resumed?.status ?? 'not resumed'})`);
  if (!resumedChanges.some((c) => c.what.startsWith(instance.instanceId) && c.what.endsWith('security groups'))) problems.push('the approved isolation changed no security group');
  if ((final?.summary.failed ?? 0) > 0) problems.push(`${final!.summary.failed} step(s) of the resumed response failed`);
  return {
    instanceId: instance.instanceId,
    first,
    firstChanges,
    firstNotification: firstNote?.subject ?? null,
    schedules: schedules.map((s) => `${s.name} ${s.expression}`),
    pending: pending ?? null,
    operatorArn,
    decision,
    resumed,
    resumedChanges,
    resumedNotification: resumedNote?.subject ?? null,
    problems,
  };
}

/** `ir pending`'s lines for the approval, its plan as one line per step (the command prints each step's whole document). */
function pendingLines(pending: ApprovalView): string[] {
  const header = renderApproval(pending);
  const cut = header.indexOf('Steps waiting for approval:');
  let steps: string[];
  try {
    steps = (JSON.parse(pending.plan) as { id?: unknown; action?: unknown; target?: unknown }[]).map((s) => `  - ${safeLine(`${String(s.id)} [${String(s.action)} → ${String(s.target)}]`)}`);
  } catch {
    steps = [`  ${safeLine(pending.plan)}`];
  }
  return [...header.slice(0, cut + 1), ...steps];
}

/** The schedules of the group, as EventBridge Scheduler holds them (ListSchedules, then GetSchedule for each one's target). */
async function schedulesOf(clients: AwsClients, group: string): Promise<{ readonly name: string; readonly expression: string; readonly input: string }[]> {
  const scheduler = await clients.load('scheduler');
  const listed = await scheduler.send(new ListSchedulesCommand({ GroupName: group }));
  const names = (listed.Schedules ?? []).map((s) => s.Name ?? '').sort();
  return Promise.all(
    names.map(async (name) => {
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
      return { name, expression: schedule.ScheduleExpression ?? '', input: schedule.Target?.Input ?? '' };
    }),
  );
}

interface PlaybookLambda {
  readonly functionName: string;
  /** An EventBridge event, as the rule delivers it. */
  invoke(event: unknown): Promise<Report>;
  /** A Lambda service for the decision path: its asynchronous invoke of the playbook is delivered to the playbook's code here. */
  asLambdaService(): LambdaClient;
  /** What the last delivered approval event came to. */
  resumed(): ResumeOutcome | null;
}

/**
 * contain-instance's Lambda code, as its function runs it, in this process: its clients reach the emulator through
 * AWS_ENDPOINT_URL with the emulator's credentials (set while it runs, as Lambda sets its environment), its logs
 * silenced (the demo shows its reports). Loaded here, after the log level is set: Powertools reads it once.
 */
async function playbookLambda(input: ApprovalInput): Promise<PlaybookLambda> {
  const { seed, stack } = input;
  const saved = { ...process.env };
  const lambdaEnvironment = {
    AWS_ENDPOINT_URL: input.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: EMULATOR_REGION,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  const inLambda = async <T>(work: () => Promise<T>): Promise<T> => {
    Object.assign(process.env, lambdaEnvironment);
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      return await work();
    } finally {
      for (const key of [...Object.keys(lambdaEnvironment), 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  };
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const [{ handleEvent }, { CONTAIN_INSTANCE }] = await Promise.all([import('../lambda/runtime/handle'), import('../lambda/handlers/contain-instance')]);
  if (saved.POWERTOOLS_LOG_LEVEL === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = saved.POWERTOOLS_LOG_LEVEL;
  const functionName = `${stack.stackName}-contain-instance`;
  // A fresh invocation of the function: its whole timeout ahead (contain-instance's is 90 s, lib/playbook-function.ts).
  const context = { invokedFunctionArn: `arn:aws:lambda:${EMULATOR_REGION}:${seed.accountId}:function:${functionName}`, getRemainingTimeInMillis: () => 90_000 };
  const env: LambdaEnvironment = {
    playbook: 'contain-instance',
    config: stack.config,
    topicArn: stack.topicArn,
    protectedRoleNames: [],
    defaultRegion: EMULATOR_REGION,
    ledgerTableName: stack.ledgerTable,
    evidence: { bucket: stack.evidenceBucket, keyArn: stack.evidenceKeyArn, region: EMULATOR_REGION },
    approval: { scheduleGroup: DEMO_SCHEDULE_GROUP, schedulerRoleArn: `arn:aws:iam::${seed.accountId}:role/${stack.stackName}-approval-scheduler` },
  };
  // The function's own entry: its ScheduleWriter is the production one (sdkScheduleWriter), reaching the emulator's Scheduler.
  const entry = CONTAIN_INSTANCE;
  const handle = (event: unknown) => inLambda(() => handleEvent(event, context, entry, env));
  let resumed: ResumeOutcome | null = null;
  const service = {
    send: async (command: unknown) => {
      if (!(command instanceof InvokeCommand) || command.input.FunctionName !== functionName) throw new Error('the demo’s Lambda service runs only the contain-instance function');
      resumed = (await handle(JSON.parse(new TextDecoder().decode(command.input.Payload as Uint8Array)) as unknown)) as ResumeOutcome;
      return { StatusCode: 202 };
    },
  };
  return {
    functionName,
    invoke: async (event) => (await handle(event)) as Report,
    asLambdaService: () => service as unknown as LambdaClient,
    resumed: () => resumed,
  };
}

