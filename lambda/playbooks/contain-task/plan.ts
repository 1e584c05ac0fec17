import { block } from '../../guards/types';
import { ECS_TASK_UNREADABLE, INSTANCE_UNREADABLE } from '../../guards/unreadable';
import type { GuardVerdict } from '../../guards/types';
import type { PlannedStep } from '../../plan/types';
import { planContainInstance } from '../contain-instance/plan';
import { STAGE } from '../contain-instance/stages';
import type { PlanningInput, PlaybookPlan } from '../types';
import type { ContainTaskFacts, NodeFacts, TaskFacts } from './facts';
import { nodeFinding } from './node-finding';
import { SUSPECT_TAG, TASK_DEFINITION_TAG_KEYS } from './names';
import { CONTAIN_HOST_CLASS } from './specs';
import { RECORD_TASK_ID, taskRecordStep } from './steps/record';
import { planStopTask } from './steps/stop-task';
import { planTagTaskDefinition } from './steps/tag-task-definition';

/** Statuses in which a task has nothing left to stop. */
const GONE = new Set(['DEPROVISIONING', 'STOPPED', 'DELETED']);

/*
 * Record the task first; then, on Fargate, stop it; on the EC2 launch type,
 * contain the EC2 instance under it with contain-instance's own plan, each
 * change of class contain-node (the task keeps running, isolated, so its
 * memory and disk stay for the investigation); and tag its task definition
 * revision suspect either way.
 */
export function planContainTask(input: PlanningInput<ContainTaskFacts>): PlaybookPlan {
  const { facts, finding, incidentId } = input;
  const resource = resourceOf(facts);
  const refusal = refusalOf(facts);
  if (refusal || !facts.target || !facts.task.known || !facts.task.value) {
    return { steps: [], warnings: [], verdicts: refusal ? [refusal] : [], resourceTags: {}, resource };
  }
  const { cluster, task: taskRef } = facts.target;
  const task = facts.task.value;
  const warnings: string[] = facts.source === 'finding' ? ['Planned offline from the finding alone: the task, its launch type and its container instance are as GuardDuty saw them.'] : [];
  const previousTags = facts.taskDefinition.known ? ownTags(facts.taskDefinition.value.tags) : {};
  const node = facts.node?.known ? facts.node.value : null;
  const record = taskRecordStep({
    cluster,
    task: taskRef,
    incidentId,
    findingId: finding.id,
    record: {
      taskArn: taskRef.arn,
      clusterArn: cluster.arn,
      launchType: task.launchType,
      lastStatus: task.lastStatus,
      taskDefinitionArn: task.taskDefinition.arn,
      containers: task.containers.map((c) => ({ name: c.name, image: c.image, imageDigest: c.imageDigest })),
      containerInstanceArn: task.containerInstanceArn,
      ec2InstanceId: node?.ec2InstanceId ?? null,
      taskDefinitionTags: previousTags,
    },
  });
  const changes: PlannedStep[] = [];
  let nodeTags: Readonly<Record<string, string>> = {};
  const stopped = GONE.has(task.lastStatus ?? '') || task.desiredStatus === 'STOPPED';
  if (task.launchType === 'FARGATE') {
    if (stopped) warnings.push(`Task ${taskRef.id} is already ${task.lastStatus ?? 'stopping'}: there is nothing to stop.`);
    else changes.push(planStopTask({ cluster, task: taskRef, incidentId, findingType: finding.type, stage: STAGE.contain }));
    if (task.group?.startsWith('service:')) {
      warnings.push(`The task belongs to ${task.group}: the service starts a replacement from the same task definition unless the team blocks the suspect revision (${SUSPECT_TAG}) or scales the service down.`);
    }
  } else if (task.launchType === 'EC2') {
    const contained = planNode(input, facts.node);
    changes.push(...contained.steps);
    warnings.push(...contained.warnings);
    nodeTags = contained.tags;
    if (contained.refused) return { steps: [], warnings, verdicts: [contained.refused], resourceTags: { ...task.tags, ...nodeTags }, resource };
  } else {
    warnings.push(`Task ${taskRef.id} runs on launch type ${task.launchType ?? 'unknown'}: it is NOT stopped or contained; a person must stop it (aws ecs stop-task) or isolate its host.`);
  }
  changes.push(planTagTaskDefinition({ definition: task.taskDefinition, incidentId, findingId: finding.id, findingType: finding.type, stage: STAGE.contain }));
  if (!facts.taskDefinition.known) warnings.push(`The task definition was not read (${facts.taskDefinition.why}): its images are only as the task names them.`);
  const steps = [record, ...changes.map((step) => (step.mutating && step.compensates === undefined && !step.id.startsWith('record-restore:') ? { ...step, requires: [...new Set([RECORD_TASK_ID, ...step.requires])] } : step))];
  return { steps: inStageOrder(steps), warnings, verdicts: [], resourceTags: { ...task.tags, ...nodeTags }, resource };
}

