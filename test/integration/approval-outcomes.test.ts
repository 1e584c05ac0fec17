import { DeleteTagsCommand } from '@aws-sdk/client-ec2';
import type { SeededInstance } from '../../emulator/seed/instances';
import type { Report } from '../../lambda/plan/document';
import type { ResumeOutcome } from '../../lambda/respond/resume';
import { responderGroups } from './support/ec2-state';
import { instanceFindingEvent } from './support/findings';
import { attachSecondEni, detachEni, groupsOf, prodIsolationPolicy, startApprovalBench, type ApprovalBench } from './support/approval-bench';

/*
 * What becomes of a response that waits for a decision, through
 * contain-instance's Lambda handler with the approval policy configured
 * (config `approval`: isolating an env=prod instance needs a person),
 * against the emulator. approval-wait.test.ts proves the wait itself (no
 * interface moved, the request, a re-delivery a repeat);
 * approval-decisions.test.ts the decision's conditional write, the link and
 * the operator function. Here: each outcome, from the decision as a
 * channel applies it (apply-decision.ts) or from the schedule's event, to
 * the account, the ledger, the evidence and the notifications.
 *
 * Each scenario has an instance (an incident) of its own. The deadline is
 * reached by moving the clock (Date only) past it: the schedule's event
 * arrives then, as EventBridge Scheduler would send it.
 */

const ALICE = 'arn:aws:sts::123456789012:assumed-role/IncidentResponders/alice';
const BOB = 'arn:aws:iam::123456789012:user/bob';

let approvals: ApprovalBench;

beforeAll(async () => {
  approvals = await startApprovalBench();
});

afterAll(async () => {
  await approvals.close();
});

/** Runs `work` with the clock (Date only: timers and the SDK's sockets as they are) at `at`. */
async function atTime<T>(at: Date, work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: at,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
  try {
    return await work();
  } finally {
    jest.useRealTimers();
  }
}

/** Every ENI of the instance on the responder's isolation group only. */
async function isolated(instance: SeededInstance): Promise<boolean> {
  const { account } = approvals;
  const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
  const groups = Object.values(await groupsOf(account, instance.instanceId));
  return groups.length > 0 && groups.every((ids) => ids.length === 1 && ids[0] === isolation?.GroupId);
}

interface Waiting {
  readonly instance: SeededInstance;
  readonly report: Report;
  readonly planHash: string;
  readonly before: Record<string, string[]>;
}

/** A new production instance, a finding about it, the response waiting (its evidence steps done). */
async function waitingResponse(name: string, policy = prodIsolationPolicy()): Promise<Waiting> {
  const instance = await approvals.launch(name);
  const before = await groupsOf(approvals.account, instance.instanceId);
  await approvals.bench.inbox();
  const report = await approvals.respond(instance, policy);
  expect(report.approval).toMatchObject({ status: 'awaiting', onTimeout: policy.onTimeout });
  // The isolation waits (every step of it skipped, the first ones saying so); the evidence steps ran.
  for (const id of report.approval!.steps) expect(report.steps.find((s) => s.id === id)?.status).toBe('skipped');
  expect(report.steps.find((s) => s.id.startsWith('isolate:'))?.reason).toMatch(/^awaits approval \(rule prod-isolation\)|^needs /);
  expect(report.steps.filter((s) => s.id === 'snapshot-volumes' || s.id === 'evidence:report.json').map((s) => s.status)).toEqual(['done', 'done']);
  expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
  return { instance, report, planHash: report.approval!.planHash, before };
}

const resumed = (outcome: Report | Report[] | ResumeOutcome): Report => {
  expect(outcome).toMatchObject({ status: 'resumed' });
  return (outcome as Extract<ResumeOutcome, { status: 'resumed' }>).report;
};

