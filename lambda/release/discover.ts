import { DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, type Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients';
import type { ReadLog } from '../plan/reads';
import { known, unknown, type Known } from '../playbooks/contain-instance/facts';
import { collectPages } from '../playbooks/contain-instance/discovery/pages';
import { tagsOf } from '../playbooks/contain-instance/discovery/read-instance';
import { SOURCE_INSTANCE_TAG } from '../playbooks/contain-instance/names';
import type { AttachedNetworkInterface, ProfileAssociation, ReleaseFacts } from './facts';
import { READ_EVIDENCE_SNAPSHOTS, READ_INSTANCE, READ_PROFILE_ASSOCIATION } from './specs';

/** Codes with which EC2 says the instance does not exist (as opposed to "could not tell"). */
const NOT_FOUND_CODES = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

/** Read-only: the instance, its profile association and its evidence snapshots. Every read lands in `reads`. */
export async function discoverRelease(instanceId: string, clients: AwsClients, reads: ReadLog): Promise<ReleaseFacts> {
  const base = { instanceId, state: null, tags: {}, networkInterfaces: [] };
  const notRead = unknown<never>('not read: the instance could not be described');
  const described = await reads.read(READ_INSTANCE, `Describe instance ${instanceId}`, instanceId, () =>
    clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
  );
  if (!described.ok) {
    const lookup = NOT_FOUND_CODES.has(described.error.code)
      ? ({ status: 'not-found', detail: `${described.error.code}: ${described.error.message}` } as const)
      : ({ status: 'unreadable', error: described.error } as const);
    return { ...base, lookup, association: notRead, evidenceSnapshots: notRead };
  }
  const instance = (described.value.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!instance) {
    return { ...base, lookup: { status: 'not-found', detail: 'DescribeInstances returned no such instance' }, association: notRead, evidenceSnapshots: notRead };
  }
  const [association, evidenceSnapshots] = await Promise.all([readAssociation(clients, reads, instanceId), readEvidenceSnapshots(clients, reads, instanceId)]);
  return {
    instanceId,
    lookup: { status: 'found' },
    state: instance.State?.Name ?? null,
    tags: tagsOf(instance),
    networkInterfaces: networkInterfacesOf(instance),
    association,
    evidenceSnapshots,
  };
}

function networkInterfacesOf(instance: Instance): AttachedNetworkInterface[] {
  return [...(instance.NetworkInterfaces ?? [])]
    .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
    .flatMap((eni) =>
      eni.NetworkInterfaceId
        ? [
            {
              networkInterfaceId: eni.NetworkInterfaceId,
              groups: (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [{ groupId: g.GroupId, groupName: g.GroupName ?? '' }] : [])),
            },
          ]
        : [],
    );
}

async function readAssociation(clients: AwsClients, reads: ReadLog, instanceId: string): Promise<Known<ProfileAssociation | null>> {
  const result = await reads.read(READ_PROFILE_ASSOCIATION, 'Find the instance profile association', instanceId, () =>
    clients.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [
          { Name: 'instance-id', Values: [instanceId] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      }),
    ),
  );
  if (!result.ok) return unknown(`DescribeIamInstanceProfileAssociations failed (${result.error.code})`);
  const association = result.value.IamInstanceProfileAssociations?.find((a) => a.InstanceId === instanceId);
  return known(association?.AssociationId ? { associationId: association.AssociationId, profileArn: association.IamInstanceProfile?.Arn ?? '' } : null);
}

async function readEvidenceSnapshots(clients: AwsClients, reads: ReadLog, instanceId: string): Promise<Known<readonly string[]>> {
  const result = await reads.read(READ_EVIDENCE_SNAPSHOTS, 'Find the evidence snapshots of the instance', instanceId, () =>
    collectPages(
      (NextToken) =>
        clients.ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [{ Name: `tag:${SOURCE_INSTANCE_TAG}`, Values: [instanceId] }],
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      (page) => page.Snapshots,
      (page) => page.NextToken,
    ),
  );
  if (!result.ok) return unknown(`DescribeSnapshots failed (${result.error.code})`);
  return known(result.value.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])).sort());
}
