import type { Finding } from '../../finding/schema';
import { untrusted } from '../../text/untrusted';
import { parseClusterArn, parseTaskArn, type ClusterRef, type EcsScope, type TaskRef } from './arns';
import type { TargetRefusal } from './facts';

/** The finding's account, region and partition: every ECS ARN it names must be of these. */
export function findingScope(finding: Finding): EcsScope | undefined {
  if (!finding.accountId || !finding.region) return undefined;
  return { partition: finding.partition ?? 'aws', region: finding.region, accountId: finding.accountId };
}

export type TargetCheck = { readonly ok: true; readonly cluster: ClusterRef; readonly task: TaskRef } | { readonly ok: false; readonly refusal: TargetRefusal };

function refuse(id: string, reason: string): TargetCheck {
  return { ok: false, refusal: { id, reason } };
}

/**
 * The cluster and task the finding names (resource.ecsClusterDetails), held
 * to its account and region, the task to its cluster. Anything else is
 * refused before a call is made with it.
 */
export function findingTarget(finding: Finding): TargetCheck {
  const scope = findingScope(finding);
  if (!scope) return refuse('no-account-or-region', 'the finding names no account or region: no ECS ARN can be checked against them');
  const details = finding.resource?.ecsClusterDetails;
  const clusterArn = details?.arn;
  const taskArn = details?.taskDetails?.arn;
  if (!clusterArn || !taskArn) return refuse('no-ecs-task', 'the finding names no ECS cluster and task (resource.ecsClusterDetails.arn and .taskDetails.arn): there is nothing to contain');
  const cluster = parseClusterArn(clusterArn, scope);
  if (!cluster) return refuse('ecs-arn-mismatch', `the cluster ARN "${untrusted(clusterArn)}" is not an ECS cluster of account ${scope.accountId} in ${scope.region}: nothing is done with it`);
  const task = parseTaskArn(taskArn, scope);
  if (!task) return refuse('ecs-arn-mismatch', `the task ARN "${untrusted(taskArn)}" is not an ECS task of account ${scope.accountId} in ${scope.region}: nothing is done with it`);
  if (task.clusterName !== undefined && task.clusterName !== cluster.name) {
    return refuse('ecs-arn-mismatch', `the task ARN "${untrusted(taskArn)}" is of cluster ${task.clusterName}, not of the finding's cluster ${cluster.name}: nothing is done with it`);
  }
  return { ok: true, cluster, task };
}
