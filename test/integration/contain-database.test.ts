import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { approvalSchema } from '../../lambda/approval/schema';
import { parseFindings } from '../../lambda/finding/parse';
import type { Finding } from '../../lambda/finding/schema';
import type { Report } from '../../lambda/plan/document';
import { loadFixture } from '../support/fixtures';
import { freshSeededAccount, type EmulatedAccount } from './support/account';
import { newFindingId } from './support/findings';
import { RestoreLedger } from '../../lambda/ledger/restore-record';
import { releaseDatabase } from '../../lambda/release/database';
import { respond } from '../../lambda/respond/respond';
import { createLedgerTable, LEDGER_TABLE } from './support/handler-bench';
import { ENFORCE_CONFIG, failedSteps, RESPONDER, runPlaybook } from './support/run-playbook';

/*
 * contain-database against the emulator: moto implements DescribeDBInstances,
 * CreateDBSnapshot (with Tags), DescribeDBSnapshots, ListTagsForResource and
 * ModifyDBInstance VpcSecurityGroupIds, and EC2's security groups, so the
 * whole plan runs and its result is read back. Not seen here (unit tests
 * with mocked clients only): Limitless shard groups and Aurora clusters
 * (moto's DescribeDBClusters has no Limitless fields, and the cluster path
 * is the same calls by another name), and that a snapshot really completes.
 */

let account: EmulatedAccount;
let appGroup: string;
const DB = 'orders-db';

beforeAll(async () => {
  account = await freshSeededAccount();
  const { network } = account.seed;
  appGroup = network.securityGroups.database;
  await account.clients.rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'orders-subnets', DBSubnetGroupDescription: 'orders', SubnetIds: [...network.subnetIds] }));
  await account.clients.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: DB,
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      AllocatedStorage: 20,
      MasterUsername: 'postgres',
      MasterUserPassword: 'not-a-real-password-1',
      DBSubnetGroupName: 'orders-subnets',
      VpcSecurityGroupIds: [appGroup],
      Tags: [{ Key: 'team', Value: 'payments' }],
    }),
  );
}, 120_000);

function finding(options: { readonly db?: string } = {}): Finding {
  const event = structuredClone(loadFixture('contain-database/malicious-ip-successful-login.event.json')) as { account: string; region: string; detail: Record<string, unknown> };
  const { seed } = account;
  const id = newFindingId();
  event.account = seed.accountId;
  event.region = seed.region;
  Object.assign(event.detail, { accountId: seed.accountId, region: seed.region, id, arn: `arn:aws:guardduty:${seed.region}:${seed.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${id}` });
  (event.detail.resource as { rdsDbInstanceDetails: Record<string, unknown> }).rdsDbInstanceDetails = { dbInstanceIdentifier: options.db ?? DB, engine: 'postgres' };
  return parseFindings(event)[0]!;
}

async function groupsOfDb(db: string = DB): Promise<string[]> {
  const out = await account.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db }));
  return (out.DBInstances?.[0]?.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? '').sort();
}

function statuses(report: Report): [string, string][] {
  return report.steps.map((s) => [s.id, s.status]);
}

describe('contain-database on the emulator', () => {
  it('with restrict-database-network left at its default (approve), snapshots the database at once and leaves its groups until a person decides', async () => {
    const report = await runPlaybook(account, finding());
    expect(failedSteps(report)).toEqual([]);
    expect(report.steps.find((s) => s.id === 'snapshot-database')?.status).toBe('done');
    const restrict = report.steps.find((s) => s.id === 'restrict-database-network');
    expect(restrict?.status).toBe('skipped');
    expect(restrict?.approval).toMatchObject({ mode: 'approve', ruleId: 'default' });
    expect(await groupsOfDb()).toEqual([appGroup]);

    const snapshotId = `ir-${report.incidentId.replace(/^ir-/, '')}-${DB}`;
    const snaps = await account.clients.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
    expect(snaps.DBSnapshots?.map((s) => [s.DBSnapshotIdentifier, s.DBInstanceIdentifier])).toEqual([[snapshotId, DB]]);
    const tags = await account.clients.rds.send(new ListTagsForResourceCommand({ ResourceName: snaps.DBSnapshots![0]!.DBSnapshotArn! }));
    expect(Object.fromEntries((tags.TagList ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({ 'ir:incident-id': report.incidentId, 'ir:source-database': DB });
  }, 120_000);

  it('with the class set to auto, puts the database on a fresh isolation group of its VPC (no rule at all), and a second finding changes nothing more', async () => {
    const config = { ...ENFORCE_CONFIG, approval: approvalSchema.parse({ defaults: { 'restrict-database-network': 'auto' } }) };
    const report = await runPlaybook(account, finding(), { config });
    expect(failedSteps(report)).toEqual([]);
    expect(statuses(report).filter(([id]) => !['notify', 'evidence'].includes(id) && !id.startsWith('securityhub'))).toEqual(
      expect.arrayContaining([
        ['snapshot-database', 'done'],
        [`create-isolation-sg:${account.seed.network.vpcId}`, 'done'],
        [`isolation-sg-egress:${account.seed.network.vpcId}`, 'done'],
        ['restrict-database-network', 'done'],
      ]),
    );
    const [groupId] = await groupsOfDb();
    expect(groupId).not.toBe(appGroup);
    const group = (await account.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId!] }))).SecurityGroups![0]!;
    expect(group.VpcId).toBe(account.seed.network.vpcId);
    expect(group.IpPermissions).toEqual([]);
    expect(group.IpPermissionsEgress).toEqual([]);

    const again = await runPlaybook(account, finding(), { config });
    expect(failedSteps(again)).toEqual([]);
    expect(again.steps.find((s) => s.id === 'restrict-database-network')).toMatchObject({ status: 'skipped', reason: `already on the isolation group ${groupId} alone` });
    expect(again.steps.map((s) => s.id)).not.toContain('record-restore:database');
    expect(await groupsOfDb()).toEqual([groupId]);
  }, 120_000);

  it('acts on nothing when the finding names a database the account does not have', async () => {
    const report = await runPlaybook(account, finding({ db: 'no-such-db' }));
    expect(report.steps.filter((s) => s.mutating && s.status === 'done')).toEqual([]);
    expect(report.guards.find((g) => g.id === 'database-not-found')).toMatchObject({ blocks: true });
  }, 120_000);
});

