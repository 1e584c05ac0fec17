import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from '../aws/clients';
import type { StepError } from '../aws/errors';
import { databaseRestoreKey } from '../ledger/restore-record';
import { ReadLog } from '../plan/reads';
import { planStep } from '../plan/types';
import { isResponderGroupName, MANAGED_BY_TAG, MANAGED_BY_VALUE, PURPOSE_TAG } from '../playbooks/contain-instance/names';
import type { DatabaseKind } from '../playbooks/contain-database/facts';
import { isDbIdentifier } from '../finding/database-target';
import { pendingModificationsOf, pendingRefusal } from '../playbooks/contain-database/pending-modifications';
import { closeReleasedRecord, type ClosingReleaseOptions, type ClosingReleaseOutcome } from './closing-release';
import { readHeldContainment } from './held-containment';
import { runReleaseSteps } from './run-steps';
import { READ_DATABASE, READ_DATABASE_GROUPS, READ_RESTORE_RECORD, RESTORE_DATABASE_GROUPS } from './specs';
import { readReleaser } from './refusal';

/*
 * `ir release --database instance/NAME | cluster/NAME`: undoes
 * contain-database's network restriction from its restore record in the
 * ledger, and from nothing else. The database goes back to the groups the
 * record holds only while it is on the responder's isolation group alone:
 * groups someone changed since are theirs, and are never overwritten. The
 * snapshot stays (evidence). The release is recorded in the ledger, which
 * closes the record. Not yet notified nor kept in the evidence bucket as an
 * instance's release is (docs/playbooks-contain-database.md).
 */

export type DatabaseReleaseOptions = ClosingReleaseOptions;

export interface DatabaseReleaseReport extends ClosingReleaseOutcome {
  readonly database: string;
  readonly recordedGroups: readonly string[] | null;
}

/** `instance/orders-db` or `cluster/ledger`: the kind and the RDS identifier, or null. */
export function parseDatabaseName(name: string): { readonly kind: DatabaseKind; readonly identifier: string } | null {
  const [kind, identifier, ...rest] = name.split('/');
  if (rest.length > 0 || (kind !== 'instance' && kind !== 'cluster') || !identifier || !isDbIdentifier(identifier)) return null;
  return { kind, identifier };
}

const NOT_FOUND = new Set(['DBInstanceNotFound', 'DBInstanceNotFoundFault', 'DBClusterNotFoundFault', 'DBClusterNotFound']);

/** The groups the database is on now, and the modifications pending for its maintenance window (ApplyImmediately would apply them). */
async function currentGroups(kind: DatabaseKind, identifier: string, clients: AwsClients, reads: ReadLog): Promise<{ groups: string[]; pending: string[] } | { refusal: string }> {
  const result = await reads.read(READ_DATABASE, `Read DB ${kind} ${identifier}`, `${kind}/${identifier}`, async () => {
    if (kind === 'cluster') {
      const out = await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
      const cluster = out.DBClusters?.find((c) => c.DBClusterIdentifier?.toLowerCase() === identifier.toLowerCase());
      return cluster && { groups: cluster.VpcSecurityGroups, pending: pendingModificationsOf(cluster.PendingModifiedValues) };
    }
    const out = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    const instance = out.DBInstances?.find((i) => i.DBInstanceIdentifier?.toLowerCase() === identifier.toLowerCase());
    return instance && { groups: instance.VpcSecurityGroups, pending: pendingModificationsOf(instance.PendingModifiedValues) };
  });
  if (!result.ok) {
    const gone = NOT_FOUND.has(result.error.code);
    return { refusal: gone ? `DB ${kind} ${identifier} does not exist (${result.error.code}): nothing to release` : `DB ${kind} ${identifier} could not be read (${result.error.code}: ${result.error.message}): nothing was changed` };
  }
  if (!result.value?.groups) return { refusal: `DB ${kind} ${identifier} was not found: nothing to release` };
  return { groups: result.value.groups.flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])).sort(), pending: result.value.pending };
}

