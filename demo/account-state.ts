import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListAccessKeysCommand, ListRolePoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../lambda/aws/clients';
import type { SeededWorkloads } from '../emulator/seed/workloads';
import type { SeededAccount } from '../emulator/seed-account';

/*
 * What the demo shows as "before → after": the state a responder may touch,
 * flattened to "what: value" lines. ENI groups are read through
 * DescribeInstances, because the emulator's DescribeNetworkInterfaces shows
 * old and new groups together.
 */

export type AccountState = Readonly<Record<string, string>>;

async function instanceState(clients: AwsClients, instanceId: string, into: Record<string, string>): Promise<void> {
  const { Reservations = [] } = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = Reservations[0]?.Instances?.[0];
  if (!instance) return;
  for (const eni of instance.NetworkInterfaces ?? []) {
    into[`${instanceId} ${eni.NetworkInterfaceId} security groups`] = (eni.Groups ?? []).map((g) => g.GroupName ?? g.GroupId).sort().join(', ');
  }
  for (const device of instance.BlockDeviceMappings ?? []) {
    into[`${instanceId} ${device.DeviceName} delete on termination`] = String(device.Ebs?.DeleteOnTermination);
  }
  into[`${instanceId} instance profile`] = instance.IamInstanceProfile?.Arn?.split('/').pop() ?? 'none';
  for (const tag of instance.Tags ?? []) if (tag.Key?.startsWith('ir:')) into[`${instanceId} tag ${tag.Key}`] = tag.Value ?? '';
  const [protection, shutdown] = await Promise.all([
    clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' })),
    clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' })),
  ]);
  into[`${instanceId} termination protection`] = String(protection.DisableApiTermination?.Value ?? false);
  into[`${instanceId} shutdown behaviour`] = shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'unknown';
}

/** `moreInstances`: instances launched besides the seeded two (the approval's). */
export async function captureAccountState(clients: AwsClients, seed: SeededAccount, moreInstances: readonly string[] = []): Promise<AccountState> {
  const state: Record<string, string> = {};
  await Promise.all([seed.instanceA.instanceId, seed.instanceB.instanceId, ...moreInstances].map((id) => instanceState(clients, id, state)));

  const { Snapshots = [] } = await clients.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag-key', Values: ['ir:incident-id'] }] }));
  state['evidence snapshots'] = String(Snapshots.length);
  const { SecurityGroups = [] } = await clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: ['ir:purpose'] }] }));
  state['responder security groups'] = SecurityGroups.map((g) => g.GroupName).sort().join(', ') || 'none';

  const { AutoScalingGroups = [] } = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [seed.fleet.autoScalingGroupName] }));
  const group = AutoScalingGroups[0];
  state[`${seed.fleet.autoScalingGroupName} members`] = (group?.Instances ?? []).map((i) => i.InstanceId).sort().join(', ') || 'none';
  state[`${seed.fleet.autoScalingGroupName} desired capacity`] = String(group?.DesiredCapacity);
  const health = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: seed.fleet.targetGroupArn }));
  state['target group members'] = (health.TargetHealthDescriptions ?? []).map((t) => t.Target?.Id).sort().join(', ') || 'none';

  const user = seed.identities.user.userName;
  const { AccessKeyMetadata = [] } = await clients.iam.send(new ListAccessKeysCommand({ UserName: user }));
  for (const key of AccessKeyMetadata) state[`user ${user} key ${key.AccessKeyId}`] = key.Status ?? 'unknown';
  const userPolicies = await clients.iam.send(new ListUserPoliciesCommand({ UserName: user }));
  state[`user ${user} inline policies`] = (userPolicies.PolicyNames ?? []).join(', ') || 'none';
  for (const role of [seed.identities.instanceRole, seed.identities.workloadRole]) {
    const policies = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }));
    state[`role ${role.roleName} inline policies`] = (policies.PolicyNames ?? []).join(', ') || 'none';
  }
  if (seed.workloads) await workloadState(clients, seed.workloads, state);
  return state;
}

/** The bucket's Block Public Access, the function's reserved concurrency and role policies, the database's groups and snapshots. */
async function workloadState(clients: AwsClients, workloads: SeededWorkloads, into: Record<string, string>): Promise<void> {
  const bucket = workloads.bucket.name;
  try {
    const block = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const settings = block.PublicAccessBlockConfiguration ?? {};
    into[`bucket ${bucket} block public access`] = Object.entries(settings).map(([key, on]) => `${key}=${String(on)}`).sort().join(', ');
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchPublicAccessBlockConfiguration') throw error;
    into[`bucket ${bucket} block public access`] = 'none';
  }
  const fn = workloads.lambdaFunction;
  const concurrency = await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn.name }));
  into[`function ${fn.name} reserved concurrency`] = concurrency.ReservedConcurrentExecutions === undefined ? 'unreserved' : String(concurrency.ReservedConcurrentExecutions);
  const rolePolicies = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: fn.roleName }));
  into[`role ${fn.roleName} inline policies`] = (rolePolicies.PolicyNames ?? []).join(', ') || 'none';
  const db = workloads.database.identifier;
  const { DBInstances = [] } = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db }));
  into[`database ${db} security groups`] = (DBInstances[0]?.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).sort().join(', ') || 'none';
  const { DBSnapshots = [] } = await clients.rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: db, SnapshotType: 'manual' }));
  into[`database ${db} snapshots`] = String(DBSnapshots.length);
}

export interface StateChange {
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

export function diffState(before: AccountState, after: AccountState): StateChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((key) => before[key] !== after[key])
    .map((key) => ({ what: key, before: before[key] ?? '(none)', after: after[key] ?? '(none)' }));
}
