import { parseArn } from '../../aws/arn';

/*
 * The ECS ARNs a finding names, parsed and held to the finding's account and
 * region before any of them is used in a call: a forged or edited finding
 * must not steer StopTask or TagResource at another account's task, or at a
 * task of another cluster than the one it names.
 */

export interface EcsScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export interface ClusterRef extends EcsScope {
  readonly arn: string;
  readonly name: string;
}

export interface TaskRef extends EcsScope {
  readonly arn: string;
  readonly id: string;
  /** The cluster's name, in the long ARN format; undefined for the old format (task/<id>). */
  readonly clusterName: string | undefined;
}

export interface TaskDefinitionRef extends EcsScope {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
}

export interface ContainerInstanceRef extends EcsScope {
  readonly arn: string;
  readonly clusterName: string | undefined;
}

/** Names ECS accepts: letters, digits, hyphens and underscores, up to 255 characters. */
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const TASK_ID = /^[a-f0-9]{32}$|^[a-f0-9-]{36}$/;
const TASK_DEFINITION = /^([A-Za-z0-9_-]{1,255}):([1-9][0-9]{0,8})$/;

function ecsScope(arn: string, expected: EcsScope): { resource: string } | undefined {
  const parts = parseArn(arn);
  if (!parts || parts.service !== 'ecs') return undefined;
  if (parts.partition !== expected.partition || parts.region !== expected.region || parts.accountId !== expected.accountId) return undefined;
  return { resource: parts.resource };
}

export function parseClusterArn(arn: string, expected: EcsScope): ClusterRef | undefined {
  const resource = ecsScope(arn, expected)?.resource;
  const [type, name, ...rest] = resource?.split('/') ?? [];
  if (type !== 'cluster' || !name || rest.length > 0 || !NAME.test(name)) return undefined;
  return { ...expected, arn, name };
}

export function parseTaskArn(arn: string, expected: EcsScope): TaskRef | undefined {
  const resource = ecsScope(arn, expected)?.resource;
  const parts = resource?.split('/') ?? [];
  if (parts[0] !== 'task') return undefined;
  if (parts.length === 3 && NAME.test(parts[1]!) && TASK_ID.test(parts[2]!)) return { ...expected, arn, id: parts[2]!, clusterName: parts[1] };
  if (parts.length === 2 && TASK_ID.test(parts[1]!)) return { ...expected, arn, id: parts[1]!, clusterName: undefined };
  return undefined;
}

export function parseTaskDefinitionArn(arn: string, expected: EcsScope): TaskDefinitionRef | undefined {
  const resource = ecsScope(arn, expected)?.resource;
  if (!resource?.startsWith('task-definition/')) return undefined;
  const match = TASK_DEFINITION.exec(resource.slice('task-definition/'.length));
  return match ? { ...expected, arn, family: match[1]!, revision: Number(match[2]) } : undefined;
}

export function parseContainerInstanceArn(arn: string, expected: EcsScope): ContainerInstanceRef | undefined {
  const resource = ecsScope(arn, expected)?.resource;
  const parts = resource?.split('/') ?? [];
  if (parts[0] !== 'container-instance') return undefined;
  if (parts.length === 3 && NAME.test(parts[1]!) && TASK_ID.test(parts[2]!)) return { ...expected, arn, clusterName: parts[1] };
  if (parts.length === 2 && TASK_ID.test(parts[1]!)) return { ...expected, arn, clusterName: undefined };
  return undefined;
}
