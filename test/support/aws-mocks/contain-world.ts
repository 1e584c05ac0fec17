import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  type AutoScalingInstanceDetails,
} from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  type IamInstanceProfileAssociation,
  type Instance,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand, IAMClient, ListAccountAliasesCommand, PutRolePolicyCommand, type Role } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SECURITY_GROUP_DESCRIPTIONS } from '../../../lambda/playbooks/contain-instance/names';
import { roleIdOf } from './iam-unique-ids';

/*
 * A small fake AWS account for the contain-instance tests: one instance and
 * everything around it, answered through aws-sdk-client-mock on the real
 * SDK clients. Tests change the world (or make a call fail) and assert on
 * the calls the mocks received.
 */

export const INSTANCE_ID = 'i-0a1b2c3d4e5f60718';
export const ACCOUNT_ID = '222222222222';
export const VPC_A = 'vpc-0aaaa000000000001';
export const VPC_B = 'vpc-0bbbb000000000002';
export const PRIMARY_ENI = 'eni-0primary00000001';
export const SECONDARY_ENI = 'eni-0secondary000002';
export const PROFILE_ARN = `arn:aws:iam::${ACCOUNT_ID}:instance-profile/web-tier`;
export const ROLE_NAME = 'web-tier-role';
/** Another instance profile in the account, held by an instance unrelated to the incident. */
export const OTHER_PROFILE_ARN = `arn:aws:iam::${ACCOUNT_ID}:instance-profile/batch-tier`;
export const UNRELATED_INSTANCE_ID = 'i-0fedcba9876543210';
export const ASSOCIATION_ID = 'iip-assoc-0123456789abcdef0';
export const UNTRACK_SG_A = 'sg-0untrack0000000a1';
export const ISOLATION_SG_A = 'sg-0isolate0000000a1';
export const CREATED_UNTRACK_SG = 'sg-0newuntrack000001';
export const CREATED_ISOLATION_SG = 'sg-0newisolate000001';

type Failure = Error | ((input: Record<string, unknown>) => Error | undefined);

export interface FakeTargetGroup {
  readonly group: TargetGroup;
  readonly targets: readonly { readonly Id: string; readonly Port: number }[];
}

export interface ContainWorld {
  /** null: DescribeInstances answers with no reservation. */
  instance: Instance | null;
  responderGroups: SecurityGroup[];
  autoScaling: AutoScalingInstanceDetails[];
  targetGroups: FakeTargetGroup[];
  snapshotIds: string[];
  /** What ListAccountAliases answers (the notification names the account by it: lambda/notify/account-alias.ts). */
  accountAliases: string[];
  associationId: string | null;
  role: Role | null;
  /** Other instances associated with PROFILE_ARN. */
  profileSharers: string[];
  /** Calls to fail, by command name without `Command`. */
  failures: Map<string, Failure>;
  /** Every call waits this long before answering (round-trip counting). */
  delayMs: number;
  /** Further delay of some commands (by name without `Command`), e.g. a slow read. */
  extraDelayMs: Map<string, number>;
  /** Each call as it started, in order. */
  log: { command: string; input: Record<string, unknown>; at: number }[];
  /** The groups each ENI was last moved to (answered moves only): what a read-back of its groups finds. */
  movedTo: Map<string, string[]>;
}

export function awsError(code: string, message = `${code} (test)`, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode } });
}

/** A group exactly as the responder creates it (untrack: allow-all both ways; isolation: no rule), under the name of an earlier version unless one is given. */
export function responderGroup(groupId: string, vpcId: string, purpose: 'untrack' | 'isolation', groupName = `guardduty-ir-${purpose}`): SecurityGroup {
  const all = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];
  return {
    GroupId: groupId,
    GroupName: groupName,
    Description: SECURITY_GROUP_DESCRIPTIONS[purpose],
    VpcId: vpcId,
    IpPermissions: purpose === 'untrack' ? all : [],
    IpPermissionsEgress: purpose === 'untrack' ? all : [],
    Tags: [
      { Key: 'Name', Value: groupName },
      { Key: 'ir:managed-by', Value: 'guardduty-ir' },
      { Key: 'ir:purpose', Value: purpose },
    ],
  };
}

