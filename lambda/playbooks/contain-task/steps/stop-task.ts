import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { ClusterRef, TaskRef } from '../arns';
import { stopReason } from '../names';
import { STOP_TASK } from '../specs';

export const STOP_TASK_ID = 'stop-ecs-task';

/** StopTask of the task, in its own cluster, with a reason naming the incident (ECS shows it on the stopped task). */
export function planStopTask(args: { readonly cluster: ClusterRef; readonly task: TaskRef; readonly incidentId: string; readonly findingType: string; readonly stage: number }): PlannedStep {
  const parameters = { cluster: args.cluster.arn, task: args.task.arn, reason: stopReason(args.incidentId, args.findingType) };
  return planStep(STOP_TASK, {
    id: STOP_TASK_ID,
    title: `Stop task ${args.task.id} of cluster ${args.cluster.name}`,
    action: 'ecs:StopTask',
    target: args.task.arn,
    parameters,
    why: 'a Fargate task has no instance of ours to isolate: stopping it ends the compromised workload (its record and the task definition stay)',
    stage: args.stage,
    run: async (ctx) => {
      const answer = await ctx.clients.ecs.send(new StopTaskCommand(parameters));
      const status = answer.task?.desiredStatus ?? 'unknown';
      return { status: 'done', detail: `desired status ${status}`, output: { desiredStatus: status } };
    },
  });
}
