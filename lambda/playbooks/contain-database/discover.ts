import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, type Tag } from '@aws-sdk/client-rds';
import type { AwsClients } from '../../aws/clients';
import type { Finding } from '../../finding/schema';
import type { ReadLog } from '../../plan/reads';
import { known, unknown, type Known } from '../contain-instance/facts';
import { readResponderSecurityGroups } from '../contain-instance/discovery/read-security-groups';
import type { ContainDatabaseFacts, DatabaseFacts, DatabaseLookup } from './facts';
import { READ_DB_CLUSTER, READ_DB_INSTANCE, READ_DB_SUBNET_GROUP } from './specs';
import { databaseTargetOf, loginFactsOf } from '../../finding/database-target';
import { pendingModificationsOf } from './pending-modifications';

/*
 * The database the finding names, read in the finding's account: it is
 * acted on only if RDS knows it there. The identifiers come from the
 * finding; everything the plan uses about the database (its cluster, VPC,
 * security groups, tags) comes from RDS. An instance that belongs to a
 * cluster (Aurora) is answered at the cluster: RDS snapshots and sets the
 * security groups of a cluster's instances only through the cluster.
 */

const NOT_FOUND_CODES = new Set(['DBInstanceNotFound', 'DBInstanceNotFoundFault', 'DBClusterNotFoundFault', 'DBClusterNotFound']);

function tagsOf(list: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of list ?? []) if (tag.Key) out[tag.Key] = tag.Value ?? '';
  return out;
}

function groupIdsOf(groups: readonly { VpcSecurityGroupId?: string | undefined }[] | undefined): Known<readonly string[]> {
  if (!groups) return unknown('RDS listed no VPC security groups');
  return known(groups.flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])).sort());
}

type Read<T> = { readonly lookup: DatabaseLookup; readonly value?: T };

function failed(code: string, message: string, what: string): DatabaseLookup {
  return NOT_FOUND_CODES.has(code) ? { status: 'not-found', detail: `${what}: ${code}` } : { status: 'unreadable', error: { code, message, retryable: true } };
}

async function readInstance(identifier: string, clients: AwsClients, reads: ReadLog) {
  const result = await reads.read(READ_DB_INSTANCE, `Read DB instance ${identifier}`, `db:${identifier}`, () =>
    clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })),
  );
  if (!result.ok) return { lookup: failed(result.error.code, result.error.message, `DescribeDBInstances ${identifier}`) } as Read<never>;
  // RDS keeps identifiers in lower case; the one answer must be the instance asked for.
  const instance = (result.value.DBInstances ?? []).find((db) => db.DBInstanceIdentifier?.toLowerCase() === identifier.toLowerCase());
  if (!instance) return { lookup: { status: 'not-found', detail: `DescribeDBInstances returned no instance ${identifier}` } } as Read<never>;
  return { lookup: { status: 'found' }, value: instance } as const;
}

async function readCluster(identifier: string, clients: AwsClients, reads: ReadLog) {
  const result = await reads.read(READ_DB_CLUSTER, `Read DB cluster ${identifier}`, `cluster:${identifier}`, () =>
    clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })),
  );
  if (!result.ok) return { lookup: failed(result.error.code, result.error.message, `DescribeDBClusters ${identifier}`) } as Read<never>;
  const cluster = (result.value.DBClusters ?? []).find((db) => db.DBClusterIdentifier?.toLowerCase() === identifier.toLowerCase());
  if (!cluster) return { lookup: { status: 'not-found', detail: `DescribeDBClusters returned no cluster ${identifier}` } } as Read<never>;
  return { lookup: { status: 'found' }, value: cluster } as const;
}

async function readSubnetGroupVpc(name: string | undefined, clients: AwsClients, reads: ReadLog): Promise<Known<string>> {
  if (!name) return unknown('the cluster names no DB subnet group');
  const result = await reads.read(READ_DB_SUBNET_GROUP, `Read DB subnet group ${name}`, `subgrp:${name}`, () =>
    clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name })),
  );
  if (!result.ok) return unknown(`DescribeDBSubnetGroups failed (${result.error.code})`);
  const vpcId = result.value.DBSubnetGroups?.find((g) => g.DBSubnetGroupName === name)?.VpcId;
  return vpcId ? known(vpcId) : unknown(`DB subnet group ${name} names no VPC`);
}

async function clusterFacts(identifier: string, viaInstance: string | null, clients: AwsClients, reads: ReadLog): Promise<{ lookup: DatabaseLookup; database: DatabaseFacts | null }> {
  const read = await readCluster(identifier, clients, reads);
  if (!read.value) return { lookup: read.lookup, database: null };
  const cluster = read.value;
  const vpcId = await readSubnetGroupVpc(cluster.DBSubnetGroup, clients, reads);
  return {
    lookup: read.lookup,
    database: {
      kind: 'cluster',
      identifier: cluster.DBClusterIdentifier ?? identifier,
      arn: cluster.DBClusterArn ?? null,
      status: cluster.Status ?? null,
      engine: cluster.Engine ?? null,
      vpcId,
      securityGroupIds: groupIdsOf(cluster.VpcSecurityGroups),
      pendingModifications: known(pendingModificationsOf(cluster.PendingModifiedValues)),
      tags: tagsOf(cluster.TagList),
      viaInstance,
    },
  };
}

async function readDatabase(facts: Pick<ContainDatabaseFacts, 'target'>, clients: AwsClients, reads: ReadLog): Promise<{ lookup: DatabaseLookup; database: DatabaseFacts | null }> {
  const { target } = facts;
  switch (target.kind) {
    case 'none':
      return { lookup: { status: 'no-target', why: target.why }, database: null };
    case 'cluster':
      return clusterFacts(target.dbClusterIdentifier, null, clients, reads);
    case 'instance': {
      const read = await readInstance(target.dbInstanceIdentifier, clients, reads);
      if (!read.value) return { lookup: read.lookup, database: null };
      const instance = read.value;
      // RDS, not the finding, says whether the instance is a cluster's.
      if (instance.DBClusterIdentifier) return clusterFacts(instance.DBClusterIdentifier, instance.DBInstanceIdentifier ?? target.dbInstanceIdentifier, clients, reads);
      const vpcId = instance.DBSubnetGroup?.VpcId;
      return {
        lookup: read.lookup,
        database: {
          kind: 'instance',
          identifier: instance.DBInstanceIdentifier ?? target.dbInstanceIdentifier,
          arn: instance.DBInstanceArn ?? null,
          status: instance.DBInstanceStatus ?? null,
          engine: instance.Engine ?? null,
          vpcId: vpcId ? known(vpcId) : unknown('the instance has no DB subnet group VPC (EC2-Classic or not reported)'),
          securityGroupIds: groupIdsOf(instance.VpcSecurityGroups),
          pendingModifications: known(pendingModificationsOf(instance.PendingModifiedValues)),
          tags: tagsOf(instance.TagList),
          viaInstance: null,
        },
      };
    }
  }
}

export async function discoverContainDatabaseFacts(finding: Finding, clients: AwsClients, reads: ReadLog): Promise<ContainDatabaseFacts> {
  const target = databaseTargetOf(finding);
  const [db, responderSecurityGroups] = await Promise.all([
    readDatabase({ target }, clients, reads),
    // Started at once: the database's VPC is not known yet, and the responder's groups of every VPC come in one call.
    target.kind === 'none' ? Promise.resolve(known([])) : readResponderSecurityGroups(clients, reads),
  ]);
  return { target, source: 'aws', lookup: db.lookup, database: db.database, responderSecurityGroups, logins: loginFactsOf(finding) };
}