export function defaultInstance(): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    VpcId: VPC_A,
    NetworkInterfaces: [
      // Listed out of device order on purpose: the plan sorts them.
      { NetworkInterfaceId: SECONDARY_ENI, VpcId: VPC_A, Attachment: { DeviceIndex: 1 }, Groups: [{ GroupId: 'sg-0db0000000000001' }] },
      {
        NetworkInterfaceId: PRIMARY_ENI,
        VpcId: VPC_A,
        Attachment: { DeviceIndex: 0 },
        Groups: [{ GroupId: 'sg-0web000000000001' }, { GroupId: 'sg-0ssh000000000001' }],
      },
    ],
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0root00000000001', DeleteOnTermination: true } },
      { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-0data00000000001', DeleteOnTermination: false } },
    ],
    IamInstanceProfile: { Arn: PROFILE_ARN, Id: 'AIPA0EXAMPLE0PROFILE1' },
    Tags: [
      { Key: 'Name', Value: 'web-01' },
      { Key: 'env', Value: 'prod' },
    ],
  };
}

export function defaultWorld(): ContainWorld {
  return {
    instance: defaultInstance(),
    responderGroups: [responderGroup(UNTRACK_SG_A, VPC_A, 'untrack'), responderGroup(ISOLATION_SG_A, VPC_A, 'isolation')],
    autoScaling: [],
    accountAliases: [],
    targetGroups: [],
    snapshotIds: [],
    associationId: ASSOCIATION_ID,
    role: { RoleName: ROLE_NAME, Path: '/', Arn: `arn:aws:iam::${ACCOUNT_ID}:role/${ROLE_NAME}`, RoleId: roleIdOf(ROLE_NAME), CreateDate: new Date(0) },
    profileSharers: [],
    failures: new Map(),
    delayMs: 0,
    extraDelayMs: new Map(),
    log: [],
    movedTo: new Map(),
  };
}

/** Every profile association in the region, as AWS lists them: the instance's own, its sharers', and one of another profile. */
function associationsOf(w: ContainWorld): IamInstanceProfileAssociation[] {
  const profile = { Arn: PROFILE_ARN, Id: 'AIPA0EXAMPLE0PROFILE1' };
  const associated = (InstanceId: string, IamInstanceProfile: typeof profile, AssociationId: string): IamInstanceProfileAssociation => ({
    AssociationId,
    InstanceId,
    IamInstanceProfile,
    State: 'associated',
  });
  return [
    ...(w.associationId ? [associated(INSTANCE_ID, profile, w.associationId)] : []),
    ...w.profileSharers.map((id, i) => associated(id, profile, `iip-assoc-0sharer${i}`)),
    associated(UNRELATED_INSTANCE_ID, { Arn: OTHER_PROFILE_ARN, Id: 'AIPA0EXAMPLE0PROFILE2' }, 'iip-assoc-0unrelated'),
  ];
}

/** The `instance-id` and `state` filters, applied as AWS applies them. */
function filtered(associations: IamInstanceProfileAssociation[], input: Record<string, unknown>): IamInstanceProfileAssociation[] {
  const filters = (input.Filters ?? []) as { Name: string; Values: string[] }[];
  const valueOf = (a: IamInstanceProfileAssociation, name: string): string | undefined => (name === 'instance-id' ? a.InstanceId : name === 'state' ? a.State : undefined);
  return associations.filter((a) => filters.every((f) => f.Values.includes(valueOf(a, f.Name) ?? '')));
}

export type ContainMocks = ReturnType<typeof mockContainClients>;

export interface ReceivedCall {
  /** IAM service prefix of the client that received it. */
  readonly service: 'ec2' | 'iam' | 'autoscaling' | 'elasticloadbalancing' | 'sns';
  /** Command name without `Command`, i.e. the IAM action name. */
  readonly action: string;
  readonly input: Record<string, unknown>;
}

