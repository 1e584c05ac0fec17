import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EMULATOR_REGION } from '../../emulator/clients';
import { readBrakeState } from '../../cli/brake/brake-state';
import { releaseLatch, releaseRecordOf } from '../../cli/brake/release-latch';
import { listPendingApprovals } from '../../lambda/approval/pending-approval';
import { latchItem, type Latch } from '../../lambda/ledger/brake-items';
import type { Report } from '../../lambda/plan/document';
import type { ResumeOutcome } from '../../lambda/respond/resume';
import { responderGroups } from './support/ec2-state';
import { LEDGER_TABLE } from './support/handler-bench';
import { groupsOf, startApprovalBench, type ApprovalBench } from './support/approval-bench';

/*
 * The act a decision resumes is held to the blast-radius brake, through
 * contain-instance's Lambda handler against the emulator (the brake in the
 * ledger table, as a stack without a shared brake has it): approved while
 * the brake is latched, nothing is changed, the response says BRAKE ON and
 * the request waits for a person again; once the latch is released (as `ir
 * brake release` does it: cli/brake/release-latch.ts), a new decision
 * isolates the instance. brake-latch.test.ts proves the release through `ir`.
 */

const ALICE = 'arn:aws:sts::123456789012:assumed-role/IncidentResponders/alice';

let approvals: ApprovalBench;

beforeAll(async () => {
  approvals = await startApprovalBench();
});

afterAll(async () => {
  await approvals.close();
});

const resumed = (outcome: Report | Report[] | ResumeOutcome): Report => {
  expect(outcome).toMatchObject({ status: 'resumed' });
  return (outcome as Extract<ResumeOutcome, { status: 'resumed' }>).report;
};

async function latch(): Promise<Latch> {
  const engaged: Latch = { engagementId: 'engagement-approval-brake', engagedAt: new Date().toISOString(), incidentId: 'a-flood', findingId: 'f-flood', playbook: 'contain-instance', limit: 10, reason: 'a flood of approvals' };
  await approvals.bench.dynamodb.send(new PutItemCommand({ TableName: LEDGER_TABLE, Item: latchItem(engaged) }));
  return engaged;
}

async function release(engaged: Latch): Promise<void> {
  const state = await readBrakeState({ dynamodb: approvals.bench.dynamodb, table: LEDGER_TABLE, region: EMULATOR_REGION, limit: 10, now: new Date() });
  const outcome = await releaseLatch(approvals.bench.dynamodb, LEDGER_TABLE, releaseRecordOf(state, engaged, { releasedBy: ALICE, reason: 'the flood was checked', now: new Date() }));
  expect(outcome).toMatchObject({ status: 'released' });
}

describe('approved while the brake is latched', () => {
  it('changes nothing and says BRAKE ON; the request waits again; after the release a new decision isolates', async () => {
    const instance = await approvals.launch('approval-brake-01');
    const before = await groupsOf(approvals.account, instance.instanceId);
    const report = await approvals.respond(instance);
    expect(report.approval).toMatchObject({ status: 'awaiting' });
    const { planHash } = report.approval!;
    // The first act's snapshots changed the account: it holds its slot of the hour.
    const slotsOf = async () =>
      (await readBrakeState({ dynamodb: approvals.bench.dynamodb, table: LEDGER_TABLE, region: EMULATOR_REGION, limit: 10, now: new Date() })).held.filter((s) => s.incidentId === report.incidentId);
    const firstSlots = await slotsOf();
    expect(firstSlots).toHaveLength(1);
    const engaged = await latch();

    expect(await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() })).toMatchObject({ status: 'recorded' });
    await approvals.bench.inbox();
    const held = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(held.blockedBy).toContain('blast-radius-brake');
    expect(held.approval).toMatchObject({ status: 'awaiting', planHash, decision: { by: ALICE } });
    expect(await groupsOf(approvals.account, instance.instanceId)).toEqual(before);
    const notes = await approvals.bench.inbox();
    expect(notes.map((n) => n.subject)).toContainEqual(expect.stringContaining('BRAKE ON - NOT CONTAINED'));
    // The decision kept, the request given back to the people; the incident still awaits approval.
    const item = await approvals.bench.item(`approval#${report.incidentId}`);
    expect(item).toMatchObject({ status: { S: 'pending' }, heldDecision: { M: expect.objectContaining({ by: { S: ALICE } }) } });
    expect(item?.resumedAt).toBeUndefined();
    // A new wait: a new deadline from the hold (then stand down), its escalation and deadline scheduled again, and `ir pending` shows it.
    const heldDeadline = held.approval!.deadline!;
    expect(Date.parse(heldDeadline)).toBeGreaterThanOrEqual(Date.parse(report.approval!.deadline!));
    expect(item).toMatchObject({ deadline: { S: heldDeadline }, onTimeout: { S: 'stand-down' } });
    expect(approvals.schedules.slice(-2).map((c) => [c.Target.Input, c.ScheduleExpression])).toEqual([
      [JSON.stringify({ kind: 'approval-escalate', incidentId: report.incidentId }), expect.stringMatching(/^at\(/)],
      [JSON.stringify({ kind: 'approval-deadline', incidentId: report.incidentId }), `at(${heldDeadline.slice(0, 19)})`],
    ]);
    const pending = await listPendingApprovals({ dynamodb: approvals.bench.dynamodb, table: LEDGER_TABLE });
    expect(pending.approvals.filter((a) => a.incidentId === report.incidentId).map((a) => [a.status, a.deadline, a.onTimeout])).toEqual([['pending', heldDeadline, 'stand-down']]);
    expect((await approvals.bench.item(`incident#${report.incidentId}`))?.answerKind).toEqual({ S: 'awaiting-approval' });
    // No slot was taken for it: the first act's, as it was.
    expect(await slotsOf()).toEqual(firstSlots);

    await release(engaged);
    expect(await approvals.decide({ incidentId: report.incidentId, planHash, decision: 'approve', by: ALICE, channel: 'cli', at: new Date().toISOString() })).toMatchObject({ status: 'recorded' });
    const acted = resumed(await approvals.invoke({ kind: 'approval-decided', incidentId: report.incidentId }));
    expect(acted.blockedBy).toEqual([]);
    expect(acted.approval).toMatchObject({ status: 'approved', planHash });
    const [isolation] = await responderGroups(approvals.account.clients.ec2, approvals.account.seed.network.vpcId, 'isolation');
    for (const ids of Object.values(await groupsOf(approvals.account, instance.instanceId))) expect(ids).toEqual([isolation!.GroupId]);
    expect((await approvals.bench.item(`incident#${report.incidentId}`))?.answerKind).toEqual({ S: 'changes-done' });
    // The incident still holds one slot of the hour, the first act's taken over: never two.
    expect(await slotsOf()).toEqual(firstSlots);
  });
});
