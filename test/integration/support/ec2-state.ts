import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Instance,
  type SecurityGroup,
  type Snapshot,
} from '@aws-sdk/client-ec2';

/* Reads of the emulator's EC2 state, in the terms the containment assertions use. */

export const ORIGINAL_GROUPS_TAG_PREFIX = 'ir:original-sgs:';

export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = Reservations[0]?.Instances?.[0];
  if (!instance) throw new Error(`instance ${instanceId} not found in the emulator`);
  return instance;
}

export function tagsOf(resource: { Tags?: { Key?: string; Value?: string }[] }): Record<string, string> {
  return Object.fromEntries((resource.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

/** The security groups on each ENI of the instance, sorted, by ENI id. */
export function groupsByEni(instance: Instance): Record<string, string[]> {
  return Object.fromEntries(
    (instance.NetworkInterfaces ?? []).map((eni) => [eni.NetworkInterfaceId ?? '', (eni.Groups ?? []).map((g) => g.GroupId ?? '').sort()]),
  );
}

/**
 * The playbook's own record of each ENI's groups before isolation, from the
 * instance tags `ir:original-sgs:<eni-id>`. The value's format is the
 * playbook's; any sg- ids in it count.
 */
export function recordedOriginalGroups(instance: Instance): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(tagsOf(instance))
      .filter(([key]) => key.startsWith(ORIGINAL_GROUPS_TAG_PREFIX))
      .map(([key, value]) => [key.slice(ORIGINAL_GROUPS_TAG_PREFIX.length), (value.match(/sg-[0-9a-f]+/g) ?? []).sort()]),
  );
}

/** Security groups the responder created for `purpose` (tag ir:purpose) in a VPC. */
export async function responderGroups(ec2: EC2Client, vpcId: string, purpose: 'isolation' | 'untrack'): Promise<SecurityGroup[]> {
  const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  // Filtered here rather than with a tag filter, so the count does not depend on the emulator's filter support.
  return SecurityGroups.filter((group) => tagsOf(group)['ir:purpose'] === purpose);
}

/**
 * Every snapshot of these volumes, tagged or not. Asked by volume id: moto also
 * lists the snapshots behind its AMI catalogue (over a thousand) as the account's own.
 */
export async function snapshotsOfVolumes(ec2: EC2Client, volumeIds: readonly string[]): Promise<Snapshot[]> {
  if (volumeIds.length === 0) return [];
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [...volumeIds] }] }));
  // Checked again here, so a filter the emulator ignored cannot inflate or hide a count.
  return Snapshots.filter((snapshot) => volumeIds.includes(snapshot.VolumeId ?? ''));
}

export async function terminationProtection(ec2: EC2Client, instanceId: string): Promise<boolean | undefined> {
  const result = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }));
  return result.DisableApiTermination?.Value;
}

export async function shutdownBehavior(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  const result = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' }));
  return result.InstanceInitiatedShutdownBehavior?.Value;
}
