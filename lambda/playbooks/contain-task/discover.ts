import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, type Tag, type Task } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import { discoverInstance } from '../contain-instance/discover';
import { known, unknown, type Known } from '../contain-instance/facts';
import type { DiscoveryContext } from '../types';
import { parseContainerInstanceArn, parseTaskDefinitionArn, type ClusterRef, type TaskRef } from './arns';
import type { ContainTaskFacts, NodeFacts, TaskDefinitionFacts, TaskFacts } from './facts';
import { nodeFinding } from './node-finding';
import { READ_CONTAINER_INSTANCE, READ_TASK, READ_TASK_DEFINITION } from './specs';
import { findingTarget } from './target';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export function tagsOf(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key) out[tag.key] = tag.value ?? '';
  return out;
}

/*
 * DescribeTasks first (the task's own cluster, launch type, task definition
 * and container instance come from ECS, never from the finding), then at
 * once its task definition and, on the EC2 launch type, its container
 * instance, then contain-instance's own discovery of that EC2 instance.
 */
export async function discoverTask(finding: Finding, clients: AwsClients, reads: ReadLog, context: DiscoveryContext = {}): Promise<ContainTaskFacts> {
  const target = findingTarget(finding);
  if (!target.ok) return { source: 'aws', target: null, refusal: target.refusal, task: unknown('not read'), taskDefinition: unknown('not read'), node: null };
  const { cluster, task: taskRef } = target;
  const task = await readTask(clients, reads, cluster, taskRef);
  const base = { source: 'aws' as const, target: { cluster, task: taskRef } };
  if (!task.known || !task.value) return { ...base, task, taskDefinition: unknown('the task was not read'), node: null };
  const value = task.value;
  const [taskDefinition, node] = await Promise.all([
    readTaskDefinition(clients, reads, value),
    value.launchType === 'EC2' ? readNode(finding, clients, reads, context, cluster, value) : Promise.resolve(null),
  ]);
  return { ...base, task, taskDefinition, node };
}

async function readTask(clients: AwsClients, reads: ReadLog, cluster: ClusterRef, ref: TaskRef): Promise<Known<TaskFacts | null>> {
  const result = await reads.read(READ_TASK, `Describe task ${ref.id} of cluster ${cluster.name}`, ref.arn, () =>
    clients.ecs.send(new DescribeTasksCommand({ cluster: cluster.arn, tasks: [ref.arn], include: ['TAGS'] })),
  );
  if (!result.ok) return unknown(`DescribeTasks failed (${result.error.code}: ${result.error.message})`);
  // Only the task asked about, in the cluster asked about: an answer about anything else is not this task.
  const found: Task | undefined = (result.value.tasks ?? []).find((t) => t.taskArn === ref.arn && t.clusterArn === cluster.arn);
  if (!found) return known(null);
  const definition = found.taskDefinitionArn ? parseTaskDefinitionArn(found.taskDefinitionArn, cluster) : undefined;
  if (!definition) return unknown(`ECS names no task definition of account ${cluster.accountId} in ${cluster.region} for the task`);
  return known({
    lastStatus: found.lastStatus ?? null,
    desiredStatus: found.desiredStatus ?? null,
    launchType: found.launchType ?? null,
    taskDefinition: definition,
    containerInstanceArn: found.containerInstanceArn ?? null,
    group: found.group ?? null,
    containers: (found.containers ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '', imageDigest: c.imageDigest ?? null, runtimeId: c.runtimeId ?? null })),
    tags: tagsOf(found.tags),
  });
}

async function readTaskDefinition(clients: AwsClients, reads: ReadLog, task: TaskFacts): Promise<Known<TaskDefinitionFacts>> {
  const arn = task.taskDefinition.arn;
  const result = await reads.read(READ_TASK_DEFINITION, `Describe task definition ${task.taskDefinition.family}:${task.taskDefinition.revision}`, arn, () =>
    clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })),
  );
  if (!result.ok) return unknown(`DescribeTaskDefinition failed (${result.error.code}: ${result.error.message})`);
  const definition = result.value.taskDefinition;
  if (definition?.taskDefinitionArn !== arn) return unknown('DescribeTaskDefinition answered about another task definition');
  return known({
    images: (definition.containerDefinitions ?? []).flatMap((c) => (c.image ? [c.image] : [])),
    taskRoleArn: definition.taskRoleArn ?? null,
    tags: tagsOf(result.value.tags),
  });
}

/**
 * The EC2 instance under the task: asked of the task's own cluster, and
 * accepted only when the container instance ECS describes is the one the
 * task names, of the same account, region and cluster.
 */
async function readNode(finding: Finding, clients: AwsClients, reads: ReadLog, context: DiscoveryContext, cluster: ClusterRef, task: TaskFacts): Promise<Known<NodeFacts>> {
  const arn = task.containerInstanceArn;
  const ref = arn ? parseContainerInstanceArn(arn, cluster) : undefined;
  if (!arn || !ref || (ref.clusterName !== undefined && ref.clusterName !== cluster.name)) {
    return unknown(`the task names no container instance of cluster ${cluster.name} in account ${cluster.accountId}`);
  }
  const result = await reads.read(READ_CONTAINER_INSTANCE, `Describe container instance of task in cluster ${cluster.name}`, arn, () =>
    clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: cluster.arn, containerInstances: [arn] })),
  );
  if (!result.ok) return unknown(`DescribeContainerInstances failed (${result.error.code}: ${result.error.message})`);
  const instance = (result.value.containerInstances ?? []).find((c) => c.containerInstanceArn === arn);
  const ec2InstanceId = instance?.ec2InstanceId;
  if (!ec2InstanceId || !INSTANCE_ID.test(ec2InstanceId)) return unknown(`cluster ${cluster.name} names no EC2 instance for the task's container instance`);
  const facts = await discoverInstance(nodeFinding(finding, ec2InstanceId), clients, reads, context);
  return known({ containerInstanceArn: arn, ec2InstanceId, instance: facts });
}
