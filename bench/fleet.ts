import {
  AssociateIamInstanceProfileCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  RunInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../lambda/aws/clients';
import { required } from '../emulator/seed/util';

/*
 * The benchmark's accounts: a VPC, an instance profile, a few target groups
 * and as many instances as a scenario needs, each with the number of ENIs
 * and volumes it asks for. m5.4xlarge: the emulator allows it 8 ENIs.
 */

export const BENCH_INSTANCE_TYPE = 'm5.4xlarge';
const DATA_DEVICES = 'fghijklmnopqrstuvwxyz'.split('').map((letter) => `/dev/sd${letter}`);

export interface BenchNetwork {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly workloadGroupId: string;
  readonly imageId: string;
  readonly rootDeviceName: string;
  readonly instanceProfileArn: string;
  readonly instanceProfileName: string;
  readonly targetGroupArns: readonly string[];
}

export interface BenchInstance {
  readonly instanceId: string;
  readonly networkInterfaceIds: readonly string[];
}

export async function seedBenchNetwork(clients: AwsClients, name: string): Promise<BenchNetwork> {
  const { ec2 } = clients;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = required(vpc.Vpc?.VpcId, 'VPC id');
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/18', AvailabilityZone: 'us-east-1a' }));
  const group = await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${name}-workload`, Description: 'bench workload' }));
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*-x86_64-gp2'] }] }));
  const image = required(Images.find((i) => i.ImageId && i.RootDeviceName), 'Amazon Linux 2 AMI');
  const profile = await seedInstanceProfile(clients, name);
  const targetGroupArns: string[] = [];
  for (const index of [1, 2, 3]) {
    const created = await clients.elbv2.send(
      new CreateTargetGroupCommand({ Name: `${name}-tg-${index}`, Protocol: 'HTTP', Port: 8080 + index, VpcId: vpcId, TargetType: 'instance' }),
    );
    targetGroupArns.push(required(created.TargetGroups?.[0]?.TargetGroupArn, 'target group ARN'));
  }
  return {
    vpcId,
    subnetId: required(subnet.Subnet?.SubnetId, 'subnet id'),
    workloadGroupId: required(group.GroupId, 'group id'),
    imageId: required(image.ImageId, 'image id'),
    rootDeviceName: required(image.RootDeviceName, 'root device'),
    ...profile,
    targetGroupArns,
  };
}

async function seedInstanceProfile(clients: AwsClients, name: string): Promise<{ instanceProfileArn: string; instanceProfileName: string }> {
  const roleName = `${name}-app-role`;
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  const profile = await clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: `${name}-app-profile` }));
  await clients.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: `${name}-app-profile`, RoleName: roleName }));
  return { instanceProfileArn: required(profile.InstanceProfile?.Arn, 'profile ARN'), instanceProfileName: `${name}-app-profile` };
}

/** One running instance with `enis` network interfaces and `volumes` EBS volumes (the root one included), in a target group. */
export async function launchBenchInstance(clients: AwsClients, network: BenchNetwork, enis: number, volumes: number): Promise<BenchInstance> {
  const { ec2 } = clients;
  if (volumes < 1 || volumes - 1 > DATA_DEVICES.length) throw new Error(`cannot seed ${volumes} volumes`);
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: network.imageId,
      InstanceType: BENCH_INSTANCE_TYPE,
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: network.subnetId, Groups: [network.workloadGroupId] }],
      BlockDeviceMappings: [
        { DeviceName: network.rootDeviceName, Ebs: { VolumeSize: 8, DeleteOnTermination: true } },
        ...DATA_DEVICES.slice(0, volumes - 1).map((device) => ({ DeviceName: device, Ebs: { VolumeSize: 10, DeleteOnTermination: true } })),
      ],
    }),
  );
  const instance = required(Instances?.[0], 'launched instance');
  const instanceId = required(instance.InstanceId, 'instance id');
  const networkInterfaceIds = [required(instance.NetworkInterfaces?.[0]?.NetworkInterfaceId, 'primary ENI')];
  for (let index = 1; index < enis; index += 1) networkInterfaceIds.push(await attachEni(ec2, network, instanceId, index));
  await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: network.instanceProfileArn } }));
  await clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: network.targetGroupArns[0], Targets: [{ Id: instanceId, Port: 8081 }] }));
  return { instanceId, networkInterfaceIds };
}

async function attachEni(ec2: EC2Client, network: BenchNetwork, instanceId: string, deviceIndex: number): Promise<string> {
  const eni = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: network.subnetId, Groups: [network.workloadGroupId] }));
  const eniId = required(eni.NetworkInterface?.NetworkInterfaceId, 'ENI id');
  await ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eniId, InstanceId: instanceId, DeviceIndex: deviceIndex }));
  return eniId;
}
