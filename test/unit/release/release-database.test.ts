import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { RestoreLedger } from '../../../lambda/ledger/restore-record';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG } from '../../../lambda/playbooks/contain-instance/names';
import { releaseDatabase } from '../../../lambda/release/database';

/*
 * `ir release --database` sends ApplyImmediately, which would also apply every modification RDS holds for the
 * maintenance window (queued during the containment, perhaps by the attacker): refused while any is pending.
 * The rest of the release is tested on the emulator (test/integration/contain-database.test.ts); moto holds no
 * pending modifications, hence these mocks.
 */

const ACCOUNT = '222222222222';
const ISOLATION = 'sg-0150150150150150a';
const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const dynamodb = mockClient(DynamoDBClient);
const clients = createAwsClients({ region: 'us-east-1', maxAttempts: 1 }, EVERY_CLIENT);

beforeEach(() => {
  for (const mock of [rds, ec2, sts, dynamodb]) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
  dynamodb.on(GetItemCommand).callsFake((input: { Key: { pk: { S: string } } }) => ({
    Item: input.Key.pk.S.startsWith('restore#')
      ? { pk: input.Key.pk, kind: { S: 'database' }, revision: { N: '1' }, databaseSecurityGroups: { L: [{ S: 'sg-0app0000000000001' }] } }
      : undefined,
  }));
  dynamodb.on(UpdateItemCommand).resolves({});
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: ISOLATION, GroupName: 'guardduty-ir-isolation-0a0b0c0d', Tags: [{ Key: MANAGED_BY_TAG, Value: MANAGED_BY_VALUE }, { Key: PURPOSE_TAG, Value: 'isolation' }] },
    ],
  });
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(ModifyDBClusterCommand).resolves({});
});
afterAll(() => [rds, ec2, sts, dynamodb].forEach((mock) => mock.restore()));

const release = (kind: 'instance' | 'cluster', id: string) => releaseDatabase(kind, id, { clients, ledger: new RestoreLedger(clients.dynamodb, 'ledger'), region: 'us-east-1', dryRun: false });

describe('ir release --database and pending modifications', () => {
  it('refuses while the instance has modifications pending, naming them, and sends no Modify', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-db' }).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'orders-db', VpcSecurityGroups: [{ VpcSecurityGroupId: ISOLATION }], PendingModifiedValues: { DBInstanceClass: 'db.r5.24xlarge' } }],
    });
    const report = await release('instance', 'orders-db');
    expect(report.refused).toBe(
      'DB instance orders-db has modifications pending for its maintenance window (DBInstanceClass=db.r5.24xlarge): a Modify call with ApplyImmediately would apply them at once with the security groups ' +
        '(a class change or an upgrade means a reboot or an outage, and whoever queued them may be the attacker), so the security groups are NOT changed; nothing was changed, and the record stays open',
    );
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('refuses for a cluster’s own pending modifications too; without any, restores the recorded groups', async () => {
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'ledger-cluster' }).resolves({
      DBClusters: [{ DBClusterIdentifier: 'ledger-cluster', VpcSecurityGroups: [{ VpcSecurityGroupId: ISOLATION }], PendingModifiedValues: { EngineVersion: '16.4' } }],
    });
    expect((await release('cluster', 'ledger-cluster')).refused).toContain('(EngineVersion=16.4)');
    expect(rds.commandCalls(ModifyDBClusterCommand)).toHaveLength(0);

    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'ledger-cluster' }).resolves({
      DBClusters: [{ DBClusterIdentifier: 'ledger-cluster', VpcSecurityGroups: [{ VpcSecurityGroupId: ISOLATION }], PendingModifiedValues: {} }],
    });
    const released = await release('cluster', 'ledger-cluster');
    expect(released.refused).toBeNull();
    expect(rds.commandCalls(ModifyDBClusterCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: 'ledger-cluster', VpcSecurityGroupIds: ['sg-0app0000000000001'], ApplyImmediately: true },
    ]);
  });
});
