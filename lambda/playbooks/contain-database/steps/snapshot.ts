import { CreateDBClusterSnapshotCommand, CreateDBSnapshotCommand, DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand, type Tag } from '@aws-sdk/client-rds';
import { ResponderError } from '../../../aws/errors';
import type { Finding } from '../../../finding/schema';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult } from '../../../plan/types';
import { awsCodeOf } from '../../contain-instance/steps/aws-codes';
import type { DatabaseFacts } from '../facts';
import { databaseSnapshotIdentifier, FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG, SOURCE_DATABASE_TAG, tagValue } from '../names';
import { SNAPSHOT_DB_CLUSTER, SNAPSHOT_DB_INSTANCE } from '../specs';

/*
 * The database as it is now, for the investigation: a manual snapshot,
 * tagged with the incident, named after it. The step never waits for it to
 * complete (it can take hours); RDS keeps a manual snapshot until someone
 * deletes it. A snapshot of that name already there is this incident's only
 * if it is of this database and carries this incident's tag: otherwise the
 * step fails loudly rather than count someone else's snapshot as evidence.
 */

export const SNAPSHOT_STEP_ID = 'snapshot-database';

function tagsOf(finding: Finding, incidentId: string, identifier: string): Tag[] {
  return [
    { Key: FINDING_ID_TAG, Value: tagValue(finding.id) },
    { Key: FINDING_TYPE_TAG, Value: tagValue(finding.type) },
    { Key: INCIDENT_ID_TAG, Value: tagValue(incidentId) },
    { Key: SOURCE_DATABASE_TAG, Value: identifier },
  ];
}

export function snapshotParameters(database: Pick<DatabaseFacts, 'kind' | 'identifier'>, finding: Finding, incidentId: string) {
  const snapshotId = databaseSnapshotIdentifier(incidentId, database.identifier);
  const Tags = tagsOf(finding, incidentId, database.identifier);
  return database.kind === 'cluster'
    ? { DBClusterSnapshotIdentifier: snapshotId, DBClusterIdentifier: database.identifier, Tags }
    : { DBSnapshotIdentifier: snapshotId, DBInstanceIdentifier: database.identifier, Tags };
}

const ALREADY = new Set(['DBSnapshotAlreadyExists', 'DBSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExists']);

/** The snapshot of that name, when it is this incident's snapshot of this database; else the reason it is not. */
async function existingIsOurs(ctx: ExecutionContext, database: Pick<DatabaseFacts, 'kind' | 'identifier'>, snapshotId: string, incidentId: string): Promise<string | null> {
  const rds = ctx.clients.rds;
  if (database.kind === 'cluster') {
    const out = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId }));
    const snap = out.DBClusterSnapshots?.find((s) => s.DBClusterSnapshotIdentifier === snapshotId);
    if (!snap) return 'it could not be read back';
    if (snap.DBClusterIdentifier?.toLowerCase() !== database.identifier.toLowerCase()) return `it is of cluster ${snap.DBClusterIdentifier ?? '(none)'}`;
    return snap.TagList?.some((t) => t.Key === INCIDENT_ID_TAG && t.Value === incidentId) ? null : 'it does not carry this incident’s tag';
  }
  const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }));
  const snap = out.DBSnapshots?.find((s) => s.DBSnapshotIdentifier === snapshotId);
  if (!snap) return 'it could not be read back';
  if (snap.DBInstanceIdentifier?.toLowerCase() !== database.identifier.toLowerCase()) return `it is of instance ${snap.DBInstanceIdentifier ?? '(none)'}`;
  return snap.TagList?.some((t) => t.Key === INCIDENT_ID_TAG && t.Value === incidentId) ? null : 'it does not carry this incident’s tag';
}

export function planDatabaseSnapshot(database: DatabaseFacts, finding: Finding, incidentId: string, stage: number): PlannedStep {
  const parameters = snapshotParameters(database, finding, incidentId);
  const cluster = database.kind === 'cluster';
  const snapshotId = cluster ? (parameters as { DBClusterSnapshotIdentifier: string }).DBClusterSnapshotIdentifier : (parameters as { DBSnapshotIdentifier: string }).DBSnapshotIdentifier;
  return planStep(cluster ? SNAPSHOT_DB_CLUSTER : SNAPSHOT_DB_INSTANCE, {
    id: SNAPSHOT_STEP_ID,
    title: `Snapshot DB ${database.kind} ${database.identifier}`,
    action: cluster ? 'rds:CreateDBClusterSnapshot' : 'rds:CreateDBSnapshot',
    target: database.identifier,
    parameters,
    why: 'the data as it is now, before anyone (the attacker included) changes it; the snapshot is started, not waited for',
    stage,
    run: async (ctx): Promise<StepRunResult> => {
      try {
        if (cluster) await ctx.clients.rds.send(new CreateDBClusterSnapshotCommand(parameters as ConstructorParameters<typeof CreateDBClusterSnapshotCommand>[0]));
        else await ctx.clients.rds.send(new CreateDBSnapshotCommand(parameters as ConstructorParameters<typeof CreateDBSnapshotCommand>[0]));
        return { status: 'done', detail: `snapshot ${snapshotId} started (not waited for)`, output: snapshotId };
      } catch (error) {
        if (!ALREADY.has(awsCodeOf(error))) throw error;
        const notOurs = await existingIsOurs(ctx, database, snapshotId, incidentId);
        if (notOurs) throw new ResponderError('SnapshotNameTaken', `a snapshot named ${snapshotId} already exists and is not this incident's evidence (${notOurs}): no snapshot was taken`, false);
        return { status: 'done', detail: `snapshot ${snapshotId} already taken for this incident (an earlier delivery or retry)`, output: snapshotId };
      }
    },
  });
}
