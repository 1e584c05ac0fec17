import type { IamCondition, StepSpec } from '../../plan/types';
import { CONTAIN_INSTANCE_LEDGER_STEP_SPECS, CONTAIN_INSTANCE_STEP_SPECS } from '../contain-instance/specs';
import { TASK_DEFINITION_TAG_KEYS } from './names';

/*
 * Every AWS call contain-task makes, reads included; its role is derived
 * from this list. A task on the EC2 launch type is contained by isolating
 * its container instance's EC2 instance with contain-instance's own steps,
 * planned and run in this process (no other Lambda is invoked), so those
 * step kinds are declared here too.
 */

/** DescribeTasks (include TAGS): the task as ECS holds it now: its cluster, launch type, task definition, container instance, containers and image digests. */
export const READ_TASK: StepSpec = { kind: 'describe-ecs-task', iamActions: ['ecs:DescribeTasks'], mutating: false };
/** DescribeTaskDefinition (include TAGS): the revision the task runs, for the evidence and the suspect tag. */
export const READ_TASK_DEFINITION: StepSpec = { kind: 'describe-ecs-task-definition', iamActions: ['ecs:DescribeTaskDefinition'], mutating: false };
/** DescribeContainerInstances: the EC2 instance under a task of the EC2 launch type, asked of the task's own cluster. */
export const READ_CONTAINER_INSTANCE: StepSpec = { kind: 'describe-ecs-container-instance', iamActions: ['ecs:DescribeContainerInstances'], mutating: false };

/**
 * StopTask of a Fargate task: the workload stops (ECS keeps the stopped task,
 * its containers' exit codes and the stop reason for about an hour). Its own
 * class, so the approval policy can hold it for a person.
 */
export const STOP_TASK: StepSpec = { kind: 'stop-ecs-task', iamActions: ['ecs:StopTask'], mutating: true, changeClass: 'stop-task' };

/**
 * The class of every change that contains the EC2 instance under a task: a shared host, whose isolation cuts every
 * task on it. The class contain-eks gives an EKS node (approve by default, lambda/approval/types.ts), not the
 * classes contain-instance's steps declare for a single instance (isolate: auto).
 */
export const CONTAIN_HOST_CLASS = 'contain-node' as const;

/** Only the responder's own keys, on a task definition (the only resource the step names). */
const ONLY_SUSPECT_TAG_KEYS: IamCondition = { 'ForAllValues:StringEquals': { 'aws:TagKeys': TASK_DEFINITION_TAG_KEYS } };

/**
 * TagResource on the task definition revision: marks it suspect so the team's
 * policy can refuse RunTask / a service deployment of it. Not evidence: a team
 * whose policy blocks suspect revisions stops the service that runs it from
 * replacing or scaling its tasks, so it is a change of its own class
 * (`tag-task-definition`), auto by default.
 */
export const TAG_TASK_DEFINITION: StepSpec = {
  kind: 'tag-ecs-task-definition',
  iamActions: ['ecs:TagResource'],
  mutating: true,
  changeClass: 'tag-task-definition',
  iamGrants: [{ action: 'ecs:TagResource', condition: ONLY_SUSPECT_TAG_KEYS }],
};

/**
 * The task's record in the ledger (security account): the task, its task
 * definition, image digests and container instance as read before any change,
 * and the tags the revision had, so `ir release` knows what the responder added.
 */
export const RECORD_TASK_STATE: StepSpec = { kind: 'record-ecs-task-state', iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], mutating: true, neverWaits: 'bookkeeping' };

export const CONTAIN_TASK_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_TASK_STATE, ...CONTAIN_INSTANCE_LEDGER_STEP_SPECS];

export const CONTAIN_TASK_STEP_SPECS: readonly StepSpec[] = [
  READ_TASK,
  READ_TASK_DEFINITION,
  READ_CONTAINER_INSTANCE,
  STOP_TASK,
  TAG_TASK_DEFINITION,
  ...CONTAIN_INSTANCE_STEP_SPECS,
];