describe('ir release --database on the emulator', () => {
  const RELEASED_DB = 'billing-db';
  const AUTO = () => ({ ...ENFORCE_CONFIG, approval: approvalSchema.parse({ defaults: { 'restrict-database-network': 'auto' } }) });
  let ledger: RestoreLedger;
  let key: string;
  let admin: string;
  const release = (dryRun = false) => releaseDatabase('instance', RELEASED_DB, { clients: account.clients, ledger, region: account.seed.region, dryRun });
  const contain = () =>
    respond(finding({ db: RELEASED_DB }), { config: AUTO(), clients: account.clients, dryRun: false, topicArn: account.seed.notifications.topicArn, responder: RESPONDER, restoreLedger: ledger });

  beforeAll(async () => {
    ledger = new RestoreLedger(await createLedgerTable(account), LEDGER_TABLE);
    key = `restore#${account.seed.accountId}#${account.seed.region}#rds-instance#${RELEASED_DB}`;
    admin = account.seed.network.securityGroups.admin;
    await account.clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: RELEASED_DB,
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        AllocatedStorage: 20,
        MasterUsername: 'postgres',
        MasterUserPassword: 'not-a-real-password-2',
        DBSubnetGroupName: 'orders-subnets',
        VpcSecurityGroupIds: [appGroup, admin],
      }),
    );
  }, 120_000);

  it('records the groups before the restriction, puts them back from the record, closes it, and refuses a second release', async () => {
    const report = await contain();
    expect(failedSteps(report)).toEqual([]);
    const record = await ledger.read(key);
    expect(record).toMatchObject({ kind: 'database', resourceId: `instance/${RELEASED_DB}`, incidentId: report.incidentId, databaseSecurityGroups: [appGroup, admin].sort() });
    const [isolation] = await groupsOfDb(RELEASED_DB);
    expect(isolation).not.toBe(appGroup);

    const dry = await release(true);
    expect(dry).toMatchObject({ refused: null, steps: [{ status: 'skipped' }], ledger: { status: 'not-recorded' } });
    expect(await groupsOfDb(RELEASED_DB)).toEqual([isolation]);

    const released = await release();
    expect(released).toMatchObject({
      refused: null,
      key,
      recordedGroups: [appGroup, admin].sort(),
      steps: [{ id: 'restore-database-groups', status: 'done', parameters: { DBInstanceIdentifier: RELEASED_DB, VpcSecurityGroupIds: [appGroup, admin].sort(), ApplyImmediately: true } }],
      ledger: { status: 'recorded' },
    });
    expect(await groupsOfDb(RELEASED_DB)).toEqual([appGroup, admin].sort());
    expect((await ledger.read(key))?.closedAt).toEqual(expect.any(String));

    expect((await release()).refused).toMatch(/was closed at .* \(already released\): nothing was changed/);
  }, 120_000);

  it('leaves groups someone changed since the restriction as they are', async () => {
    expect(failedSteps(await contain())).toEqual([]);
    await account.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: RELEASED_DB, VpcSecurityGroupIds: [admin], ApplyImmediately: true }));
    const refused = await release();
    expect(refused.refused).toContain(`is on ${admin}, not the responder's isolation group alone`);
    expect(refused.steps).toEqual([]);
    expect(await groupsOfDb(RELEASED_DB)).toEqual([admin]);
  }, 120_000);
});
