import { DescribeSnapshotsCommand, type Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/clients';
import type { ReadLog } from '../plan/reads';
import { known, unknown, type Known } from '../playbooks/contain-instance/facts';
import { collectPages } from '../playbooks/contain-instance/discovery/pages';
import { readInstance, tagsOf } from '../playbooks/contain-instance/discovery/read-instance';
import { readProfileAssociation } from '../playbooks/contain-instance/discovery/read-instance-profile';
import { SOURCE_INSTANCE_TAG } from '../playbooks/contain-instance/names';
import type { AttachedNetworkInterface, ReleaseFacts } from './facts';
import { READ_EVIDENCE_SNAPSHOTS, READ_INSTANCE, READ_PROFILE_ASSOCIATION } from './specs';

/** Read-only: the instance, its profile association and its evidence snapshots. Every read lands in `reads`. */
export async function discoverRelease(instanceId: string, clients: AwsClients, reads: ReadLog): Promise<ReleaseFacts> {
  const base = { instanceId, state: null, tags: {}, networkInterfaces: [] };
  const notRead = unknown<never>('not read: the instance could not be described');
  const { lookup, instance } = await readInstance(clients, reads, instanceId, READ_INSTANCE);
  if (!instance) return { ...base, lookup, association: notRead, evidenceSnapshots: notRead };
  const [association, evidenceSnapshots] = await Promise.all([
    readProfileAssociation(clients, reads, instanceId, READ_PROFILE_ASSOCIATION),
    readEvidenceSnapshots(clients, reads, instanceId),
  ]);
  return {
    instanceId,
    lookup,
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
