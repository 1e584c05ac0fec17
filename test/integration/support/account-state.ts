import { DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type InstanceAttributeName,
} from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../lambda/aws/clients';

/*
 * Everything a playbook could change in the seeded account, read back as
 * plain JSON, so a dry-run can be checked to change nothing: the state
 * before and after must be deep-equal. Response metadata (request ids) is
 * dropped; everything else is kept as the emulator returns it.
 */

const INSTANCE_ATTRIBUTES: InstanceAttributeName[] = ['disableApiTermination', 'instanceInitiatedShutdownBehavior', 'groupSet', 'disableApiStop'];

function withoutMetadata<T extends object>(response: T): Omit<T, '$metadata'> {
  const { $metadata: _metadata, ...rest } = response as T & { $metadata?: unknown };
  return rest;
}

async function ec2State(clients: AwsClients) {
  const ec2 = clients.ec2;
  const instances = withoutMetadata(await ec2.send(new DescribeInstancesCommand({})));
  const instanceIds = (instances.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '').sort();
  const attributes: Record<string, unknown> = {};
  for (const instanceId of instanceIds) {
    for (const attribute of INSTANCE_ATTRIBUTES) {
      attributes[`${instanceId}/${attribute}`] = withoutMetadata(await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: attribute })));
    }
  }
  const volumes = withoutMetadata(await ec2.send(new DescribeVolumesCommand({})));
  const volumeIds = (volumes.Volumes ?? []).map((v) => v.VolumeId ?? '');
  return {
    instances,
    attributes,
    networkInterfaces: withoutMetadata(await ec2.send(new DescribeNetworkInterfacesCommand({}))),
    securityGroups: withoutMetadata(await ec2.send(new DescribeSecurityGroupsCommand({}))),
    volumes,
    // Snapshots of the account's volumes: moto also lists the snapshots behind its AMI catalogue as the account's own.
    snapshots: withoutMetadata(await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: volumeIds }] }))),
    instanceProfileAssociations: withoutMetadata(await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({}))),
  };
}

async function fleetState(clients: AwsClients) {
  const targetGroups = withoutMetadata(await clients.elbv2.send(new DescribeTargetGroupsCommand({})));
  const targetHealth: Record<string, unknown> = {};
  for (const group of targetGroups.TargetGroups ?? []) {
    const arn = group.TargetGroupArn ?? '';
    targetHealth[arn] = withoutMetadata(await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })));
  }
  return {
    autoScalingGroups: withoutMetadata(await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}))),
    autoScalingInstances: withoutMetadata(await clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({}))),
    targetGroups,
    targetHealth,
  };
}

async function iamState(clients: AwsClients) {
  const iam = clients.iam;
  const users = withoutMetadata(await iam.send(new ListUsersCommand({})));
  const roles = withoutMetadata(await iam.send(new ListRolesCommand({})));
  const perUser: Record<string, unknown> = {};
  for (const user of users.Users ?? []) {
    const UserName = user.UserName ?? '';
    const inline = withoutMetadata(await iam.send(new ListUserPoliciesCommand({ UserName })));
    const documents: Record<string, unknown> = {};
    for (const PolicyName of inline.PolicyNames ?? []) {
      documents[PolicyName] = withoutMetadata(await iam.send(new GetUserPolicyCommand({ UserName, PolicyName })));
    }
    perUser[UserName] = {
      accessKeys: withoutMetadata(await iam.send(new ListAccessKeysCommand({ UserName }))),
      inline,
      documents,
      attached: withoutMetadata(await iam.send(new ListAttachedUserPoliciesCommand({ UserName }))),
    };
  }
  const perRole: Record<string, unknown> = {};
  for (const role of roles.Roles ?? []) {
    const RoleName = role.RoleName ?? '';
    const inline = withoutMetadata(await iam.send(new ListRolePoliciesCommand({ RoleName })));
    const documents: Record<string, unknown> = {};
    for (const PolicyName of inline.PolicyNames ?? []) {
      documents[PolicyName] = withoutMetadata(await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName })));
    }
    perRole[RoleName] = { inline, documents, attached: withoutMetadata(await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))) };
  }
  return { users, roles, perUser, perRole, instanceProfiles: withoutMetadata(await iam.send(new ListInstanceProfilesCommand({}))) };
}

export async function describeAccountState(clients: AwsClients) {
  return { ec2: await ec2State(clients), fleet: await fleetState(clients), iam: await iamState(clients) };
}

export type AccountState = Awaited<ReturnType<typeof describeAccountState>>;
