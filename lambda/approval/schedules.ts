import { createHash } from 'node:crypto';
import type { ApprovalEventKind } from './events';

/*
 * The two one-time EventBridge Scheduler schedules of a waiting response:
 * the escalation (before the deadline: the escalation topic is told) and
 * the deadline (act or stand down, as configured). Each invokes the
 * playbook's own function with {kind, incidentId} and deletes itself once
 * it has (ActionAfterCompletion DELETE). The schedules are written through
 * the ScheduleWriter port: the SDK's Scheduler client is not a dependency
 * of this project yet (@aws-sdk/client-scheduler), the adapter is one call each.
 */

/** CreateSchedule's input, as the Scheduler API names it (the subset a one-time schedule sets). */
export interface OneTimeSchedule {
  readonly Name: string;
  readonly GroupName: string;
  /** at(yyyy-mm-ddThh:mm:ss), in ScheduleExpressionTimezone. */
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone: 'UTC';
  readonly FlexibleTimeWindow: { readonly Mode: 'OFF' };
  readonly ActionAfterCompletion: 'DELETE';
  readonly Target: { readonly Arn: string; readonly RoleArn: string; readonly Input: string };
  readonly Description: string;
}

export interface ScheduleWriter {
  create(schedule: OneTimeSchedule): Promise<void>;
  /** Deletes the schedule; one that does not exist (fired and deleted, or never made) is no error. */
  delete(name: string, groupName: string): Promise<void>;
}

export interface ScheduleTarget {
  /** The stack's schedule group: the playbook role may create and delete schedules in it only. */
  readonly groupName: string;
  /** The playbook function the schedules invoke. */
  readonly functionArn: string;
  /** The role Scheduler assumes to invoke it (lambda:InvokeFunction on that function only). */
  readonly roleArn: string;
}

/**
 * Scheduler's at() takes seconds, no zone suffix: the zone is ScheduleExpressionTimezone. A time with milliseconds
 * is rounded UP, so a schedule never fires before the instant it stands for (deadline.ts makes deadlines whole seconds).
 */
export function atExpression(when: Date): string {
  const wholeSecond = new Date(Math.ceil(when.getTime() / 1000) * 1000);
  return `at(${wholeSecond.toISOString().slice(0, 19)})`;
}

/** Schedule names are at most 64 characters of [0-9a-zA-Z-_.]: the incident id is hashed into one. */
export function scheduleNameOf(incidentId: string, kind: ApprovalEventKind): string {
  const digest = createHash('sha256').update(incidentId).digest('hex').slice(0, 24);
  return `ir-${kind}-${digest}`;
}

export function approvalSchedule(target: ScheduleTarget, incidentId: string, kind: 'approval-escalate' | 'approval-deadline', when: Date): OneTimeSchedule {
  return {
    Name: scheduleNameOf(incidentId, kind),
    GroupName: target.groupName,
    ScheduleExpression: atExpression(when),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: target.functionArn, RoleArn: target.roleArn, Input: JSON.stringify({ kind, incidentId }) },
    Description: `${kind === 'approval-deadline' ? 'Deadline' : 'Escalation'} of the approval of incident ${incidentId}`,
  };
}
