import type { Finding } from '../../finding/schema';
import { known, unknown } from '../contain-instance/facts';
import { offlineInstanceFacts } from '../contain-instance/offline-facts';
import { parseTaskDefinitionArn } from './arns';
import type { ContainTaskFacts } from './facts';
import { nodeFinding } from './node-finding';
import { findingTarget } from './target';

export const OFFLINE = 'not known offline (planned from the finding alone)';

/**
 * For `ir plan --offline`: the task as the finding describes it (GuardDuty's
 * launch type and task definition; no image digest, no container instance).
 * On the EC2 launch type, the instance is the finding's own instanceDetails
 * when it names one.
 */
export function offlineTaskFacts(finding: Finding): ContainTaskFacts {
  const target = findingTarget(finding);
  if (!target.ok) return { source: 'finding', target: null, refusal: target.refusal, task: unknown(OFFLINE), taskDefinition: unknown(OFFLINE), node: null };
  const details = finding.resource?.ecsClusterDetails?.taskDetails;
  const definition = details?.definitionArn ? parseTaskDefinitionArn(details.definitionArn, target.cluster) : undefined;
  const launchType = details?.launchType?.toUpperCase() ?? null;
  const instanceId = finding.resource?.instanceDetails?.instanceId;
  const base = { source: 'finding' as const, target: { cluster: target.cluster, task: target.task } };
  if (!definition) return { ...base, task: unknown(`${OFFLINE}; the finding names no task definition of its account`), taskDefinition: unknown(OFFLINE), node: null };
  return {
    ...base,
    task: known({
      lastStatus: null,
      desiredStatus: null,
      launchType,
      taskDefinition: definition,
      containerInstanceArn: null,
      group: null,
      containers: (details?.containers ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '', imageDigest: null, runtimeId: null })),
      tags: {},
    }),
    taskDefinition: unknown(OFFLINE),
    node:
      launchType === 'EC2'
        ? instanceId
          ? known({ containerInstanceArn: OFFLINE, ec2InstanceId: instanceId, instance: offlineInstanceFacts(nodeFinding(finding, instanceId)) })
          : unknown(`${OFFLINE}; the finding names no EC2 instance`)
        : null,
  };
}
