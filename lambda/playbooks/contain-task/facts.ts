import type { InstanceFacts, Known } from '../contain-instance/facts';
import type { ClusterRef, TaskDefinitionRef, TaskRef } from './arns';

/*
 * What contain-task knows when it plans. The finding names the cluster and
 * the task; everything else is read from ECS (or, offline, taken from the
 * finding and marked so).
 */

export interface ContainerFacts {
  readonly name: string;
  readonly image: string;
  /** The image's digest as ECS resolved it when the task started (sha256:...); null when ECS does not say. */
  readonly imageDigest: string | null;
  readonly runtimeId: string | null;
}

export interface TaskFacts {
  readonly lastStatus: string | null;
  readonly desiredStatus: string | null;
  /** FARGATE, EC2 or EXTERNAL, as ECS says. */
  readonly launchType: string | null;
  readonly taskDefinition: TaskDefinitionRef;
  /** The container instance's ARN, for the EC2 launch type. */
  readonly containerInstanceArn: string | null;
  readonly group: string | null;
  readonly containers: readonly ContainerFacts[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface TaskDefinitionFacts {
  readonly images: readonly string[];
  readonly taskRoleArn: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** The EC2 instance under a task of the EC2 launch type, as its own cluster's DescribeContainerInstances names it. */
export interface NodeFacts {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  /** contain-instance's facts of that instance, read with its own discovery. */
  readonly instance: InstanceFacts;
}

/** Why the finding names nothing contain-task may act on. */
export interface TargetRefusal {
  readonly id: string;
  readonly reason: string;
}

export interface ContainTaskFacts {
  readonly source: 'aws' | 'finding';
  /** The cluster and task the finding names, verified to be of its account and region; null with the refusal otherwise. */
  readonly target: { readonly cluster: ClusterRef; readonly task: TaskRef } | null;
  readonly refusal?: TargetRefusal;
  /** null: ECS says there is no such task in that cluster. */
  readonly task: Known<TaskFacts | null>;
  readonly taskDefinition: Known<TaskDefinitionFacts>;
  /** Only for the EC2 launch type; null: not asked (Fargate, or the task was not read). */
  readonly node: Known<NodeFacts> | null;
}
