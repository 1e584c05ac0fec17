import { findingInstanceTags, instanceIdOf } from '../../finding/accessors';
import type { Finding } from '../../finding/schema';
import { unknown, type InstanceFacts, type NetworkInterfaceFacts } from './facts';

const OFFLINE = 'not known offline (planned from the finding alone)';

/**
 * For `ir plan --offline`: what the finding itself says about the instance
 * (as GuardDuty saw it, possibly stale). Everything only AWS can tell is
 * unknown, and the plan says so.
 */
export function offlineInstanceFacts(finding: Finding): InstanceFacts {
  const details = finding.resource?.instanceDetails;
  const instanceId = instanceIdOf(finding) ?? null;
  const profileArn = details?.iamInstanceProfile?.arn;
  return {
    source: 'finding',
    instanceId,
    lookup: instanceId ? { status: 'found' } : { status: 'missing-id' },
    state: details?.instanceState ?? null,
    networkInterfaces: networkInterfacesOf(finding),
    volumes: unknown(OFFLINE),
    tags: findingInstanceTags(finding),
    instanceProfile: profileArn ? { arn: profileArn, role: unknown(OFFLINE), sharedWith: unknown(OFFLINE) } : null,
    profileAssociationId: unknown(OFFLINE),
    responderSecurityGroups: unknown(OFFLINE),
    autoScaling: unknown(OFFLINE),
    targetGroups: unknown(OFFLINE),
    unreadTargetGroups: [],
    evidenceSnapshots: unknown(OFFLINE),
  };
}

function networkInterfacesOf(finding: Finding): NetworkInterfaceFacts[] {
  return (finding.resource?.instanceDetails?.networkInterfaces ?? []).flatMap((eni) =>
    eni.networkInterfaceId && eni.vpcId
      ? [
          {
            networkInterfaceId: eni.networkInterfaceId,
            vpcId: eni.vpcId,
            securityGroupIds: (eni.securityGroups ?? []).flatMap((g) => (g.groupId ? [g.groupId] : [])),
          },
        ]
      : [],
  );
}
