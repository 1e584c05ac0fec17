import type { AwsClients } from '../aws/clients';
import type { OneTimeSchedule, ScheduleWriter } from './schedules';

/*
 * The ScheduleWriter port (schedules.ts) over EventBridge Scheduler, with the
 * security account's clients (the schedule group is the stack's). The client
 * comes from the one seam (lambda/aws/clients.ts), loaded on first use.
 */

/** DeleteSchedule's answer for a schedule that is not there: it fired and deleted itself, or was never made. */
const NOT_FOUND = 'ResourceNotFoundException';

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : undefined;
}

export function sdkScheduleWriter(home: Pick<AwsClients, 'load'>): ScheduleWriter {
  return {
    async create(schedule: OneTimeSchedule): Promise<void> {
      const [client, { CreateScheduleCommand }] = await Promise.all([home.load('scheduler'), import('./scheduler-sdk')]);
      await client.send(
        new CreateScheduleCommand({
          Name: schedule.Name,
          GroupName: schedule.GroupName,
          ScheduleExpression: schedule.ScheduleExpression,
          ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
          FlexibleTimeWindow: { Mode: schedule.FlexibleTimeWindow.Mode },
          ActionAfterCompletion: schedule.ActionAfterCompletion,
          Target: { Arn: schedule.Target.Arn, RoleArn: schedule.Target.RoleArn, Input: schedule.Target.Input },
          Description: schedule.Description,
        }),
      );
    },
    async delete(name: string, groupName: string): Promise<void> {
      const [client, { DeleteScheduleCommand }] = await Promise.all([home.load('scheduler'), import('./scheduler-sdk')]);
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
      } catch (error) {
        if (errorName(error) === NOT_FOUND) return;
        throw error;
      }
    },
  };
}
