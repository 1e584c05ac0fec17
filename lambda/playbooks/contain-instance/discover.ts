import type { AwsClients } from '../../aws/clients';
import { findingInstanceTags, instanceIdOf } from '../../finding/accessors';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import { readAutoScalingMembership } from './discovery/read-auto-scaling';
import { networkInterfacesOf, readInstance, tagsOf, volumesOf } from './discovery/read-instance';
import { readInstanceProfile, readProfileAssociation } from './discovery/read-instance-profile';
import { readResponderSecurityGroups } from './discovery/read-security-groups';
import { readEvidenceSnapshots } from './discovery/read-snapshots';
import { readTargetGroupMemberships } from './discovery/read-target-groups';
import { known, unknown, type InstanceFacts, type InstanceLookup } from './facts';

/*
 * Every read starts at once; only the two instance-profile reads wait, for
 * DescribeInstances to name the profile. So discovery costs two sequential
 * round trips (the target-group chain is two as well), and isolation starts
 * right after.
 */
export async function discoverInstance(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<InstanceFacts> {
  const instanceId = instanceIdOf(finding);
  if (!instanceId) return unreadInstanceFacts(finding, null, { status: 'missing-id' });

  const instanceChain = readInstance(clients, reads, instanceId).then(async (read) => {
    const profileArn = read.instance?.IamInstanceProfile?.Arn;
    const profile = profileArn ? await readInstanceProfile(clients, reads, instanceId, profileArn) : null;
    return { read, profile };
  });
  const [{ read, profile }, responderSecurityGroups, autoScaling, targetGroups, evidenceSnapshots, profileAssociationId] = await Promise.all([
    instanceChain,
    readResponderSecurityGroups(clients, reads),
    readAutoScalingMembership(clients, reads, instanceId),
    readTargetGroupMemberships(clients, reads, instanceId),
    readEvidenceSnapshots(clients, reads, finding.id),
    readProfileAssociation(clients, reads, instanceId),
  ]);
  if (!read.instance) return unreadInstanceFacts(finding, instanceId, read.lookup);

  return {
    source: 'aws',
    instanceId,
    lookup: read.lookup,
    state: read.instance.State?.Name ?? null,
    networkInterfaces: networkInterfacesOf(read.instance),
    volumes: volumesOf(read.instance),
    tags: tagsOf(read.instance),
    instanceProfile: profile,
    profileAssociationId,
    responderSecurityGroups,
    autoScaling,
    targetGroups: targetGroups.known ? known(targetGroups.value.memberships) : targetGroups,
    unreadTargetGroups: targetGroups.known ? targetGroups.value.unreadable : [],
    evidenceSnapshots,
  };
}

/** No instance to act on: the plan only reports why. Tags fall back to the finding's for the exempt-tag guard. */
function unreadInstanceFacts(finding: Finding, instanceId: string | null, lookup: InstanceLookup): InstanceFacts {
  const why = 'the instance was not read';
  return {
    source: 'aws',
    instanceId,
    lookup,
    state: null,
    networkInterfaces: [],
    volumes: unknown(why),
    tags: findingInstanceTags(finding),
    instanceProfile: null,
    profileAssociationId: unknown(why),
    responderSecurityGroups: unknown(why),
    autoScaling: unknown(why),
    targetGroups: unknown(why),
    unreadTargetGroups: [],
    evidenceSnapshots: unknown(why),
  };
}
