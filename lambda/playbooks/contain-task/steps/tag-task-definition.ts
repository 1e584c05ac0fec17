import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { TaskDefinitionRef } from '../arns';
import { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG, SUSPECT_TAG, SUSPECT_VALUE, tagValue } from '../names';
import { TAG_TASK_DEFINITION } from '../specs';

export const TAG_TASK_DEFINITION_ID = 'tag-ecs-task-definition';

/** The revision the task runs, tagged suspect with the incident: the team's policy on `ir:suspect` refuses to run it again. */
export function planTagTaskDefinition(args: {
  readonly definition: TaskDefinitionRef;
  readonly incidentId: string;
  readonly findingId: string;
  readonly findingType: string;
  readonly stage: number;
}): PlannedStep {
  const tags = [
    { key: SUSPECT_TAG, value: SUSPECT_VALUE },
    { key: INCIDENT_ID_TAG, value: tagValue(args.incidentId) },
    { key: FINDING_ID_TAG, value: tagValue(args.findingId) },
    { key: FINDING_TYPE_TAG, value: tagValue(args.findingType) },
  ];
  const parameters = { resourceArn: args.definition.arn, tags };
  return planStep(TAG_TASK_DEFINITION, {
    id: TAG_TASK_DEFINITION_ID,
    title: `Tag task definition ${args.definition.family}:${args.definition.revision} as suspect`,
    action: 'ecs:TagResource',
    target: args.definition.arn,
    parameters,
    why: `the revision that ran the compromised task: a policy on the ${SUSPECT_TAG} tag keeps it from being run again (docs/playbooks-contain-task.md)`,
    stage: args.stage,
    run: async (ctx) => {
      await ctx.clients.ecs.send(new TagResourceCommand(parameters));
      return { status: 'done', detail: `${SUSPECT_TAG}=${SUSPECT_VALUE} and the incident's tags written` };
    },
  });
}
