import { BackupClient, DescribeRecoveryPointCommand, TagResourceCommand } from '@aws-sdk/client-backup';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
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
  GenerateServiceLastAccessedDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetServiceLastAccessedDetailsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
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
import { PublishCommand } from '@aws-sdk/client-sns';
import { approvalSchema } from '../../../lambda/approval/schema';
import type { RuntimeConfig } from '../../../lambda/config/schema';
import { parseFindings } from '../../../lambda/finding/parse';
import { loadFixture } from '../../support/fixtures';
import { mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../../lambda/finding/schema';
import type { PlaybookName } from '../../../lambda/routing/playbook-names';
import { containFinding, DNS_REBIND_TYPE } from '../../support/aws-mocks/contain-finding';
import { mockGuardDuty } from '../../support/aws-mocks/guardduty';
import { INSTANCE_ID, mockContainClients, type ContainWorld } from '../../support/aws-mocks/contain-world';
import { REVOKE_SCENARIOS } from '../../support/aws-mocks/revoke-scenarios';

/*
 * The accounts the matrix runs in. Each is chosen so that, without a
 * fault, the plan holds as many kinds of step as its playbook can plan and
 * every one of them is done; the matrix then breaks each call in turn.
 */

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:guardduty-ir';

/** The contain world's mocks, CloudTrail for the investigation of credentials, and GuardDuty, which confirms each finding. */
export function mockMatrixClients() {
  return { ...mockContainClients(), cloudTrail: mockClient(CloudTrailClient), guardDuty: mockGuardDuty(), rds: mockClient(RDSClient), backup: mockClient(BackupClient) };
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

const userWithKey = revokeScenario('IAM user, long-term key');
const role = revokeScenario('role');

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
      mocks.backup.on(TagResourceCommand).resolves({});
      publishes(mocks);
    },
  },
];

const RECOVERY_POINT = 'arn:aws:backup:us-east-1:222222222222:recovery-point:a1b2c3d4-5678-90ab-cdef-000000000001';