describe('approved', () => {
  it('the decision is recorded (who, when, channel, plan hash) in the ledger and the evidence; the resumed response reads the instance again, isolates it, once', async () => {
    const { instance, report, planHash } = await waitingResponse('approve-01');
    const at = new Date().toISOString();
    const applied = await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'approve', by: ALICE, channel: 'cli', at });
    expect(applied).toMatchObject({ status: 'recorded', evidence: { status: 'done' } });
    // moto runs no Lambda function: the queued resumption fails, the decision stands, and the event is sent here as Lambda would deliver it.
    expect(applied).toMatchObject({ resume: { status: 'failed' } });
    expect((await approvals.bench.item(`approval#${report.incidentId}`))?.decision).toEqual({
      M: { decision: { S: 'approve' }, by: { S: ALICE }, at: { S: at }, channel: { S: 'cli' }, planHash: { S: planHash } },
    });

    await approvals.bench.inbox();
    const final = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(final.approval).toMatchObject({ status: 'approved', planHash, decision: { by: ALICE, at, channel: 'cli' } });
    expect(final.summary.failed).toBe(0);
    // Read again: the instance described a second time before the change.
    expect(final.reads.map((r) => r.action)).toContain('ec2:DescribeInstances');
    expect(await isolated(instance)).toBe(true);
    expect((await approvals.bench.item(`incident#${report.incidentId}`))?.answerKind).toEqual({ S: 'changes-done' });
    const [note] = await approvals.bench.inbox();
    expect(note?.message).toContain(`APPROVED by ${ALICE} (cli, ${at})`);

    const kept = await approvals.evidence(report.incidentId);
    const decisions = Object.entries(kept).filter(([key]) => /\/decisions\/.*-approve\.json$/.test(key));
    expect(decisions.map(([, body]) => body)).toEqual([expect.objectContaining({ decision: 'approve', by: ALICE, at, channel: 'cli', planHash })]);
    const reports = Object.entries(kept)
      .filter(([key, body]) => key.endsWith('/report.json') && (body as { approval?: { status?: string } }).approval?.status === 'approved')
      .map(([, body]) => body);
    expect(reports).toEqual([expect.objectContaining({ approval: expect.objectContaining({ planHash, decision: expect.objectContaining({ by: ALICE, channel: 'cli' }) }) })]);

    // Once: the same event again, and a late second decision, change nothing.
    expect(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId })).toMatchObject({ status: 'nothing-to-do' });
    expect(await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'deny', by: BOB, channel: 'cli', at: new Date().toISOString() })).toMatchObject({
      status: 'refused',
      reason: 'already-decided',
    });
  });
});

describe('approved, and the env=prod tag removed during the wait', () => {
  it('the approved isolation is made all the same: an approval runs what it was shown, whatever the tags say now', async () => {
    const { instance, report, planHash } = await waitingResponse('approve-untagged-01');
    // Whoever can write the instance's tags (its own role, say) removes the tag that made the isolation wait.
    await approvals.account.clients.ec2.send(new DeleteTagsCommand({ Resources: [instance.instanceId], Tags: [{ Key: 'env' }] }));
    await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() });
    await approvals.bench.inbox();
    const final = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(final.approval).toMatchObject({ status: 'approved', planHash });
    expect([...final.approval!.steps].sort()).toEqual([...report.approval!.steps].sort());
    const isolations = final.steps.filter((s) => s.id.startsWith('isolate:'));
    expect(isolations.length).toBeGreaterThan(0);
    for (const step of isolations) expect([step.id, step.status]).toEqual([step.id, 'done']);
    expect(await isolated(instance)).toBe(true);
  });
});

