import type { Finding } from './schema';

/*
 * Which database the finding names. The identifiers are the finding's
 * (attacker-shaped only as far as GuardDuty lets them be, and never trusted
 * as more than a name to look up): they must be RDS identifiers, and the
 * database is acted on only once DescribeDBInstances / DescribeDBClusters in
 * the finding's account found it (discover.ts).
 */

/** RDS DB instance and cluster identifiers: 1 to 63 letters, digits and single hyphens, a letter first, no hyphen last. */
const DB_IDENTIFIER = /^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,62}$/;

export function isDbIdentifier(value: string): boolean {
  return DB_IDENTIFIER.test(value) && !value.endsWith('-');
}

export type DatabaseTarget =
  /** RDSDBInstance: a DB instance; if it belongs to a cluster (Aurora), the cluster is what is snapshotted and restricted. */
  | { readonly kind: 'instance'; readonly dbInstanceIdentifier: string }
  /** RDSLimitlessDB: the cluster of the shard group. */
  | { readonly kind: 'cluster'; readonly dbClusterIdentifier: string; readonly shardGroup: string | null }
  | { readonly kind: 'none'; readonly why: string };

function usable(value: string | null | undefined): string | null {
  return value && isDbIdentifier(value) ? value : null;
}

export function databaseTargetOf(finding: Finding): DatabaseTarget {
  const resource = finding.resource;
  const type = resource?.resourceType;
  if (type === 'RDSLimitlessDB') {
    const details = resource?.rdsLimitlessDbDetails;
    const cluster = usable(details?.dbClusterIdentifier);
    if (cluster) return { kind: 'cluster', dbClusterIdentifier: cluster, shardGroup: details?.dbShardGroupIdentifier ?? null };
    return { kind: 'none', why: 'the finding names no well-formed DB cluster (resource.rdsLimitlessDbDetails.dbClusterIdentifier)' };
  }
  const details = resource?.rdsDbInstanceDetails;
  const instance = usable(details?.dbInstanceIdentifier);
  if (instance) return { kind: 'instance', dbInstanceIdentifier: instance };
  // An instance the finding names only by its cluster: the cluster is what would be acted on anyway.
  const cluster = usable(details?.dbClusterIdentifier);
  if (cluster) return { kind: 'cluster', dbClusterIdentifier: cluster, shardGroup: null };
  return { kind: 'none', why: 'the finding names no well-formed DB instance (resource.rdsDbInstanceDetails.dbInstanceIdentifier)' };
}

/** The database user and the remote address of the logins, as the finding says (for the notification: escape before showing). */
export interface LoginFacts {
  readonly users: readonly string[];
  readonly remoteAddress: string | null;
  readonly database: string | null;
}

export function loginFactsOf(finding: Finding): LoginFacts {
  const action = finding.service?.action?.rdsLoginAttemptAction;
  // GuardDuty's JSON spells the list LoginAttributes (the API member name); the lower-case form is tolerated too.
  const attributes = [...(action?.LoginAttributes ?? []), ...(action?.loginAttributes ?? [])];
  const users = new Set<string>();
  const named = finding.resource?.rdsDbUserDetails?.user;
  if (named) users.add(named);
  for (const login of attributes) if (login.user) users.add(login.user);
  const ip = action?.remoteIpDetails;
  return { users: [...users], remoteAddress: ip?.ipAddressV4 ?? ip?.ipAddressV6 ?? null, database: finding.resource?.rdsDbUserDetails?.database ?? null };
}
