import { CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, ValidationException } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { approvalSchedule } from '../../../lambda/approval/schedules';
import { sdkScheduleWriter } from '../../../lambda/approval/scheduler-writer';
import { APPROVAL_SCHEDULER } from '../../../lambda/runtime/approval-scheduler';

/* The ScheduleWriter port over EventBridge Scheduler (lambda/approval/scheduler-writer.ts): exactly what is sent. */

const scheduler = mockClient(SchedulerClient);
const TARGET = {
  groupName: 'ir-approvals',
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:ir-contain-instance',
  roleArn: 'arn:aws:iam::111122223333:role/ir-approval-scheduler',
};
const writer = () => sdkScheduleWriter(createAwsClients({ region: 'eu-west-1', maxAttempts: 1 }, { scheduler: APPROVAL_SCHEDULER }));

beforeEach(() => scheduler.reset());

describe('sdkScheduleWriter', () => {
  it('creates the one-time schedule as declared: at() in UTC, no flexible window, deleted after it fires, invoking the playbook with the scheduler role', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/ir-approvals/x' });
    const schedule = approvalSchedule(TARGET, 'inc-1', 'approval-deadline', new Date('2026-12-06T23:30:00.250Z'));
    await writer().create(schedule);
    expect(scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([
      {
        Name: schedule.Name,
        GroupName: 'ir-approvals',
        ScheduleExpression: 'at(2026-12-06T23:30:01)', // .250 rounded up: never before the instant
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: TARGET.functionArn, RoleArn: TARGET.roleArn, Input: '{"kind":"approval-deadline","incidentId":"inc-1"}' },
        Description: 'Deadline of the approval of incident inc-1',
      },
    ]);
  });

  it('deletes by name in the group', async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    await writer().delete('ir-approval-deadline-abc', 'ir-approvals');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([{ Name: 'ir-approval-deadline-abc', GroupName: 'ir-approvals' }]);
  });

  it('takes a schedule that is not there (fired and deleted itself, or never made) as deleted', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule x does not exist.', Message: 'Schedule x does not exist.', $metadata: {} }));
    await expect(writer().delete('x', 'ir-approvals')).resolves.toBeUndefined();
  });

  it('lets every other failure through, with its AWS error name', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new ValidationException({ message: 'bad group', Message: 'bad group', $metadata: {} }));
    await expect(writer().delete('x', 'ir-approvals')).rejects.toMatchObject({ name: 'ValidationException' });
    scheduler.on(CreateScheduleCommand).rejects(new ValidationException({ message: 'The role is not assumable', Message: 'The role is not assumable', $metadata: {} }));
    const schedule = approvalSchedule(TARGET, 'inc-1', 'approval-escalate', new Date('2026-12-06T23:15:00Z'));
    await expect(writer().create(schedule)).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
