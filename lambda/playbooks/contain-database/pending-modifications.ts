import { DescribeDBClustersCommand, DescribeDBInstancesCommand, type ClusterPendingModifiedValues, type PendingModifiedValues } from '@aws-sdk/client-rds';
import type { AwsClients } from '../../aws/clients';
import { ResponderError } from '../../aws/errors';
import { untrusted, VALUE_LIMIT } from '../../text/untrusted';
import type { DatabaseKind } from './facts';

/*
 * The modifications RDS holds for a database's next maintenance window
 * (PendingModifiedValues). A Modify call with ApplyImmediately=true applies
 * them too, at once: an instance class change, an engine upgrade, a storage
 * change, each with its reboot or outage, queued by anyone who could call
 * Modify (the attacker included). The responder never sends
 * ApplyImmediately while any are pending: the network restriction (and its
 * release) is refused, naming them, and a person decides.
 */

type Pending = PendingModifiedValues | ClusterPendingModifiedValues;

function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).some(isSet);
  return true;
}

/**
 * Each pending modification as `Name=value`, sorted; [] when none. The
 * values were written by whoever queued them: escaped and bounded. The
 * pending master password is named, never shown (RDS does not return it,
 * and it must not reach a notification if it ever did).
 */
export function pendingModificationsOf(values: Pending | undefined): string[] {
  if (!values) return [];
  return Object.entries(values as Record<string, unknown>)
    .filter(([, value]) => isSet(value))
    .map(([name, value]) => {
      if (name === 'MasterUserPassword') return name;
      const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
      return `${untrusted(name, VALUE_LIMIT)}=${untrusted(shown, VALUE_LIMIT)}`;
    })
    .sort();
}

/** Why a Modify with ApplyImmediately is refused: the pending modifications it would apply with it. */
export function pendingRefusal(kind: DatabaseKind, identifier: string, pending: readonly string[]): string {
  return (
    `DB ${kind} ${identifier} has modifications pending for its maintenance window (${pending.join(', ')}): ` +
    'a Modify call with ApplyImmediately would apply them at once with the security groups (a class change or an upgrade means a reboot or an outage, ' +
    'and whoever queued them may be the attacker), so the security groups are NOT changed'
  );
}

/**
 * The pending modifications of the database now (read again right before a Modify: they can be queued while a step
 * waits for approval). Asked by filter (db-instance-id / db-cluster-id) rather than by identifier: a request of its
 * own, apart from discovery's, so a fault in one is never taken for the other (test/unit/faults), and a database gone
 * since answers an empty list, refused below like any database not found.
 */
export async function readPendingModifications(kind: DatabaseKind, identifier: string, clients: AwsClients): Promise<string[]> {
  const matches = (id: string | undefined) => id?.toLowerCase() === identifier.toLowerCase();
  if (kind === 'cluster') {
    const out = await clients.rds.send(new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: [identifier] }] }));
    const cluster = out.DBClusters?.find((c) => matches(c.DBClusterIdentifier));
    if (!cluster) throw new ResponderError('DBClusterNotFoundFault', `DescribeDBClusters returned no cluster ${identifier}: its pending modifications are unknown, nothing is changed`, false);
    return pendingModificationsOf(cluster.PendingModifiedValues);
  }
  const out = await clients.rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: [identifier] }] }));
  const instance = out.DBInstances?.find((i) => matches(i.DBInstanceIdentifier));
  if (!instance) throw new ResponderError('DBInstanceNotFound', `DescribeDBInstances returned no instance ${identifier}: its pending modifications are unknown, nothing is changed`, false);
  return pendingModificationsOf(instance.PendingModifiedValues);
}
