import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeDBSubnetGroupsCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../../lambda/aws/every-client';
import { DEFAULT_RUNTIME_CONFIG } from '../../../../lambda/config/schema';
import { parseFindings } from '../../../../lambda/finding/parse';
import type { Finding } from '../../../../lambda/finding/schema';
import { executePlan } from '../../../../lambda/plan/executor';
import { ReadLog } from '../../../../lambda/plan/reads';
import type { ExecutionContext, PlannedStep } from '../../../../lambda/plan/types';
import { discoverContainDatabaseFacts } from '../../../../lambda/playbooks/contain-database/discover';
import type { ContainDatabaseFacts } from '../../../../lambda/playbooks/contain-database/facts';
import { databaseSnapshotIdentifier } from '../../../../lambda/playbooks/contain-database/names';
import { offlineContainDatabaseFacts } from '../../../../lambda/playbooks/contain-database/offline-facts';
import { planContainDatabase } from '../../../../lambda/playbooks/contain-database/plan';
import { databaseTargetOf, isDbIdentifier } from '../../../../lambda/finding/database-target';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG, SECURITY_GROUP_DESCRIPTIONS } from '../../../../lambda/playbooks/contain-instance/names';
import { loadFixture } from '../../../support/fixtures';
import { withApprovals } from '../../../../lambda/approval/annotate';
import { approvalSchema } from '../../../../lambda/approval/schema';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);
const INCIDENT = 'ir-0123456789abcdef';

function fixture(name: string): Finding {
  return parseFindings(loadFixture(`contain-database/${name}`))[0]!;
}
const INSTANCE_FINDING = () => fixture('malicious-ip-successful-login.event.json');
const LIMITLESS_FINDING = () => fixture('limitless-brute-force.raw.json');
const AURORA_FINDING = () => fixture('aurora-tor-login.get-findings.json');

function rdsError(name: string): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: 404 } });
}

const ISOLATION_GROUP = {
  GroupId: 'sg-0150150150150150a',
  GroupName: 'guardduty-ir-isolation-0a0b0c0d',
  Description: SECURITY_GROUP_DESCRIPTIONS.isolation,
  VpcId: 'vpc-0aaa',
  Tags: [
    { Key: 'Name', Value: 'guardduty-ir-isolation-0a0b0c0d' },
    { Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE },
    { Key: PURPOSE_TAG, Value: 'isolation' },
  ],
  IpPermissions: [],
  IpPermissionsEgress: [],
};

beforeEach(() => {
  rds.reset();
  ec2.reset();
  rds.rejects(rdsError('UnexpectedCall'));
  ec2.rejects(rdsError('UnexpectedCall'));
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
});

function givenInstance(overrides: Record<string, unknown> = {}) {
  // Asked by identifier (discovery) and by filter (the restriction's read of the pending modifications right before its call).
  for (const request of [{ DBInstanceIdentifier: 'orders-db' }, { Filters: [{ Name: 'db-instance-id', Values: ['orders-db'] }] }]) givenInstanceAnswer(request, overrides);
}

function givenInstanceAnswer(request: Record<string, unknown>, overrides: Record<string, unknown>) {
  rds.on(DescribeDBInstancesCommand, request).resolves({
    DBInstances: [
      {
        DBInstanceIdentifier: 'orders-db',
        DBInstanceArn: 'arn:aws:rds:us-east-1:222222222222:db:orders-db',
        DBInstanceStatus: 'available',
        Engine: 'postgres',
        DBSubnetGroup: { DBSubnetGroupName: 'orders-subnets', VpcId: 'vpc-0aaa' },
        VpcSecurityGroups: [
          { VpcSecurityGroupId: 'sg-0app0000000000002', Status: 'active' },
          { VpcSecurityGroupId: 'sg-0app0000000000001', Status: 'active' },
        ],
        TagList: [{ Key: 'team', Value: 'payments' }],
        ...overrides,
      },
    ],
  });
}

function givenCluster(identifier: string) {
  for (const request of [{ DBClusterIdentifier: identifier }, { Filters: [{ Name: 'db-cluster-id', Values: [identifier] }] }]) givenClusterAnswer(identifier, request);
  rds.on(DescribeDBSubnetGroupsCommand, { DBSubnetGroupName: 'ledger-subnets' }).resolves({ DBSubnetGroups: [{ DBSubnetGroupName: 'ledger-subnets', VpcId: 'vpc-0bbb' }] });
}

