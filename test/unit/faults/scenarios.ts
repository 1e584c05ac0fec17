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
  return { ...mockContainClients(), cloudTrail: mockClient(CloudTrailClient), guardDuty: mockGuardDuty(), rds: mockClient(RDSClient) };
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

function databaseFinding(fixture: string): () => Finding {
  return () => {
    const finding = parseFindings(loadFixture(`contain-database/${fixture}`))[0]!;
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
];
