import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { required } from './util';

/* The identities GuardDuty findings name: an instance role, a CI user with two keys, a workload role, a service-linked role. */

export interface SeededRole {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
}

export interface SeededUser {
  readonly userName: string;
  readonly userId: string;
  /** Both Active. Findings name the first; the second must survive a revocation. */
  readonly accessKeyIds: readonly [string, string];
}

export interface SeededIdentities {
  readonly instanceRole: SeededRole;
  readonly instanceProfile: { readonly name: string; readonly arn: string; readonly id: string };
  readonly user: SeededUser;
  /** A workload role whose sessions an AssumedRole finding names. */
  readonly workloadRole: SeededRole;
  /** Under /aws-service-role/: the responder must refuse to touch it. */
  readonly serviceLinkedRole: SeededRole;
}

function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

async function createRole(iam: IAMClient, roleName: string, service: string): Promise<SeededRole> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustPolicy(service) }));
  return {
    roleName,
    roleId: required(Role?.RoleId, `role id of ${roleName}`),
    arn: required(Role?.Arn, `ARN of ${roleName}`),
    path: Role?.Path ?? '/',
  };
}

async function createUserWithTwoKeys(iam: IAMClient, userName: string): Promise<SeededUser> {
  const { User } = await iam.send(new CreateUserCommand({ UserName: userName }));
  const first = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const second = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return {
    userName,
    userId: required(User?.UserId, `user id of ${userName}`),
    accessKeyIds: [required(first.AccessKey?.AccessKeyId, 'first access key id'), required(second.AccessKey?.AccessKeyId, 'second access key id')],
  };
}

async function createServiceLinkedRole(iam: IAMClient, service: string): Promise<SeededRole> {
  const { Role } = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: service }));
  const roleName = required(Role?.RoleName, `name of the service-linked role for ${service}`);
  return { roleName, roleId: required(Role?.RoleId, `role id of ${roleName}`), arn: required(Role?.Arn, `ARN of ${roleName}`), path: required(Role?.Path, `path of ${roleName}`) };
}

export async function seedIdentities(iam: IAMClient): Promise<SeededIdentities> {
  const instanceRole = await createRole(iam, 'web-tier-role', 'ec2.amazonaws.com');
  const { InstanceProfile } = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web-tier' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-tier', RoleName: instanceRole.roleName }));
  return {
    instanceRole,
    instanceProfile: {
      name: 'web-tier',
      arn: required(InstanceProfile?.Arn, 'instance profile ARN'),
      id: required(InstanceProfile?.InstanceProfileId, 'instance profile id'),
    },
    user: await createUserWithTwoKeys(iam, 'deploy-bot'),
    workloadRole: await createRole(iam, 'etl-job', 'glue.amazonaws.com'),
    serviceLinkedRole: await createServiceLinkedRole(iam, 'autoscaling.amazonaws.com'),
  };
}