function givenClusterAnswer(identifier: string, request: Record<string, unknown>) {
  rds.on(DescribeDBClustersCommand, request).resolves({
    DBClusters: [
      {
        DBClusterIdentifier: identifier,
        DBClusterArn: `arn:aws:rds:us-east-1:222222222222:cluster:${identifier}`,
        Status: 'available',
        Engine: 'aurora-postgresql',
        DBSubnetGroup: 'ledger-subnets',
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db00000000000001', Status: 'active' }],
        TagList: [{ Key: 'ir:exempt', Value: 'forensics' }],
      },
    ],
  });
}

function planOf(finding: Finding, facts: ContainDatabaseFacts) {
  return planContainDatabase({ finding, facts, config: DEFAULT_RUNTIME_CONFIG, incidentId: INCIDENT, now: new Date('2026-11-21T11:00:00Z'), responder: { protectedRoleNames: [] } });
}

function context(): ExecutionContext {
  return { clients, outputs: new Map(), outcomes: [], now: () => new Date('2026-11-21T11:00:00Z') };
}

async function run(steps: readonly PlannedStep[]) {
  return executePlan(steps, context(), { blockedBy: [] });
}

describe('the database a finding names', () => {
  it('is an RDS identifier or nothing: a finding cannot smuggle another value into a Describe call', () => {
    expect(isDbIdentifier('orders-db')).toBe(true);
    for (const bad of ['1orders', 'orders--db', 'orders-', 'orders db', 'a'.repeat(64), '*', 'arn:aws:rds:us-east-1:1:db:x']) expect(isDbIdentifier(bad)).toBe(false);
    const finding = INSTANCE_FINDING();
    const forged = parseFindings({ ...finding, resource: { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: 'orders--db' } } })[0]!;
    expect(databaseTargetOf(forged)).toEqual({ kind: 'none', why: expect.stringContaining('no well-formed DB instance') });
  });

  it('is the instance of an RDSDBInstance finding and the cluster of an RDSLimitlessDB one', () => {
    expect(databaseTargetOf(INSTANCE_FINDING())).toEqual({ kind: 'instance', dbInstanceIdentifier: 'orders-db' });
    expect(databaseTargetOf(LIMITLESS_FINDING())).toEqual({ kind: 'cluster', dbClusterIdentifier: 'ledger-cluster', shardGroup: 'ledger-shards' });
  });
});

describe('discoverContainDatabaseFacts', () => {
  it('reads the instance the finding names and the responder’s groups, with exactly these requests', async () => {
    givenInstance();
    const reads = new ReadLog();
    const facts = await discoverContainDatabaseFacts(INSTANCE_FINDING(), clients, reads);
    expect(rds.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([{ DBInstanceIdentifier: 'orders-db' }]);
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(0);
    expect(facts.lookup).toEqual({ status: 'found' });
    expect(facts.database).toMatchObject({
      kind: 'instance',
      identifier: 'orders-db',
      vpcId: { known: true, value: 'vpc-0aaa' },
      securityGroupIds: { known: true, value: ['sg-0app0000000000001', 'sg-0app0000000000002'] },
      tags: { team: 'payments' },
    });
    expect(facts.logins).toEqual({ users: ['app_rw'], remoteAddress: '198.51.100.23', database: 'orders' });
    expect(reads.outcomes.map((o) => [o.action, o.status])).toEqual(expect.arrayContaining([['rds:DescribeDBInstances', 'done'], ['ec2:DescribeSecurityGroups', 'done']]));
  });

  it('answers an Aurora instance at its cluster, as RDS (not the finding) says, and finds the cluster’s VPC through its subnet group', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'billing-aurora-1' }).resolves({ DBInstances: [{ DBInstanceIdentifier: 'billing-aurora-1', DBClusterIdentifier: 'billing-aurora' }] });
    givenCluster('billing-aurora');
    const facts = await discoverContainDatabaseFacts(AURORA_FINDING(), clients, new ReadLog());
    expect(facts.database).toMatchObject({ kind: 'cluster', identifier: 'billing-aurora', viaInstance: 'billing-aurora-1', vpcId: { known: true, value: 'vpc-0bbb' } });
    expect(rds.commandCalls(DescribeDBSubnetGroupsCommand).map((c) => c.args[0].input)).toEqual([{ DBSubnetGroupName: 'ledger-subnets' }]);
  });

  it('refuses to act on a database the finding’s account does not have', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(rdsError('DBInstanceNotFound'));
    const finding = INSTANCE_FINDING();
    const facts = await discoverContainDatabaseFacts(finding, clients, new ReadLog());
    const plan = planOf(finding, facts);
    expect(plan.steps).toEqual([]);
    expect(plan.verdicts).toEqual([{ id: 'database-not-found', blocks: true, reason: expect.stringContaining('DBInstanceNotFound') }]);
  });

  it('changes nothing when the database cannot be read (AccessDenied is not "not found")', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(rdsError('AccessDenied'), { $metadata: { httpStatusCode: 403 } }));
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    expect(plan.steps).toEqual([]);
    expect(plan.verdicts[0]).toMatchObject({ id: 'database-unreadable', blocks: true });
  });
});

