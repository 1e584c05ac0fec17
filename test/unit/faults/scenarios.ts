import { BackupClient, DescribeRecoveryPointCommand, TagResourceCommand as TagBackupResourceCommand } from '@aws-sdk/client-backup';
import {
  CreateTagsCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSubnetGroupsCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { approvalSchema } from '../../../lambda/approval/schema';
import type { RuntimeConfig } from '../../../lambda/config/schema';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetServiceLastAccessedDetailsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, LambdaClient, ListProvisionedConcurrencyConfigsCommand, ListTagsCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseFindings } from '../../../lambda/finding/parse';
import type { Finding } from '../../../lambda/finding/schema';
import { loadFixture } from '../../support/fixtures';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import { containFinding, DNS_REBIND_TYPE } from '../../support/aws-mocks/contain-finding';
import { mockGuardDuty } from '../../support/aws-mocks/guardduty';
import { INSTANCE_ID, mockContainClients, type ContainWorld } from '../../support/aws-mocks/contain-world';
import { REVOKE_SCENARIOS } from '../../support/aws-mocks/revoke-scenarios';
import { BUCKET_FIXTURE, OBJECT_FIXTURE, s3Finding } from '../../support/aws-mocks/s3-findings';

/*
 * The accounts the matrix runs in. Each is chosen so that, without a
 * fault, the plan holds as many kinds of step as its playbook can plan and
 * every one of them is done; the matrix then breaks each call in turn.
 */

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';

/** The contain world's mocks, CloudTrail for the investigation of credentials, and GuardDuty, which confirms each finding. */
export function mockMatrixClients() {
  return { ...mockContainClients(), cloudTrail: mockClient(CloudTrailClient), guardDuty: mockGuardDuty(), s3: mockClient(S3Client), lambda: mockClient(LambdaClient), ecs: mockClient(ECSClient), rds: mockClient(RDSClient), backup: mockClient(BackupClient) };
}

export type MatrixMocks = ReturnType<typeof mockMatrixClients>;

export interface FaultScenario {
  readonly name: string;
  readonly playbook: PlaybookName;
  readonly finding: () => Finding;
  /** Makes every call of a fault-free run succeed; runs after the mocks were reset to answer from `world`. */
  readonly arrange: (mocks: MatrixMocks, world: ContainWorld) => void;
  /** What the scenario's configuration changes (contain-database: its restriction made at once, so the matrix breaks it too). */
  readonly config?: Partial<RuntimeConfig>;
}

/** contain-database's restriction without a person's approval (its default is approve): every step then runs in the matrix. */
const DATABASE_AUTO: Partial<RuntimeConfig> = { approval: approvalSchema.parse({ defaults: { 'restrict-database-network': 'auto' } }) };
/** contain-eks's node and contain-task's EC2 host: their containment (class contain-node) made at once, so the matrix breaks it too. */
const NODE_AUTO: Partial<RuntimeConfig> = { approval: approvalSchema.parse({ defaults: { 'contain-node': 'auto' } }) };

function databaseFinding(fixture: string, folder = 'contain-database', edit: (finding: Finding) => Finding = (f) => f): () => Finding {
  return () => {
    const finding = edit(parseFindings(loadFixture(`${folder}/${fixture}`))[0]!);
    // The contain world's account and region.
    return { ...finding, accountId: '222222222222', region: 'us-east-1' };
  };
}