/** Every call the mocks received, with its IAM action. */
export function receivedCalls(mocks: ContainMocks): ReceivedCall[] {
  const of = (service: ReceivedCall['service'], stub: { calls(): { args: readonly unknown[] }[] }): ReceivedCall[] =>
    stub.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: unknown };
      return { service, action: command.constructor.name.replace(/Command$/, ''), input: command.input as Record<string, unknown> };
    });
  return [
    ...of('ec2', mocks.ec2),
    ...of('iam', mocks.iam),
    ...of('autoscaling', mocks.autoScaling),
    ...of('elasticloadbalancing', mocks.elbv2),
    ...of('sns', mocks.sns),
  ];
}

/** Read-only calls by name: everything a dry-run may send. */
export function isReadOnlyAction(action: string): boolean {
  return /^(Describe|Get|List)/.test(action);
}

function purposeOfName(groupName: unknown): 'untrack' | 'isolation' {
  return String(groupName).startsWith('guardduty-ir-isolation') ? 'isolation' : 'untrack';
}

export function mockContainClients() {
  return {
    ec2: mockClient(EC2Client),
    iam: mockClient(IAMClient),
    autoScaling: mockClient(AutoScalingClient),
    elbv2: mockClient(ElasticLoadBalancingV2Client),
    sns: mockClient(SNSClient),
  };
}