describe('planContainDatabase', () => {
  it('snapshots at once, records the groups, then creates the isolation group and restricts the instance under restrict-database-network', async () => {
    givenInstance();
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    expect(plan.steps.map((s) => [s.id, s.action, s.stage, s.changeClass ?? null, s.mutating])).toEqual([
      ['snapshot-database', 'rds:CreateDBSnapshot', 0, null, true],
      ['record-restore:database', 'dynamodb:UpdateItem', 0, null, true],
      ['create-isolation-sg:vpc-0aaa', 'ec2:CreateSecurityGroup', 1, 'restrict-database-network', true],
      ['isolation-sg-egress:vpc-0aaa', 'ec2:RevokeSecurityGroupEgress', 2, 'restrict-database-network', true],
      ['restrict-database-network', 'rds:ModifyDBInstance', 3, 'restrict-database-network', true],
    ]);
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    expect(byId.get('snapshot-database')!.parameters).toEqual({
      DBSnapshotIdentifier: 'ir-0123456789abcdef-orders-db',
      DBInstanceIdentifier: 'orders-db',
      Tags: [
        { Key: 'ir:finding-id', Value: finding.id },
        { Key: 'ir:finding-type', Value: 'CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin' },
        { Key: 'ir:incident-id', Value: INCIDENT },
        { Key: 'ir:source-database', Value: 'orders-db' },
      ],
    });
    expect(byId.get('snapshot-database')!.requires).toEqual([]);
    expect(byId.get('record-restore:database')!.parameters).toEqual({
      Key: 'restore#222222222222#us-east-1#rds-instance#orders-db',
      record: { databaseSecurityGroups: ['sg-0app0000000000001', 'sg-0app0000000000002'] },
    });
    expect(byId.get('restrict-database-network')!.parameters).toEqual({
      DBInstanceIdentifier: 'orders-db',
      VpcSecurityGroupIds: ['<output of create-isolation-sg:vpc-0aaa>'],
      ApplyImmediately: true,
    });
    expect([...byId.get('restrict-database-network')!.requires].sort()).toEqual(['create-isolation-sg:vpc-0aaa', 'isolation-sg-egress:vpc-0aaa', 'record-restore:database']);
    expect(byId.get('create-isolation-sg:vpc-0aaa')!.requires).toEqual(['record-restore:database']);
    expect(plan.resourceTags).toEqual({ team: 'payments' });
  });

  it('reuses a verified isolation group of the VPC and never records it as the database’s own', async () => {
    givenInstance({ VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0app0000000000001' }, { VpcSecurityGroupId: ISOLATION_GROUP.GroupId }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [ISOLATION_GROUP] });
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    expect(plan.steps.map((s) => s.id)).toEqual(['snapshot-database', 'record-restore:database', 'restrict-database-network']);
    expect(plan.steps[1]!.parameters).toMatchObject({ record: { databaseSecurityGroups: ['sg-0app0000000000001'] } });
    expect(plan.steps[2]!.parameters).toMatchObject({ VpcSecurityGroupIds: [ISOLATION_GROUP.GroupId] });
  });

  it('skips the restriction of a database already on the isolation group alone, and records nothing over the first record', async () => {
    givenInstance({ VpcSecurityGroups: [{ VpcSecurityGroupId: ISOLATION_GROUP.GroupId }] });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [ISOLATION_GROUP] });
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    expect(plan.steps.map((s) => s.id)).toEqual(['snapshot-database', 'restrict-database-network']);
    const outcomes = await run(plan.steps.filter((s) => s.id === 'restrict-database-network'));
    expect(outcomes[0]).toMatchObject({ status: 'skipped', reason: `already on the isolation group ${ISOLATION_GROUP.GroupId} alone` });
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  it('names the database user and remote address escaped, and says the password must be rotated by hand', () => {
    const finding = INSTANCE_FINDING();
    const hostile = parseFindings({
      ...finding,
      resource: { ...finding.resource, rdsDbUserDetails: { user: 'app\nDONE: all clear\u202e' } },
      service: { ...finding.service, action: { actionType: 'RDS_LOGIN_ATTEMPT', rdsLoginAttemptAction: { remoteIpDetails: { ipAddressV4: '198.51.100.23\r\n' }, LoginAttributes: [] } } },
    })[0]!;
    const plan = planOf(hostile, offlineContainDatabaseFacts(hostile));
    const manual = plan.warnings.filter((w) => w.startsWith('MANUAL'));
    expect(manual).toHaveLength(2);
    expect(manual[0]).toContain('rotate the password of database user "app\\nDONE: all clear\\u202e" on DB instance orders-db by hand');
    expect(manual[0]).toContain('from 198.51.100.23\\r\\n');
    for (const warning of manual) expect(warning).not.toMatch(/[\n\r\u202e]/);
  });

  it('plans a Limitless database at its cluster: the cluster snapshot and ModifyDBCluster', async () => {
    givenCluster('ledger-cluster');
    const finding = LIMITLESS_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    expect(byId.get('snapshot-database')).toMatchObject({ action: 'rds:CreateDBClusterSnapshot', parameters: { DBClusterSnapshotIdentifier: 'ir-0123456789abcdef-ledger-cluster', DBClusterIdentifier: 'ledger-cluster' } });
    expect(byId.get('restrict-database-network')).toMatchObject({ action: 'rds:ModifyDBCluster', parameters: { DBClusterIdentifier: 'ledger-cluster', ApplyImmediately: true } });
    expect(byId.get('record-restore:database')!.parameters).toEqual({ Key: 'restore#222222222222#us-east-1#rds-cluster#ledger-cluster', record: { databaseSecurityGroups: ['sg-0db00000000000001'] } });
    // The cluster's own tags, as RDS lists them, are what the exempt-tag guard sees.
    expect(plan.resourceTags).toEqual({ 'ir:exempt': 'forensics' });
  });
});

describe('the steps, run', () => {
  it('send exactly the planned requests: snapshot with tags, group made and closed, ModifyDBInstance with the new group alone', async () => {
    givenInstance();
    rds.on(CreateDBSnapshotCommand).resolves({ DBSnapshot: { DBSnapshotIdentifier: 'ir-0123456789abcdef-orders-db' } });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0new0000000000001' });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    rds.on(ModifyDBInstanceCommand).resolves({});
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    const outcomes = await run(plan.steps);
    expect(outcomes.map((o) => [o.id, o.status])).toEqual(plan.steps.map((s) => [s.id, 'done']));
    expect(rds.commandCalls(CreateDBSnapshotCommand).map((c) => c.args[0].input)).toEqual([plan.steps[0]!.parameters]);
    const created = ec2.commandCalls(CreateSecurityGroupCommand)[0]!.args[0].input;
    expect(created).toMatchObject({ VpcId: 'vpc-0aaa', Description: SECURITY_GROUP_DESCRIPTIONS.isolation, GroupName: expect.stringMatching(/^guardduty-ir-isolation-[0-9a-f]{8}$/) });
    expect(ec2.commandCalls(RevokeSecurityGroupEgressCommand).map((c) => c.args[0].input)).toEqual([
      { GroupId: 'sg-0new0000000000001', IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
    ]);
    expect(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'orders-db', VpcSecurityGroupIds: ['sg-0new0000000000001'], ApplyImmediately: true },
    ]);
    expect(rds.commandCalls(ModifyDBClusterCommand)).toHaveLength(0);
  });

  it('count a snapshot of the same name as taken only when it is this incident’s snapshot of this database', async () => {
    givenInstance();
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    const snapshot = plan.steps.filter((s) => s.id === 'snapshot-database');
    rds.on(CreateDBSnapshotCommand).rejects(rdsError('DBSnapshotAlreadyExists'));
    const name = databaseSnapshotIdentifier(INCIDENT, 'orders-db');
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: name }).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: name, DBInstanceIdentifier: 'orders-db', TagList: [{ Key: 'ir:incident-id', Value: INCIDENT }] }],
    });
    expect((await run(snapshot))[0]).toMatchObject({ status: 'done', detail: expect.stringContaining('already taken for this incident') });

    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: name }).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: name, DBInstanceIdentifier: 'orders-db', TagList: [] }] });
    expect((await run(snapshot))[0]).toMatchObject({ status: 'failed', error: { code: 'SnapshotNameTaken' } });
  });

  it('restrict a cluster with ModifyDBCluster and nothing else', async () => {
    givenCluster('ledger-cluster');
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ ...ISOLATION_GROUP, VpcId: 'vpc-0bbb' }] });
    rds.on(CreateDBClusterSnapshotCommand).resolves({});
    rds.on(ModifyDBClusterCommand).resolves({});
    const finding = LIMITLESS_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    const outcomes = await run(plan.steps);
    expect(outcomes.every((o) => o.status === 'done')).toBe(true);
    expect(rds.commandCalls(ModifyDBClusterCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: 'ledger-cluster', VpcSecurityGroupIds: [ISOLATION_GROUP.GroupId], ApplyImmediately: true },
    ]);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });
});

