import {
  AssociateIamInstanceProfileCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { SeededNetwork } from './network';
import { nameTag, required } from './util';

/*
 * Instance A is the one GuardDuty flags: two ENIs in two subnets (each with
 * its own security groups), a root and two data volumes that would be
 * deleted with the instance, and an instance profile. Instance B is a
 * neighbour in the same VPC with the same instance profile, so revoking the
 * role's sessions for A cuts B too (the plan must warn about it).
 */

export interface SeededEni {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly deviceIndex: number;
  readonly privateIpAddress: string;
  /** The security groups seeded on this ENI, sorted. */
  readonly groupIds: readonly string[];
}

export interface SeededInstance {
  readonly instanceId: string;
  readonly name: string;
  readonly availabilityZone: string;
  readonly imageId: string;
  readonly networkInterfaces: readonly SeededEni[];
  /** Every attached EBS volume, root first. */
  readonly volumeIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly instanceProfileArn: string | null;
}

export interface SeededInstances {
  readonly instanceA: SeededInstance;
  readonly instanceB: SeededInstance;
}

/** An Amazon Linux 2 AMI of the emulator's catalogue; asking by name keeps the answer small (the catalogue has over a thousand). */
async function linuxImage(ec2: EC2Client): Promise<{ imageId: string; rootDeviceName: string }> {
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*-x86_64-gp2'] }] }));
  const image = Images.find((i) => i.ImageId && i.RootDeviceName);
  return { imageId: required(image?.ImageId, 'Amazon Linux 2 AMI'), rootDeviceName: required(image?.RootDeviceName, 'root device name') };
}

interface LaunchInput {
  readonly name: string;
  readonly imageId: string;
  readonly rootDeviceName: string;
  readonly subnetId: string;
  readonly groupIds: string[];
  readonly dataVolumes: number;
  readonly shutdownBehavior: 'stop' | 'terminate';
  /** Besides Name and env=prod. */
  readonly tags?: Readonly<Record<string, string>>;
}

async function launch(ec2: EC2Client, input: LaunchInput): Promise<string> {
  const dataDevices = ['/dev/sdf', '/dev/sdg', '/dev/sdh'].slice(0, input.dataVolumes);
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: input.imageId,
      InstanceType: 't3.large',
      MinCount: 1,
      MaxCount: 1,
      InstanceInitiatedShutdownBehavior: input.shutdownBehavior,
      // Groups on the network interface, not SecurityGroupIds: moto shows instance-level groups on every ENI
      // (their union with the ENI's own), which would hide how each ENI's groups really change.
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: input.subnetId, Groups: input.groupIds }],
      // DeleteOnTermination true everywhere, as launch templates usually have it: containment must turn it off.
      BlockDeviceMappings: [
        { DeviceName: input.rootDeviceName, Ebs: { VolumeSize: 8, VolumeType: 'gp3', DeleteOnTermination: true } },
        ...dataDevices.map((device, i) => ({ DeviceName: device, Ebs: { VolumeSize: 20 * (i + 1), VolumeType: 'gp3' as const, DeleteOnTermination: true } })),
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: input.name }, { Key: 'env', Value: 'prod' }, ...Object.entries(input.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))] },
      ],
    }),
  );
  return required(Instances?.[0]?.InstanceId, `instance id of ${input.name}`);
}

async function describe(ec2: EC2Client, instanceId: string): Promise<Instance> {
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return required(Reservations?.[0]?.Instances?.[0], `description of ${instanceId}`);
}

function seededInstance(instance: Instance, name: string, rootDeviceName: string): SeededInstance {
  const mappings = instance.BlockDeviceMappings ?? [];
  const root = mappings.filter((m) => m.DeviceName === rootDeviceName);
  const others = mappings.filter((m) => m.DeviceName !== rootDeviceName);
  return {
    instanceId: required(instance.InstanceId, 'instance id'),
    name,
    availabilityZone: required(instance.Placement?.AvailabilityZone, 'availability zone'),
    imageId: required(instance.ImageId, 'image id'),
    networkInterfaces: (instance.NetworkInterfaces ?? [])
      .map((eni) => ({
        networkInterfaceId: required(eni.NetworkInterfaceId, 'ENI id'),
        subnetId: required(eni.SubnetId, 'ENI subnet'),
        deviceIndex: eni.Attachment?.DeviceIndex ?? 0,
        privateIpAddress: eni.PrivateIpAddress ?? '',
        groupIds: (eni.Groups ?? []).map((g) => required(g.GroupId, 'group id')).sort(),
      }))
      .sort((a, b) => a.deviceIndex - b.deviceIndex),
    volumeIds: [...root, ...others].map((m) => required(m.Ebs?.VolumeId, 'volume id')),
    tags: Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    instanceProfileArn: instance.IamInstanceProfile?.Arn ?? null,
  };
}

export async function seedInstances(ec2: EC2Client, network: SeededNetwork, instanceProfileArn: string): Promise<SeededInstances> {
  const { imageId, rootDeviceName } = await linuxImage(ec2);
  const [front, back] = network.subnetIds;
  const { web, admin, database } = network.securityGroups;

  const instanceAId = await launch(ec2, {
    name: 'web-01',
    imageId,
    rootDeviceName,
    subnetId: front,
    groupIds: [web, admin],
    dataVolumes: 2,
    // Launched to go away when it shuts down: containment must make a shutdown stop it instead.
    shutdownBehavior: 'terminate',
  });
  const eni = await ec2.send(
    new CreateNetworkInterfaceCommand({ SubnetId: back, Groups: [database], Description: 'web-01 database leg', TagSpecifications: nameTag('network-interface', 'web-01-db') }),
  );
  await ec2.send(
    new AttachNetworkInterfaceCommand({ InstanceId: instanceAId, NetworkInterfaceId: required(eni.NetworkInterface?.NetworkInterfaceId, 'second ENI id'), DeviceIndex: 1 }),
  );
  await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceAId, IamInstanceProfile: { Arn: instanceProfileArn } }));

  const instanceBId = await launch(ec2, { name: 'web-02', imageId, rootDeviceName, subnetId: front, groupIds: [web], dataVolumes: 0, shutdownBehavior: 'stop' });
  await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceBId, IamInstanceProfile: { Arn: instanceProfileArn } }));

  return {
    instanceA: seededInstance(await describe(ec2, instanceAId), 'web-01', rootDeviceName),
    instanceB: seededInstance(await describe(ec2, instanceBId), 'web-02', rootDeviceName),
  };
}

/**
 * One more instance beside the seeded ones (a test or the demo needs an incident of its own): in the first subnet,
 * behind the web group, no data volume, tagged Name, env=prod and `tags`.
 */
export async function launchInstance(ec2: EC2Client, network: SeededNetwork, input: { readonly name: string; readonly tags?: Readonly<Record<string, string>> }): Promise<SeededInstance> {
  const { imageId, rootDeviceName } = await linuxImage(ec2);
  const instanceId = await launch(ec2, {
    name: input.name,
    imageId,
    rootDeviceName,
    subnetId: network.subnetIds[0],
    groupIds: [network.securityGroups.web],
    dataVolumes: 0,
    shutdownBehavior: 'stop',
    ...(input.tags ? { tags: input.tags } : {}),
  });
  return seededInstance(await describe(ec2, instanceId), input.name, rootDeviceName);
}
