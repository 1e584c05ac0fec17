import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, GetScheduleCommand, ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { scheduleNameOf } from '../../lambda/approval/schedules';
import { CONTAIN_INSTANCE } from '../../lambda/handlers/contain-instance';
import type { Report } from '../../lambda/plan/document';
import type { ResumeOutcome } from '../../lambda/respond/resume';
import { handleEvent } from '../../lambda/runtime/handle';
import type { PlaybookEntry } from '../../lambda/runtime/playbook-entry';
import type { EmulatedAccount } from './support/account';
import { describeInstance, groupsByEni, responderGroups } from './support/ec2-state';
import { instanceFindingEvent, newFindingId } from './support/findings';
import { handlerContext, handlerEnvironment, LEDGER_TABLE, startHandlerBench, type HandlerBench } from './support/handler-bench';
import { containInstanceWithApproval } from '../support/approval-playbook';

/*
 * The wait for a decision through the real Lambda handler, against the
 * emulator: the pending approval and the incident in moto's DynamoDB, the
 * instance in moto's EC2. The network isolation of contain-instance is given
 * to a person (the policy's answer set on its steps here, as the policy's
 * code will). The decision is written in the ledger item directly, as the
 * decision channels write it, and the handler is invoked with the event
 * that follows it.
 *
 * The schedules too: written by the entry's own ScheduleWriter
 * (lambda/approval/scheduler-writer.ts) to moto's EventBridge Scheduler, in
 * the stack's group. moto stores them and does not fire them: the deadline's
 * event is sent to the handler by the tests that need it.
 */

const GROUP = 'ir-approvals';
const SCHEDULER_ROLE = 'arn:aws:iam::123456789012:role/ir-approval-scheduler';

let bench: HandlerBench;
let account: EmulatedAccount;

const gated = containInstanceWithApproval(() => ({ mode: 'approve', changeClass: 'isolate', ruleId: 'prod', why: 'env=prod' }));
// The production entry, with its own schedule writer: only the policy's answer is set by the test.
const entry: PlaybookEntry = { ...CONTAIN_INSTANCE, playbook: gated };

function invoke(event: unknown): Promise<Report | Report[] | ResumeOutcome> {
  return handleEvent(
    event,
    handlerContext(account),
    entry,
    handlerEnvironment(account, { environment: { approval: { scheduleGroup: GROUP, schedulerRoleArn: SCHEDULER_ROLE } } }),
  );
}

const groupsOfInstanceA = async () => groupsByEni(await describeInstance(account.clients.ec2, account.seed.instanceA.instanceId));

beforeAll(async () => {
  bench = await startHandlerBench();
  account = bench.account;
  await account.clients.scheduler.send(new CreateScheduleGroupCommand({ Name: GROUP }));
});

afterAll(async () => {
  await bench.close();
});

describe('a response whose isolation needs approval, against the emulator', () => {
  let first: Report;
  let before: Record<string, string[]>;

  it('waits: no interface moved, the request and the incident in the ledger, the deadline scheduled', async () => {
    before = await groupsOfInstanceA();
    first = (await invoke(instanceFindingEvent(account.seed, account.seed.instanceA, { id: newFindingId() }))) as Report;
    expect(first.approval?.status).toBe('awaiting');
    expect(await groupsOfInstanceA()).toEqual(before);
    const pending = await bench.item(`approval#${first.incidentId}`);
    expect(pending).toMatchObject({ status: { S: 'pending' }, planHash: { S: first.approval!.planHash }, onTimeout: { S: 'stand-down' } });
    const incident = await bench.item(`incident#${first.incidentId}`);
    expect(incident?.answerKind).toEqual({ S: 'awaiting-approval' });
    // No escalation topic in this environment: the deadline only, in moto's Scheduler.
    const listed = await account.clients.scheduler.send(new ListSchedulesCommand({ GroupName: GROUP }));
    expect((listed.Schedules ?? []).map((s) => s.Name)).toEqual([scheduleNameOf(first.incidentId, 'approval-deadline')]);
    const stored = await account.clients.scheduler.send(new GetScheduleCommand({ Name: scheduleNameOf(first.incidentId, 'approval-deadline'), GroupName: GROUP }));
    expect(stored).toMatchObject({
      GroupName: GROUP,
      ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/),
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: handlerContext(account).invokedFunctionArn, RoleArn: SCHEDULER_ROLE, Input: JSON.stringify({ kind: 'approval-deadline', incidentId: first.incidentId }) },
    });
  });

  it('a re-delivery while it waits is a repeat: nothing moves', async () => {
    const again = (await invoke(instanceFindingEvent(account.seed, account.seed.instanceA, { id: first.findingId }))) as Report;
    expect(again.blockedBy).toContain('already-answered');
    expect(await groupsOfInstanceA()).toEqual(before);
  });

  it('an approval recorded in the ledger resumes it: the instance is read again and isolated, the incident answered', async () => {
    // What the decision channels write: one conditional update on the plan they showed.
    await bench.dynamodb.send(
      new UpdateItemCommand({
        TableName: LEDGER_TABLE,
        Key: { pk: { S: `approval#${first.incidentId}` } },
        UpdateExpression: 'SET #status = :approved, decision = :decision',
        ConditionExpression: '#status = :pending AND planHash = :shown',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':approved': { S: 'approved' },
          ':pending': { S: 'pending' },
          ':shown': { S: first.approval!.planHash },
          ':decision': { M: { decision: { S: 'approve' }, by: { S: 'alice' }, at: { S: new Date().toISOString() }, channel: { S: 'cli' }, planHash: { S: first.approval!.planHash } } },
        },
      }),
    );
    const resumed = (await invoke({ kind: 'approval-decided', incidentId: first.incidentId })) as ResumeOutcome;
    expect(resumed.status).toBe('resumed');
    const report = (resumed as { report: Report }).report;
    expect(report.approval).toMatchObject({ status: 'approved', decision: { by: 'alice', channel: 'cli' } });
    const [isolation] = await responderGroups(account.clients.ec2, account.seed.network.vpcId, 'isolation');
    expect(Object.values(await groupsOfInstanceA()).every((ids) => ids.length === 1 && ids[0] === isolation!.GroupId)).toBe(true);
    expect((await bench.item(`incident#${first.incidentId}`))?.answerKind).toEqual({ S: 'changes-done' });
    expect((await bench.item(`approval#${first.incidentId}`))?.resumedAt?.S).toBeDefined();
    // The same event again: the request is taken, nothing runs.
    expect(await invoke({ kind: 'approval-decided', incidentId: first.incidentId })).toMatchObject({ status: 'nothing-to-do' });
  });

  it('refuses an approval event that is not one (zod at the edge)', async () => {
    await expect(invoke({ kind: 'approval-decided', incidentId: 'approval#x', decision: 'approve' })).rejects.toThrow(/invalid approval event/);
  });
});