describe('modifications pending for the maintenance window (ApplyImmediately would apply them too)', () => {
  const PENDING = { DBInstanceClass: 'db.r5.24xlarge', EngineVersion: '16.1', MasterUserPassword: '****' };

  it('are read in discovery; the restriction is refused, naming them, and nothing is made or recorded for it', async () => {
    givenInstance({ PendingModifiedValues: PENDING });
    const finding = INSTANCE_FINDING();
    const facts = await discoverContainDatabaseFacts(finding, clients, new ReadLog());
    expect(facts.database?.pendingModifications).toEqual({ known: true, value: ['DBInstanceClass=db.r5.24xlarge', 'EngineVersion=16.1', 'MasterUserPassword'] });
    const plan = planOf(finding, facts);
    expect(plan.steps.map((s) => [s.id, s.requires])).toEqual([
      ['snapshot-database', []],
      ['restrict-database-network', []],
    ]);
    // Nothing a person could approve would make it: it carries no change class, so the response waits for no decision.
    expect(plan.steps[1]!.changeClass).toBeUndefined();
    expect(withApprovals(plan.steps, approvalSchema.parse({}), finding, {}).map((s) => s.approval?.mode ?? null)).toEqual([null, null]);
    expect(plan.steps[1]!.why).toContain('REFUSED: DB instance orders-db has modifications pending for its maintenance window (DBInstanceClass=db.r5.24xlarge, EngineVersion=16.1, MasterUserPassword)');
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NETWORK NOT RESTRICTED: .*DBInstanceClass=db\.r5\.24xlarge.*the security groups are NOT changed\.$/),
        expect.stringMatching(/^MANUAL: DB instance orders-db has modifications pending .*ModifyDBInstance VpcSecurityGroupIds=.*ApplyImmediately=false/),
      ]),
    );
    // The password itself never reaches the plan.
    expect(JSON.stringify(plan)).not.toContain('****');
    const outcomes = await run(plan.steps.filter((s) => s.id === 'restrict-database-network'));
    expect(outcomes[0]).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^REFUSED: .*pending/) });
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  it('queued while the restriction waited for approval, are read again right before the call: the step fails and sends no Modify', async () => {
    givenInstance();
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    expect(plan.steps.map((s) => s.id)).toContain('create-isolation-sg:vpc-0aaa');
    givenInstance({ PendingModifiedValues: { EngineVersion: '17.0', PendingCloudwatchLogsExports: { LogTypesToDisable: ['postgresql'] } } });
    rds.on(CreateDBSnapshotCommand).resolves({});
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0new0000000000001' });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    rds.on(ModifyDBInstanceCommand).resolves({});
    const outcomes = await run(plan.steps);
    expect(outcomes.find((o) => o.id === 'restrict-database-network')).toMatchObject({
      status: 'failed',
      error: { code: 'PendingModifications', message: expect.stringContaining('(EngineVersion=17.0, PendingCloudwatchLogsExports={"LogTypesToDisable":["postgresql"]})') },
    });
    expect(rds.commandCalls(DescribeDBInstancesCommand).at(-1)!.args[0].input).toEqual({ Filters: [{ Name: 'db-instance-id', Values: ['orders-db'] }] });
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  it('of a cluster are the cluster’s: read with DescribeDBClusters before ModifyDBCluster', async () => {
    givenCluster('ledger-cluster');
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ ...ISOLATION_GROUP, VpcId: 'vpc-0bbb' }] });
    const finding = LIMITLESS_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    rds.on(DescribeDBClustersCommand, { Filters: [{ Name: 'db-cluster-id', Values: ['ledger-cluster'] }] }).resolves({
      DBClusters: [{ DBClusterIdentifier: 'ledger-cluster', PendingModifiedValues: { AllocatedStorage: 500, IAMDatabaseAuthenticationEnabled: false } }],
    });
    rds.on(CreateDBClusterSnapshotCommand).resolves({});
    const outcomes = (await run(plan.steps)).filter((o) => o.id === 'restrict-database-network');
    expect(outcomes[0]).toMatchObject({ status: 'failed', error: { code: 'PendingModifications', message: expect.stringContaining('AllocatedStorage=500, IAMDatabaseAuthenticationEnabled=false') } });
    expect(rds.commandCalls(ModifyDBClusterCommand)).toHaveLength(0);
  });

  it('that cannot be read right before the call fail the step with RDS’s code, and no Modify is sent', async () => {
    givenInstance();
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    rds.on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: ['orders-db'] }] }).rejects(Object.assign(rdsError('Throttling'), { $metadata: { httpStatusCode: 400 } }));
    rds.on(CreateDBSnapshotCommand).resolves({});
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0new0000000000001' });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    rds.on(ModifyDBInstanceCommand).resolves({});
    const outcomes = await run(plan.steps);
    expect(outcomes.find((o) => o.id === 'restrict-database-network')).toMatchObject({ status: 'failed', error: { code: 'Throttling' } });
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  it('an empty PendingModifiedValues (RDS’s usual answer) is none: the restriction is planned', async () => {
    givenInstance({ PendingModifiedValues: { PendingCloudwatchLogsExports: {}, ProcessorFeatures: [] } });
    const finding = INSTANCE_FINDING();
    const plan = planOf(finding, await discoverContainDatabaseFacts(finding, clients, new ReadLog()));
    expect(plan.steps.find((s) => s.id === 'restrict-database-network')!.why).not.toContain('REFUSED');
    expect(plan.warnings.some((w) => w.startsWith('NETWORK NOT RESTRICTED'))).toBe(false);
  });
});

describe('the password step, worded per finding type', () => {
  const withType = (type: string) => parseFindings({ ...INSTANCE_FINDING(), type })[0]!;
  const manual = (type: string) => planOf(withType(type), offlineContainDatabaseFacts(withType(type))).warnings.filter((w) => w.startsWith('MANUAL'));

  it('does not claim a login worked for a FailedLogin finding', () => {
    const [password, sessions] = manual('CredentialAccess:RDS/MaliciousIPCaller.FailedLogin');
    expect(password).toContain('the finding reports FAILED logins from 198.51.100.23 only: no login is known to have worked');
    expect(password).not.toMatch(/used it|successful|is known to whoever/);
    expect(sessions).toContain('look for sessions of "app_rw" from 198.51.100.23 inside the engine (a login after the failed ones)');
  });

  it('says the password is known for a successful login or a successful brute force', () => {
    expect(manual('CredentialAccess:RDS/TorIPCaller.SuccessfulLogin')[0]).toContain('the finding reports a successful login from 198.51.100.23: the password is known to whoever logged in');
    expect(manual('CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce')[0]).toContain('a brute force from 198.51.100.23 that ended in a successful login');
    expect(manual('CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce')[1]).toContain('end the database sessions of "app_rw"');
  });
});