/** Whether every group is an isolation group the responder made (its tags, its name): the state the restriction left. */
async function onResponderIsolationOnly(groupIds: readonly string[], clients: AwsClients, reads: ReadLog): Promise<boolean | StepError> {
  if (groupIds.length === 0) return false;
  const result = await reads.read(READ_DATABASE_GROUPS, 'Read the groups the database is on now', groupIds.join(','), () =>
    clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] })),
  );
  if (!result.ok) return result.error;
  const groups = result.value.SecurityGroups ?? [];
  return groupIds.every((id) => {
    const group = groups.find((g) => g.GroupId === id);
    const tags = Object.fromEntries((group?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    return group !== undefined && tags[MANAGED_BY_TAG] === MANAGED_BY_VALUE && tags[PURPOSE_TAG] === 'isolation' && isResponderGroupName(group.GroupName ?? '', 'isolation');
  });
}

export async function releaseDatabase(kind: DatabaseKind, identifier: string, options: DatabaseReleaseOptions): Promise<DatabaseReleaseReport> {
  const { clients } = options;
  const reads = new ReadLog();
  const database = `${kind}/${identifier}`;
  const base = { database, dryRun: options.dryRun, reads: reads.outcomes, steps: [], summary: { done: 0, skipped: 0, failed: 0 }, ledger: null };
  const refuse = (refused: string, key: string | null = null, recordedGroups: readonly string[] | null = null): DatabaseReleaseReport => ({ ...base, refused, key, recordedGroups });

  const who = await readReleaser(reads, clients);
  if (!who.ok || !who.value.Account || !who.value.Arn) return refuse('the account of the database could not be learned (sts:GetCallerIdentity): nothing was changed');
  const key = databaseRestoreKey(who.value.Account, options.region, kind, identifier);
  const recordRead = await reads.read(READ_RESTORE_RECORD, `Read the restore record of DB ${database}`, key, () => options.ledger.read(key));
  if (!recordRead.ok) return refuse(`the restore record could not be read (${recordRead.error.code}): nothing was changed`, key);
  const record = recordRead.value;
  const recorded = record?.databaseSecurityGroups;
  if (!record || !recorded || recorded.length === 0) return refuse(`the ledger holds no security groups of DB ${database} (${key}): nothing is restored without a record`, key);
  if (record.closedAt) return refuse(`the record of DB ${database} was closed at ${record.closedAt} (already released): nothing was changed`, key, recorded);
  const held = await readHeldContainment(options.approvals, record, reads);
  if (held) return refuse(held, key, recorded);

  const now = await currentGroups(kind, identifier, clients, reads);
  if ('refusal' in now) return refuse(now.refusal, key, recorded);
  const sameAsRecorded = now.groups.join(',') === [...recorded].sort().join(',');
  if (!sameAsRecorded) {
    const isolated = await onResponderIsolationOnly(now.groups, clients, reads);
    if (typeof isolated === 'object') return refuse(`the groups of DB ${database} could not be read (${isolated.code}): nothing was changed`, key, recorded);
    if (!isolated) {
      return refuse(
        `DB ${database} is on ${now.groups.join(', ') || 'no group'}, not the responder's isolation group alone: someone changed its groups since, and they are left as they are (the record holds ${recorded.join(', ')})`,
        key,
        recorded,
      );
    }
  }
  // The release sends ApplyImmediately too: never while it would apply modifications someone queued during the containment.
  if (!sameAsRecorded && now.pending.length > 0) return refuse(`${pendingRefusal(kind, identifier, now.pending)}; nothing was changed, and the record stays open`, key, recorded);
  const cluster = kind === 'cluster';
  const parameters = { [cluster ? 'DBClusterIdentifier' : 'DBInstanceIdentifier']: identifier, VpcSecurityGroupIds: [...recorded], ApplyImmediately: true };
  const step = planStep(RESTORE_DATABASE_GROUPS, {
    id: 'restore-database-groups',
    title: `Put DB ${database} back on its recorded security groups`,
    action: cluster ? 'rds:ModifyDBCluster' : 'rds:ModifyDBInstance',
    target: identifier,
    parameters,
    why: sameAsRecorded ? 'it is already on them: nothing to change' : `the restore record ${key} holds them, written before the restriction`,
    stage: 0,
    run: async (ctx) => {
      if (sameAsRecorded) return { status: 'skipped', reason: 'already on its recorded groups' };
      if (cluster) await ctx.clients.rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: identifier, VpcSecurityGroupIds: [...recorded], ApplyImmediately: true }));
      else await ctx.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: identifier, VpcSecurityGroupIds: [...recorded], ApplyImmediately: true }));
      return { status: 'done', detail: `on ${recorded.join(', ')} again` };
    },
  });
  const ran = await runReleaseSteps([step], { clients, now: options.now ?? (() => new Date()), dryRun: options.dryRun });
  const report = { ...base, refused: null, key, recordedGroups: recorded, ...ran };
  const outcome = ran.steps[0]!.status;
  const undone = outcome === 'done' || (sameAsRecorded && outcome === 'skipped' && !options.dryRun);
  if (options.dryRun || !undone) return { ...report, ledger: { status: 'not-recorded' } };
  return { ...report, ledger: await closeReleasedRecord(options.ledger, key, { by: who.value.Arn, restored: ['database-groups'], revision: record.revision, resource: { kind: 'database', resourceId: database } }) };
}
