import { ModifyDBClusterCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { ResponderError } from '../../../aws/errors';
import { planStep, type PlannedStep } from '../../../plan/types';
import { groupIdParameter, groupRequires, resolveGroupId, type GroupRef } from '../../contain-instance/steps/group-ref';
import type { DatabaseFacts } from '../facts';
import { pendingRefusal, readPendingModifications } from '../pending-modifications';
import { RESTRICT_DB_CLUSTER_NETWORK, RESTRICT_DB_INSTANCE_NETWORK } from '../specs';

export const RESTRICT_STEP_ID = 'restrict-database-network';

/**
 * The database's security groups replaced by the isolation group alone (no
 * rule: nothing new can connect), applied now rather than in the next
 * maintenance window. Only VpcSecurityGroupIds and ApplyImmediately are
 * sent, but ApplyImmediately also applies every modification pending for
 * the maintenance window: so the step runs only while none is pending. It
 * reads them again right before the call (the step may have waited hours
 * for approval, time enough to queue one) and fails, changing nothing, if
 * any is (pending-modifications.ts).
 */
export function planRestrictNetwork(args: {
  readonly database: DatabaseFacts;
  readonly isolation: GroupRef;
  readonly requires: readonly string[];
  readonly stage: number;
  /** Why the step will not run (already on the isolation group), or null. */
  readonly skip: string | null;
  /** Why the step is refused (modifications pending that ApplyImmediately would apply), or null. */
  readonly refused?: string | null;
}): PlannedStep {
  const refused = args.refused ?? null;
  const { database, isolation } = args;
  const cluster = database.kind === 'cluster';
  const identifierKey = cluster ? 'DBClusterIdentifier' : 'DBInstanceIdentifier';
  const parameters = { [identifierKey]: database.identifier, VpcSecurityGroupIds: [groupIdParameter(isolation)], ApplyImmediately: true };
  const step = planStep(cluster ? RESTRICT_DB_CLUSTER_NETWORK : RESTRICT_DB_INSTANCE_NETWORK, {
    id: RESTRICT_STEP_ID,
    title: `Replace the security groups of DB ${database.kind} ${database.identifier} with the isolation group`,
    action: cluster ? 'rds:ModifyDBCluster' : 'rds:ModifyDBInstance',
    target: database.identifier,
    parameters,
    why: refused
      ? `REFUSED: ${refused}`
      : args.skip
        ? `${args.skip}: skipped`
        : 'no new connection reaches the database from anywhere; the groups it had are in the restore record, and ir release puts them back; ' +
          'refused at run time if RDS holds modifications for the maintenance window (ApplyImmediately would apply them too)',
    stage: args.stage,
    // A refused step waits for nothing: no group is made, no record written for it.
    requires: refused ? [] : [...new Set([...args.requires, ...groupRequires(isolation)])],
    run: async (ctx) => {
      if (refused) return { status: 'skipped', reason: `REFUSED: ${refused}` };
      if (args.skip) return { status: 'skipped', reason: args.skip };
      const groupId = resolveGroupId(isolation, ctx);
      const pending = await readPendingModifications(database.kind, database.identifier, ctx.clients);
      if (pending.length > 0) throw new ResponderError('PendingModifications', pendingRefusal(database.kind, database.identifier, pending), false);
      if (cluster) {
        await ctx.clients.rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: database.identifier, VpcSecurityGroupIds: [groupId], ApplyImmediately: true }));
      } else {
        await ctx.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: database.identifier, VpcSecurityGroupIds: [groupId], ApplyImmediately: true }));
      }
      return { status: 'done', detail: `now on ${groupId} alone` };
    },
  });
  return refused ? withoutDecision(step) : step;
}

/** A refused change waits for no one's approval: no decision could make it (it is skipped, REFUSED, when it runs). */
function withoutDecision(step: PlannedStep): PlannedStep {
  const { changeClass: _class, ...rest } = step;
  return rest;
}