/** The responder's own tag keys the revision already carries: what a release must leave. */
function ownTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => TASK_DEFINITION_TAG_KEYS.includes(key)));
}

function refusalOf(facts: ContainTaskFacts): GuardVerdict | null {
  if (facts.refusal) return block(facts.refusal.id, facts.refusal.reason);
  if (!facts.task.known) return block(ECS_TASK_UNREADABLE, `the task could not be read (${facts.task.why}): nothing is changed without knowing what it is`);
  if (!facts.task.value) return block('ecs-task-not-found', 'ECS has no such task in the cluster the finding names: there is nothing to contain');
  return null;
}

interface NodePlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
  readonly tags: Readonly<Record<string, string>>;
  /** The instance's own refusal (exempt, gone, unreadable), or the host not known: the whole response is refused with it. */
  readonly refused?: GuardVerdict;
}

/**
 * contain-instance's plan of the EC2 instance under the task, with the finding as contain-instance sees it.
 * The instance is a shared host: isolating it cuts every task on it, other services' with the attacker's, so each
 * of its changes is of class contain-node (approve by default), as contain-eks does for an EKS node.
 */
function planNode(input: PlanningInput<ContainTaskFacts>, node: ContainTaskFacts['node']): NodePlan {
  if (!node || !node.known) {
    // Not a warning: a throttled or denied read must not end the incident with the host uncontained. The verdict keeps
    // the incident open (lambda/ledger/answered.ts) and a transient failure is retried (lambda/runtime/retry-policy.ts).
    const why = node ? node.why : 'not read';
    return {
      steps: [],
      warnings: [`The EC2 instance under the task is not known (${why}): NOTHING is changed; the incident stays open and the response is retried when the failure was transient.`],
      tags: {},
      refused: block(INSTANCE_UNREADABLE, `the EC2 instance under the task could not be read (${why}): nothing is changed without knowing the host`),
    };
  }
  const value: NodeFacts = node.value;
  const plan = planContainInstance({ ...input, finding: nodeFinding(input.finding, value.ec2InstanceId), facts: value.instance });
  const refused = plan.verdicts.find((v) => v.blocks);
  return {
    steps: plan.steps.map((step) => (step.changeClass ? { ...step, changeClass: CONTAIN_HOST_CLASS } : step)),
    warnings: [
      `The task runs on the EC2 launch type: its container instance ${value.ec2InstanceId} is contained, every task on it cut off with it (class ${CONTAIN_HOST_CLASS}, approve by default).`,
      ...plan.warnings,
    ],
    tags: plan.resourceTags,
    ...(refused ? { refused } : {}),
  };
}

function inStageOrder(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.stage - b.step.stage || a.index - b.index).map(({ step }) => step);
}

function resourceOf(facts: ContainTaskFacts): Record<string, unknown> {
  const task: TaskFacts | null = facts.task.known ? facts.task.value : null;
  return {
    cluster: facts.target?.cluster.arn ?? null,
    task: facts.target?.task.arn ?? null,
    launchType: task?.launchType ?? null,
    lastStatus: task?.lastStatus ?? null,
    taskDefinition: task?.taskDefinition.arn ?? null,
    images: task ? task.containers.map((c) => ({ name: c.name, image: c.image, imageDigest: c.imageDigest })) : [],
    containerInstance: task?.containerInstanceArn ?? null,
    ec2InstanceId: facts.node?.known ? facts.node.value.ec2InstanceId : null,
  };
}
