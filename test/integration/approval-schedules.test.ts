import { CreateScheduleGroupCommand, GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EMULATOR_REGION, emulatorClientOptions } from '../../emulator/clients';
import { sdkClientConfig } from '../../lambda/aws/clients';
import { approvalSchedule, scheduleNameOf } from '../../lambda/approval/schedules';
import { sdkScheduleWriter } from '../../lambda/approval/scheduler-writer';
import { freshEmulator, type EmulatorConnection } from './support/account';

/*
 * The schedules of a response waiting for a decision, written through the
 * production adapter (lambda/approval/scheduler-writer.ts) to moto's
 * EventBridge Scheduler, and read back with Scheduler's own GetSchedule:
 * what a deployed stack's group would hold. moto stores schedules; it does
 * not fire them (the deadline's invocation is tested through the handler).
 */

const GROUP = 'ir-approvals';
const TARGET = {
  groupName: GROUP,
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ir-contain-instance',
  roleArn: 'arn:aws:iam::123456789012:role/ir-approval-scheduler',
};

let emulator: EmulatorConnection;
let scheduler: SchedulerClient;

beforeAll(async () => {
  emulator = await freshEmulator();
  scheduler = new SchedulerClient(sdkClientConfig(emulatorClientOptions(emulator.endpoint, EMULATOR_REGION)));
  await scheduler.send(new CreateScheduleGroupCommand({ Name: GROUP }));
});

describe('the approval schedules against the emulator', () => {
  const incidentId = 'incident-schedules-1';
  const deadline = approvalSchedule(TARGET, incidentId, 'approval-deadline', new Date('2030-01-02T03:04:05.678Z')); // at() rounds the milliseconds up
  const escalation = approvalSchedule(TARGET, incidentId, 'approval-escalate', new Date('2030-01-02T02:49:05.678Z'));

  it('creates the escalation and the deadline in the group, exactly as declared', async () => {
    const writer = sdkScheduleWriter(emulator.clients);
    await writer.create(escalation);
    await writer.create(deadline);
    const stored = await scheduler.send(new GetScheduleCommand({ Name: scheduleNameOf(incidentId, 'approval-deadline'), GroupName: GROUP }));
    expect({
      Name: stored.Name,
      GroupName: stored.GroupName,
      ScheduleExpression: stored.ScheduleExpression,
      ScheduleExpressionTimezone: stored.ScheduleExpressionTimezone,
      FlexibleTimeWindow: stored.FlexibleTimeWindow,
      ActionAfterCompletion: stored.ActionAfterCompletion,
      Target: { Arn: stored.Target?.Arn, RoleArn: stored.Target?.RoleArn, Input: stored.Target?.Input },
      Description: stored.Description,
    }).toEqual({
      Name: scheduleNameOf(incidentId, 'approval-deadline'),
      GroupName: GROUP,
      ScheduleExpression: 'at(2030-01-02T03:04:06)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: TARGET.functionArn, RoleArn: TARGET.roleArn, Input: JSON.stringify({ kind: 'approval-deadline', incidentId }) },
      Description: `Deadline of the approval of incident ${incidentId}`,
    });
    const listed = await scheduler.send(new ListSchedulesCommand({ GroupName: GROUP }));
    expect((listed.Schedules ?? []).map((s) => s.Name).sort()).toEqual([escalation.Name, deadline.Name].sort());
  });

  it('refuses a second schedule of the same name (a retry deletes first: lambda/respond/wait.ts)', async () => {
    await expect(sdkScheduleWriter(emulator.clients).create(deadline)).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('deletes them; deleting one that is gone is no error', async () => {
    const writer = sdkScheduleWriter(emulator.clients);
    await writer.delete(escalation.Name, GROUP);
    await writer.delete(deadline.Name, GROUP);
    await writer.delete(deadline.Name, GROUP);
    expect((await scheduler.send(new ListSchedulesCommand({ GroupName: GROUP }))).Schedules ?? []).toEqual([]);
  });
});
