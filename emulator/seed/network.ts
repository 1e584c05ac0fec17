import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { nameTag, required } from './util';

/* A VPC as a small web service would have it: two subnets, a web, an admin and a database security group. */

export interface SeededNetwork {
  readonly vpcId: string;
  readonly availabilityZone: string;
  /** [front subnet, back subnet]: both in one AZ, so one instance can have an ENI in each. */
  readonly subnetIds: readonly [string, string];
  readonly securityGroups: { readonly web: string; readonly admin: string; readonly database: string };
}

async function createSubnet(ec2: EC2Client, vpcId: string, cidr: string, zone: string, name: string): Promise<string> {
  const subnet = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: nameTag('subnet', name) }),
  );
  return required(subnet.Subnet?.SubnetId, `subnet id for ${name}`);
}

async function createGroup(ec2: EC2Client, vpcId: string, name: string, description: string, ingressPort: number, cidr: string): Promise<string> {
  const group = await ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: description, TagSpecifications: nameTag('security-group', name) }),
  );
  const groupId = required(group.GroupId, `security group id for ${name}`);
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: ingressPort, ToPort: ingressPort, IpRanges: [{ CidrIp: cidr }] }],
    }),
  );
  return groupId;
}

export async function seedNetwork(ec2: EC2Client, region: string): Promise<SeededNetwork> {
  const availabilityZone = `${region}a`;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: nameTag('vpc', 'ir-demo-vpc') }));
  const vpcId = required(vpc.Vpc?.VpcId, 'VPC id');
  const front = await createSubnet(ec2, vpcId, '10.0.1.0/24', availabilityZone, 'ir-demo-front');
  const back = await createSubnet(ec2, vpcId, '10.0.2.0/24', availabilityZone, 'ir-demo-back');
  return {
    vpcId,
    availabilityZone,
    subnetIds: [front, back],
    securityGroups: {
      web: await createGroup(ec2, vpcId, 'web-tier', 'HTTPS from anywhere', 443, '0.0.0.0/0'),
      admin: await createGroup(ec2, vpcId, 'ssh-admin', 'SSH from the bastion subnet', 22, '10.0.0.0/24'),
      database: await createGroup(ec2, vpcId, 'db-access', 'PostgreSQL from the VPC', 5432, '10.0.0.0/16'),
    },
  };
}