/** Clears what a test changed on the mocks (behaviours and history), then answers from the world again. */
export function answerFromWorld(mocks: ContainMocks, world: () => ContainWorld): void {
  for (const stub of Object.values(mocks)) stub.reset();
  const answer =
    <T>(name: string, respond: (input: Record<string, unknown>) => T) =>
    async (input: Record<string, unknown>): Promise<T> => {
      const w = world();
      w.log.push({ command: name, input, at: Date.now() });
      const delay = w.delayMs + (w.extraDelayMs.get(name) ?? 0);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const failure = w.failures.get(name);
      const error = typeof failure === 'function' ? failure(input) : failure;
      if (error) throw error;
      return respond(input);
    };

  mocks.ec2.on(DescribeInstancesCommand).callsFake(
    answer('DescribeInstances', () => {
      const w = world();
      return { Reservations: w.instance ? [{ Instances: [w.instance] }] : [] };
    }),
  );
  // The read-back of an ENI's groups: the groups it was last moved to, else those the instance shows.
  mocks.ec2.on(DescribeNetworkInterfacesCommand).callsFake(
    answer('DescribeNetworkInterfaces', (input) => {
      const w = world();
      const ids = (input.NetworkInterfaceIds ?? []) as string[];
      const enis = (w.instance?.NetworkInterfaces ?? []).filter((eni) => ids.includes(eni.NetworkInterfaceId ?? ''));
      if (enis.length < ids.length) throw awsError('InvalidNetworkInterfaceID.NotFound');
      return {
        NetworkInterfaces: enis.map((eni) => {
          const moved = w.movedTo.get(eni.NetworkInterfaceId ?? '');
          return { NetworkInterfaceId: eni.NetworkInterfaceId, Groups: moved ? moved.map((GroupId) => ({ GroupId })) : eni.Groups };
        }),
      };
    }),
  );
  mocks.ec2.on(DescribeSecurityGroupsCommand).callsFake(
    answer('DescribeSecurityGroups', () => ({ SecurityGroups: world().responderGroups })),
  );
  mocks.ec2.on(DescribeSnapshotsCommand).callsFake(answer('DescribeSnapshots', () => ({ Snapshots: world().snapshotIds.map((SnapshotId) => ({ SnapshotId })) })));
  mocks.ec2.on(DescribeIamInstanceProfileAssociationsCommand).callsFake(
    answer('DescribeIamInstanceProfileAssociations', (input) => ({ IamInstanceProfileAssociations: filtered(associationsOf(world()), input) })),
  );
  mocks.ec2
    .on(CreateSecurityGroupCommand)
    .callsFake(answer('CreateSecurityGroup', (input) => ({ GroupId: purposeOfName(input.GroupName) === 'untrack' ? CREATED_UNTRACK_SG : CREATED_ISOLATION_SG })));
  const empty = () => ({});
  mocks.ec2.on(AuthorizeSecurityGroupIngressCommand).callsFake(answer('AuthorizeSecurityGroupIngress', empty));
  mocks.ec2.on(AuthorizeSecurityGroupEgressCommand).callsFake(answer('AuthorizeSecurityGroupEgress', empty));
  mocks.ec2.on(RevokeSecurityGroupEgressCommand).callsFake(answer('RevokeSecurityGroupEgress', empty));
  mocks.ec2.on(ModifyNetworkInterfaceAttributeCommand).callsFake(
    answer('ModifyNetworkInterfaceAttribute', (input) => {
      if (typeof input.NetworkInterfaceId === 'string' && Array.isArray(input.Groups)) world().movedTo.set(input.NetworkInterfaceId, input.Groups as string[]);
      return {};
    }),
  );
  mocks.ec2.on(DescribeInstanceAttributeCommand).callsFake(
    answer('DescribeInstanceAttribute', () => ({ InstanceId: INSTANCE_ID, DisableApiTermination: { Value: false } })),
  );
  mocks.ec2.on(CreateTagsCommand).callsFake(answer('CreateTags', empty));
  // As EC2: an instance-level move of the security groups is refused for an instance with several network interfaces.
  mocks.ec2.on(ModifyInstanceAttributeCommand).callsFake(
    answer('ModifyInstanceAttribute', (input) => {
      const enis = world().instance?.NetworkInterfaces ?? [];
      if (Array.isArray(input.Groups) && enis.length > 1) {
        throw awsError('InvalidInstanceID', `There are multiple interfaces attached to instance '${String(input.InstanceId)}'. Please specify an interface ID for the operation instead.`);
      }
      if (Array.isArray(input.Groups) && enis[0]?.NetworkInterfaceId) world().movedTo.set(enis[0].NetworkInterfaceId, input.Groups as string[]);
      return {};
    }),
  );
  mocks.ec2.on(DisassociateIamInstanceProfileCommand).callsFake(answer('DisassociateIamInstanceProfile', empty));
  mocks.ec2
    .on(CreateSnapshotsCommand)
    .callsFake(answer('CreateSnapshots', () => ({ Snapshots: [{ SnapshotId: 'snap-0root0000000001' }, { SnapshotId: 'snap-0data0000000001' }] })));

  mocks.iam.on(ListAccountAliasesCommand).callsFake(answer('ListAccountAliases', () => ({ AccountAliases: world().accountAliases })));
  mocks.iam.on(GetInstanceProfileCommand).callsFake(
    answer('GetInstanceProfile', (input) => {
      const role = world().role;
      return { InstanceProfile: { InstanceProfileName: input.InstanceProfileName, Roles: role ? [role] : [] } };
    }),
  );
  mocks.iam.on(PutRolePolicyCommand).callsFake(answer('PutRolePolicy', () => ({})));

  mocks.autoScaling.on(DescribeAutoScalingInstancesCommand).callsFake(answer('DescribeAutoScalingInstances', () => ({ AutoScalingInstances: world().autoScaling })));
  mocks.autoScaling.on(DetachInstancesCommand).callsFake(answer('DetachInstances', () => ({ Activities: [{ ActivityId: 'act-1' }] })));

  mocks.elbv2.on(DescribeTargetGroupsCommand).callsFake(answer('DescribeTargetGroups', () => ({ TargetGroups: world().targetGroups.map((t) => t.group) })));
  mocks.elbv2.on(DescribeTargetHealthCommand).callsFake(
    answer('DescribeTargetHealth', (input) => {
      const found = world().targetGroups.find((t) => t.group.TargetGroupArn === input.TargetGroupArn);
      return { TargetHealthDescriptions: (found?.targets ?? []).map((Target) => ({ Target, TargetHealth: { State: 'healthy' } })) };
    }),
  );
  mocks.elbv2.on(DeregisterTargetsCommand).callsFake(answer('DeregisterTargets', () => ({})));
}
