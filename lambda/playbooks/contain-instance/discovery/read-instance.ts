import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../aws/clients';
import type { ReadLog } from '../../../plan/reads';
import type { StepSpec } from '../../../plan/types';
import { known, type InstanceLookup, type NetworkInterfaceFacts, type VolumeFacts, type Known } from '../facts';
import { READ_INSTANCE } from '../specs';

export interface InstanceRead {
  /** An id was given, so never 'missing-id'. */
  readonly lookup: Exclude<InstanceLookup, { readonly status: 'missing-id' }>;
  readonly instance?: Instance;
}

/** Codes with which EC2 says the instance does not exist (as opposed to "could not tell"). */
const NOT_FOUND_CODES = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

/** `spec` names the read in the report (contain-instance's, or `ir release`'s). */
export async function readInstance(clients: AwsClients, reads: ReadLog, instanceId: string, spec: StepSpec = READ_INSTANCE): Promise<InstanceRead> {
  const result = await reads.read(spec, `Describe instance ${instanceId}`, instanceId, () =>
    clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })),
  );
  if (!result.ok) {
    return NOT_FOUND_CODES.has(result.error.code)
      ? { lookup: { status: 'not-found', detail: `${result.error.code}: ${result.error.message}` } }
      : { lookup: { status: 'unreadable', error: result.error } };
  }
  const instance = (result.value.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!instance) return { lookup: { status: 'not-found', detail: 'DescribeInstances returned no such instance' } };
  return { lookup: { status: 'found' }, instance };
}

export function networkInterfacesOf(instance: Instance): NetworkInterfaceFacts[] {
  return [...(instance.NetworkInterfaces ?? [])]
    .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
    .flatMap((eni) =>
      eni.NetworkInterfaceId
        ? [
            {
              networkInterfaceId: eni.NetworkInterfaceId,
              vpcId: eni.VpcId ?? instance.VpcId ?? '',
              securityGroupIds: (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
            },
          ]
        : [],
    );
}

export function volumesOf(instance: Instance): Known<readonly VolumeFacts[]> {
  return known(
    (instance.BlockDeviceMappings ?? []).flatMap((mapping) =>
      mapping.DeviceName && mapping.Ebs?.VolumeId
        ? [{ deviceName: mapping.DeviceName, volumeId: mapping.Ebs.VolumeId, deleteOnTermination: mapping.Ebs.DeleteOnTermination === true }]
        : [],
    ),
  );
}

export function tagsOf(instance: Instance): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return tags;
}