describe('denied', () => {
  it('nothing changes, the team is told who denied and why, the incident is answered', async () => {
    const { instance, report, planHash, before } = await waitingResponse('deny-01');
    const applied = await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'deny', by: BOB, channel: 'cli', at: new Date().toISOString(), reason: 'the owner is patching it' });
    expect(applied).toMatchObject({ status: 'recorded', evidence: { status: 'done' } });
    await approvals.bench.inbox();

    const final = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(final.approval).toMatchObject({ status: 'denied', decision: { by: BOB, reason: 'the owner is patching it' } });
    // Each waiting step not run: denied, or needing one that was denied.
    const waiting = final.steps.filter((s) => final.approval!.steps.includes(s.id));
    for (const step of waiting) expect([step.id, step.status, step.reason]).toEqual([step.id, 'skipped', expect.stringMatching(new RegExp(`^denied by ${BOB}|^needs `))]);
    // (Which steps are there depends on the VPC: the responder's groups made by an earlier scenario are not made again.)
    expect(waiting.some((s) => s.id.startsWith('isolate:'))).toBe(true);
    expect(waiting.filter((s) => s.reason?.startsWith('denied')).map((s) => s.reason)).toContain(`denied by ${BOB} (cli): the owner is patching it`);
    expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
    const [note] = await approvals.bench.inbox();
    expect(note?.message).toContain(`DENIED by ${BOB}`);
    expect((await approvals.bench.item(`incident#${report.incidentId}`))?.answerKind).toEqual({ S: 'no-change-needed' });
    // The finding delivered again is a repeat of an answered incident: still nothing moves.
    const again = (await approvals.invoke(instanceFindingEvent(approvals.account.seed, instance, { id: report.findingId }))) as Report;
    expect(again.blockedBy).toContain('already-answered');
    expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
  });
});

describe('no decision by the deadline', () => {
  it("onTimeout 'act': the deadline's event before the deadline does nothing; after it, the instance is isolated and the team told; a late decision is refused", async () => {
    const policy = prodIsolationPolicy({ onTimeout: 'act', timeoutMinutes: 30, escalateMinutesBefore: 10 });
    const { instance, report, planHash } = await waitingResponse('timeout-act-01', policy);
    const deadline = new Date(report.approval!.deadline!);
    expect(deadline.getTime() - Date.parse(report.startedAt)).toBeGreaterThanOrEqual(30 * 60_000 - 5_000);
    const event = { kind: 'approval-deadline', incidentId: report.incidentId };
    // A schedule's event cannot be made into an early deadline.
    expect(await approvals.invoke(event, policy)).toMatchObject({ status: 'nothing-to-do', reason: expect.stringMatching(/deadline has not passed/) });
    expect(await isolated(instance)).toBe(false);

    await approvals.bench.inbox();
    const final = resumed(await atTime(new Date(deadline.getTime() + 1_000), () => approvals.invoke(event, policy)));
    expect(final.approval).toMatchObject({ status: 'timed-out-acted', planHash, onTimeout: 'act' });
    expect(await isolated(instance)).toBe(true);
    const [note] = await approvals.bench.inbox();
    expect(note?.message).toContain('NO DECISION BY');
    expect((await approvals.bench.item(`approval#${report.incidentId}`))?.status).toEqual({ S: 'expired' });
    expect(await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'deny', by: BOB, channel: 'cli', at: new Date().toISOString() })).toMatchObject({
      status: 'refused',
      reason: 'already-decided',
    });
  });

  it("onTimeout 'stand-down': the escalation goes to the second topic once, before the deadline; at the deadline nothing changes and the team is told", async () => {
    const policy = prodIsolationPolicy({ onTimeout: 'stand-down', timeoutMinutes: 30, escalateMinutesBefore: 10 });
    approvals.schedules.length = 0;
    const { instance, report, before } = await waitingResponse('timeout-stand-down-01', policy);
    const deadline = Date.parse(report.approval!.deadline!);
    const input = (kind: string) => JSON.stringify({ kind, incidentId: report.incidentId });
    // Two schedules: the escalation ten minutes before the deadline, and the deadline.
    expect(approvals.schedules.map((s) => [s.Target.Input, s.ScheduleExpression])).toEqual([
      [input('approval-escalate'), `at(${new Date(deadline - 10 * 60_000).toISOString().slice(0, 19)})`],
      [input('approval-deadline'), `at(${new Date(deadline).toISOString().slice(0, 19)})`],
    ]);
    await approvals.escalations();

    const escalate = { kind: 'approval-escalate', incidentId: report.incidentId };
    expect(await atTime(new Date(deadline - 10 * 60_000 + 1_000), () => approvals.invoke(escalate, policy))).toMatchObject({ status: 'escalated' });
    const [escalation] = await approvals.escalations();
    expect(escalation?.subject).toMatch(/^\[GuardDuty IR ESCALATION\] approval needed by /);
    expect(escalation?.message).toContain(`ir approve ${report.incidentId}`);
    expect(await approvals.invoke(escalate, policy)).toMatchObject({ status: 'nothing-to-do', reason: 'the escalation was already sent' });
    expect(await approvals.escalations()).toEqual([]);

    await approvals.bench.inbox();
    const final = resumed(await atTime(new Date(deadline + 1_000), () => approvals.invoke({ kind: 'approval-deadline', incidentId: report.incidentId }, policy)));
    expect(final.approval).toMatchObject({ status: 'timed-out-stood-down', onTimeout: 'stand-down' });
    expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
    const [note] = await approvals.bench.inbox();
    expect(note?.message).toMatch(/NO DECISION BY .*the responder stood down/);
    expect((await approvals.bench.item(`incident#${report.incidentId}`))?.answerKind).toEqual({ S: 'no-change-needed' });
  });
});

