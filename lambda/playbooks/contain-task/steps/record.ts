import { ResponderError, toStepError } from '../../../aws/errors';
import { ecsTaskRestoreKey, type RecordedEcsTask } from '../../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { ClusterRef, TaskRef } from '../arns';
import { RECORD_TASK_STATE } from '../specs';

export const RECORD_TASK_ID = 'record-restore:ecs-task';

const NO_LEDGER = 'not written: this response has no incident ledger (ir respond, or a stack without one)';

/**
 * The task's record in the ledger, before the first change: the evidence of
 * what ran (task definition, image digests, container instance) stays with
 * the incident even once the task is stopped and ECS has forgotten it, and
 * `ir release` knows which tags of the revision were the responder's.
 */
export function taskRecordStep(args: {
  readonly cluster: ClusterRef;
  readonly task: TaskRef;
  readonly incidentId: string;
  readonly findingId: string;
  readonly record: RecordedEcsTask;
}): PlannedStep {
  const { cluster, task } = args;
  const key = ecsTaskRestoreKey(cluster.accountId, cluster.region, cluster.name, task.id);
  return planStep(RECORD_TASK_STATE, {
    id: RECORD_TASK_ID,
    title: `Record task ${task.id}, its task definition and image digests in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key,
    parameters: { Key: key, record: { ecsTask: args.record } },
    why: 'before the first change: the incident keeps what ran (ECS forgets a stopped task within hours), and a release knows which tags were the responder\'s',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER };
      try {
        await ctx.restoreLedger.record({
          key,
          kind: 'ecs-task',
          resourceId: task.arn,
          accountId: cluster.accountId,
          region: cluster.region,
          incidentId: args.incidentId,
          findingId: args.findingId,
          facts: { ecsTask: args.record },
        });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the task's record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: the task recorded where not recorded before` };
    },
  });
}