function revokeScenario(name: string): (typeof REVOKE_SCENARIOS)[number] {
  const found = REVOKE_SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no revoke scenario "${name}"`);
  return found;
}

const publishes = (mocks: MatrixMocks) => mocks.sns.on(PublishCommand).resolves({ MessageId: 'msg-fault-matrix' });

/** The read-only investigation after revoking: the key was last used, IAM's report job is done at once, CloudTrail has one event. */
function investigationAnswers(mocks: MatrixMocks): void {
  const at = new Date('2026-11-22T07:30:00.000Z');
  mocks.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'deploy-bot', AccessKeyLastUsed: { LastUsedDate: at, ServiceName: 's3', Region: 'us-east-1' } });
  mocks.iam.on(GenerateServiceLastAccessedDetailsCommand).resolves({ JobId: 'job-fault-matrix' });
  mocks.iam.on(GetServiceLastAccessedDetailsCommand).resolves({
    JobStatus: 'COMPLETED',
    JobCreationDate: at,
    JobCompletionDate: at,
    ServicesLastAccessed: [{ ServiceName: 'Amazon S3', ServiceNamespace: 's3', LastAuthenticated: at, LastAuthenticatedRegion: 'us-east-1' }],
    IsTruncated: false,
  });
  mocks.cloudTrail.on(LookupEventsCommand).resolves({
    Events: [{ EventId: 'ev-1', EventName: 'ListBuckets', EventTime: at, CloudTrailEvent: JSON.stringify({ sourceIPAddress: '198.51.100.7' }) }],
  });
}

/** A public bucket with a block of its own (some settings off), a public policy and a public ACL grant. */
function publicBucket(mocks: MatrixMocks): void {
  mocks.s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } });
  mocks.s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
  mocks.s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'owner' }, Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }] });
  mocks.s3.on(PutPublicAccessBlockCommand).resolves({});
}

/** The scanned version, with one tag of its own, in a bucket whose policy holds the quarantine statement. */
function maliciousVersion(mocks: MatrixMocks): void {
  mocks.s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'uploaded-by', Value: 'portal' }] });
  mocks.s3.on(GetBucketPolicyCommand).resolves({
    Policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject*', Condition: { StringEquals: { 's3:ExistingObjectTag/ir:quarantine': 'quarantined' } } }] }),
  });
  mocks.s3.on(PutObjectTaggingCommand).resolves({});
}

/** A contain-task or contain-eks fixture, naming the contain world's instance where it names one. */
function fixtureFinding(relative: string, edit: (detail: Record<string, any>) => void = () => undefined): Finding { // eslint-disable-line @typescript-eslint/no-explicit-any -- a test edits a fixture's JSON
  const raw = structuredClone(loadFixture(relative)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
  edit((raw.detail ?? raw) as Record<string, unknown>);
  return parseFindings(raw)[0]!;
}

const ECS = {
  cluster: 'arn:aws:ecs:us-east-1:222222222222:cluster/checkout',
  task: 'arn:aws:ecs:us-east-1:222222222222:task/checkout/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  definition: 'arn:aws:ecs:us-east-1:222222222222:task-definition/checkout:3',
  containerInstance: 'arn:aws:ecs:us-east-1:222222222222:container-instance/checkout/0123456789abcdef0123456789abcdef',
};

/** ECS answers about the task: Fargate, or on the EC2 launch type on the contain world's instance. */
function ecsAnswers(mocks: MatrixMocks, launchType: 'FARGATE' | 'EC2'): void {
  mocks.ecs.reset();
  mocks.ecs.on(DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: ECS.task,
        clusterArn: ECS.cluster,
        launchType,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        taskDefinitionArn: ECS.definition,
        ...(launchType === 'EC2' ? { containerInstanceArn: ECS.containerInstance } : {}),
        containers: [{ name: 'web', image: 'nginx:1.27', imageDigest: `sha256:${'cd'.repeat(32)}` }],
      },
    ],
  });
  mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: ECS.definition }, tags: [] });
  mocks.ecs.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn: ECS.containerInstance, ec2InstanceId: INSTANCE_ID }] });
  mocks.ecs.on(StopTaskCommand).resolves({ task: { desiredStatus: 'STOPPED' } });
  mocks.ecs.on(TagResourceCommand).resolves({});
}

const userWithKey = revokeScenario('IAM user, long-term key');
const role = revokeScenario('role');

const RECOVERY_POINT = 'arn:aws:backup:us-east-1:222222222222:recovery-point:a1b2c3d4-5678-90ab-cdef-000000000001';

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    name: 'contain-instance: new VPC, credential theft, Auto Scaling, two target groups',
    playbook: 'contain-instance',
    // MetadataDNSRebind implies credential theft: the role's sessions are revoked and the profile removed.
    finding: () => containFinding({ type: DNS_REBIND_TYPE }),
    arrange: (mocks, world) => {
      // No responder group yet: both are created and configured, which plans every security-group step.
      world.responderGroups = [];
      world.autoScaling = [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web-asg', LifecycleState: 'InService', AvailabilityZone: 'us-east-1a', HealthStatus: 'HEALTHY', ProtectedFromScaleIn: false }];
      world.targetGroups = [
        { group: { TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/web/1', TargetGroupName: 'web', TargetType: 'instance' }, targets: [{ Id: INSTANCE_ID, Port: 80 }] },
        { group: { TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/api/2', TargetGroupName: 'api', TargetType: 'instance' }, targets: [{ Id: INSTANCE_ID, Port: 8443 }] },
      ];
      publishes(mocks);
    },
  },
  {
    name: 'revoke-credentials: IAM user with a long-term key',
    playbook: 'revoke-credentials',
    finding: userWithKey.finding,
    arrange: (mocks) => {
      userWithKey.arrange(mocks.iam);
      mocks.iam.on(UpdateAccessKeyCommand).resolves({});
      mocks.iam.on(PutUserPolicyCommand).resolves({});
      investigationAnswers(mocks);
      publishes(mocks);
    },
  },
  {
    name: 'revoke-credentials: role',
    playbook: 'revoke-credentials',
    finding: role.finding,
    arrange: (mocks) => {
      role.arrange(mocks.iam);
      mocks.iam.on(PutRolePolicyCommand).resolves({});
      investigationAnswers(mocks);
      publishes(mocks);
    },
  },
  {
    name: 'contain-function: a function with its execution role',
    playbook: 'contain-function',
    finding: () => parseFindings(loadFixture('contain-function/cnc-activity.event.json'))[0]!,
    arrange: (mocks) => {
      const arn = 'arn:aws:lambda:us-east-1:222222222222:function:orders-webhook';
      mocks.lambda.reset();
      mocks.lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: 'orders-webhook', FunctionArn: arn, CodeSha256: 'hash=', Role: 'arn:aws:iam::222222222222:role/orders-webhook-exec' });
      mocks.lambda.on(GetFunctionConcurrencyCommand).resolves({});
      mocks.lambda.on(ListProvisionedConcurrencyConfigsCommand).resolves({ ProvisionedConcurrencyConfigs: [] });
      mocks.lambda.on(ListTagsCommand).resolves({ Tags: {} });
      mocks.lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 0 });
      mocks.iam.on(PutRolePolicyCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'block-public-access: a public bucket',
    playbook: 'block-public-access',
    finding: () => s3Finding(BUCKET_FIXTURE),
    arrange: (mocks) => {
      publicBucket(mocks);
      publishes(mocks);
    },
  },
  {
    name: 'quarantine-object: a malicious object version',
    playbook: 'quarantine-object',
    finding: () => s3Finding(OBJECT_FIXTURE),
    arrange: (mocks) => {
      maliciousVersion(mocks);
      publishes(mocks);
    },
  },
  {
    name: 'contain-task: Fargate task',
    playbook: 'contain-task',
    finding: () => fixtureFinding('contain-task/fargate-bitcoin-dns.event.json'),
    arrange: (mocks) => {
      ecsAnswers(mocks, 'FARGATE');
      publishes(mocks);
    },
  },
  {
    name: 'contain-task: task on the EC2 launch type, its instance in a new VPC',
    playbook: 'contain-task',
    config: NODE_AUTO,
    finding: () => fixtureFinding('contain-task/fargate-bitcoin-dns.event.json'),
    arrange: (mocks, world) => {
      ecsAnswers(mocks, 'EC2');
      world.responderGroups = [];
      publishes(mocks);
    },
  },
  {
    name: 'contain-eks: node of a runtime finding, in a new VPC',
    playbook: 'contain-eks',
    config: NODE_AUTO,
    finding: () =>
      fixtureFinding('contain-eks/eks-runtime-node.event.json', (detail) => {
        (detail.resource as { instanceDetails: { instanceId: string } }).instanceDetails.instanceId = INSTANCE_ID;
      }),
    arrange: (mocks, world) => {
      world.responderGroups = [];
      // A node of the finding's cluster (prod), as a managed node group tags it: contain-eks contains only such an instance.
      if (world.instance) world.instance = { ...world.instance, Tags: [...(world.instance.Tags ?? []), { Key: 'eks:cluster-name', Value: 'prod' }] };
      publishes(mocks);
    },
  },
  {
    name: 'contain-eks: Kubernetes user that is a role session',
    playbook: 'contain-eks',
    finding: () =>
      fixtureFinding('contain-eks/eks-audit-exec-assumed-role.raw.json', (detail) => {
        (detail.resource as { kubernetesDetails: { kubernetesUserDetails: { username: string } } }).kubernetesDetails.kubernetesUserDetails.username =
          'arn:aws:sts::222222222222:assumed-role/etl-job/runner';
        // The authenticator's uid: the caller's unique id, the one the IAM mock gives the role (test/support/aws-mocks/revoke-iam.ts).
        (detail.resource as { kubernetesDetails: { kubernetesUserDetails: { uid: string } } }).kubernetesDetails.kubernetesUserDetails.uid = 'aws-iam-authenticator:222222222222:AROA2EXAMPLEROLE0001';
      }),
    arrange: (mocks) => {
      role.arrange(mocks.iam);
      mocks.iam.on(PutRolePolicyCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'contain-eks: Kubernetes user that is an IAM user',
    playbook: 'contain-eks',
    finding: () =>
      fixtureFinding('contain-eks/eks-audit-exec-assumed-role.raw.json', (detail) => {
        (detail.resource as { kubernetesDetails: { kubernetesUserDetails: { username: string } } }).kubernetesDetails.kubernetesUserDetails.username =
          'arn:aws:iam::222222222222:user/deploy-bot';
        (detail.resource as { kubernetesDetails: { kubernetesUserDetails: { uid: string } } }).kubernetesDetails.kubernetesUserDetails.uid = 'aws-iam-authenticator:222222222222:AIDA2EXAMPLEUSER0001';
      }),
    arrange: (mocks) => {
      userWithKey.arrange(mocks.iam);
      mocks.iam.on(PutUserPolicyCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'contain-database: DB instance, new isolation group',
    playbook: 'contain-database',
    finding: databaseFinding('malicious-ip-successful-login.event.json'),
    config: DATABASE_AUTO,
    arrange: (mocks, world) => {
      world.responderGroups = [];
      mocks.rds.reset();
      mocks.rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [{ DBInstanceIdentifier: 'orders-db', DBInstanceStatus: 'available', DBSubnetGroup: { VpcId: 'vpc-0db' }, VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0app' }], TagList: [] }],
      });
      mocks.rds.on(CreateDBSnapshotCommand).resolves({});
      mocks.rds.on(ModifyDBInstanceCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'contain-database: Limitless cluster, its VPC from its subnet group',
    playbook: 'contain-database',
    finding: databaseFinding('limitless-brute-force.raw.json'),
    config: DATABASE_AUTO,
    arrange: (mocks, world) => {
      world.responderGroups = [];
      mocks.rds.reset();
      mocks.rds.on(DescribeDBClustersCommand).resolves({
        DBClusters: [{ DBClusterIdentifier: 'ledger-cluster', Status: 'available', DBSubnetGroup: 'ledger-subnets', VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0app' }], TagList: [] }],
      });
      mocks.rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [{ DBSubnetGroupName: 'ledger-subnets', VpcId: 'vpc-0db' }] });
      mocks.rds.on(CreateDBClusterSnapshotCommand).resolves({});
      mocks.rds.on(ModifyDBClusterCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'quarantine-image: a public snapshot shared with another account',
    playbook: 'quarantine-image',
    finding: databaseFinding('infected-snapshot.event.json', 'quarantine-image'),
    arrange: (mocks) => {
      const SnapshotId = 'snap-0a1b2c3d4e5f60718';
      mocks.ec2.on(DescribeSnapshotsCommand, { SnapshotIds: [SnapshotId], OwnerIds: ['self'] }).resolves({ Snapshots: [{ SnapshotId }] });
      mocks.ec2.on(DescribeSnapshotAttributeCommand).resolves({ CreateVolumePermissions: [{ UserId: '333333333333' }, { Group: 'all' }] });
      mocks.ec2.on(CreateTagsCommand).resolves({});
      mocks.ec2.on(ModifySnapshotAttributeCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'quarantine-image: an AMI shared with another account',
    playbook: 'quarantine-image',
    finding: databaseFinding('infected-ami.raw.json', 'quarantine-image'),
    arrange: (mocks) => {
      const ImageId = 'ami-0a1b2c3d4e5f60718';
      mocks.ec2.on(DescribeImagesCommand, { ImageIds: [ImageId], Owners: ['self'] }).resolves({ Images: [{ ImageId }] });
      mocks.ec2.on(DescribeImageAttributeCommand).resolves({ LaunchPermissions: [{ UserId: '333333333333' }] });
      mocks.ec2.on(CreateTagsCommand).resolves({});
      mocks.ec2.on(ModifyImageAttributeCommand).resolves({});
      publishes(mocks);
    },
  },
  {
    name: 'quarantine-image: a recovery point AWS Backup holds',
    playbook: 'quarantine-image',
    finding: databaseFinding('infected-ami.raw.json', 'quarantine-image', (f) =>
      parseFindings({ ...f, type: 'Execution:EC2/MaliciousFile!RecoveryPoint', resource: { resourceType: 'RecoveryPoint', recoveryPointDetails: { recoveryPointArn: RECOVERY_POINT, backupVaultName: 'prod-daily' } } })[0]!,
    ),
    arrange: (mocks) => {
      mocks.backup.reset();
      mocks.backup.on(DescribeRecoveryPointCommand).resolves({ RecoveryPointArn: RECOVERY_POINT, BackupVaultName: 'prod-daily' });
      mocks.backup.on(TagBackupResourceCommand).resolves({});
      publishes(mocks);
    },
  },
];