describe('the instance changed after the request', () => {
  it('a plan that adds a change (a second network interface attached since) asks again with a new plan hash and acts on nothing; approved again, it isolates both', async () => {
    const { instance, report, planHash, before } = await waitingResponse('widened-01');
    const added = await attachSecondEni(approvals.account, instance.instanceId);
    await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() });
    await approvals.bench.inbox();

    const asked = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(asked.approval).toMatchObject({ status: 'asked-again', detail: expect.stringContaining(added) });
    const newHash = asked.approval!.planHash;
    expect(newHash).not.toBe(planHash);
    const groups = await groupsOf(approvals.account, instance.instanceId);
    expect(groups[instance.networkInterfaces[0]!.networkInterfaceId]).toEqual(before[instance.networkInterfaces[0]!.networkInterfaceId]);
    expect((await approvals.bench.item(`approval#${report.incidentId}`))).toMatchObject({ status: { S: 'pending' }, planHash: { S: newHash } });
    const [note] = await approvals.bench.inbox();
    expect(note?.message).toContain('AWAITING APPROVAL AGAIN');
    // The approval given on the old plan does not carry over: deciding on the old hash is refused.
    expect(await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() })).toMatchObject({
      status: 'refused',
      reason: 'plan-changed',
    });

    await approvals.decide({ incidentId: report.incidentId, planHash: newHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() });
    const final = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(final.approval).toMatchObject({ status: 'approved', planHash: newHash });
    expect(await isolated(instance)).toBe(true);
    expect(Object.keys(await groupsOf(approvals.account, instance.instanceId))).toContain(added);
  });

  it('a narrower plan (a network interface gone since) acts on what was approved and is still there', async () => {
    const instance = await approvals.launch('narrowed-01');
    const extra = await attachSecondEni(approvals.account, instance.instanceId);
    const report = await approvals.respond({ ...instance, networkInterfaces: instance.networkInterfaces });
    expect(report.approval?.status).toBe('awaiting');
    expect(report.approval!.steps.some((id) => id.includes(extra))).toBe(true);
    await detachEni(approvals.account, instance.instanceId, extra);
    await approvals.decide({ incidentId: report.incidentId, planHash: report.approval!.planHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() });

    const final = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(final.approval).toMatchObject({ status: 'approved' });
    expect(final.approval!.steps.some((id) => id.includes(extra))).toBe(false);
    expect(final.summary.failed).toBe(0);
    expect(await isolated(instance)).toBe(true);
  });
});
