import type { Finding } from '../../finding/schema';
import { known, unknown } from '../contain-instance/facts';
import type { ContainDatabaseFacts, DatabaseFacts } from './facts';
import { databaseTargetOf, isDbIdentifier, loginFactsOf } from '../../finding/database-target';

const NOT_READ = 'not read (ir plan --offline)';

/** `ir plan --offline`: the database as the finding names it; its VPC and groups are not known, so the plan shows them as placeholders. */
export function offlineContainDatabaseFacts(finding: Finding): ContainDatabaseFacts {
  const target = databaseTargetOf(finding);
  const logins = loginFactsOf(finding);
  if (target.kind === 'none') return { target, source: 'finding', lookup: { status: 'no-target', why: target.why }, database: null, responderSecurityGroups: known([]), logins };
  const claimed = target.kind === 'instance' ? finding.resource?.rdsDbInstanceDetails?.dbClusterIdentifier : null;
  const instanceCluster = claimed && isDbIdentifier(claimed) ? claimed : null;
  const findingTags = finding.resource?.rdsDbInstanceDetails?.tags ?? finding.resource?.rdsLimitlessDbDetails?.tags ?? [];
  const database: DatabaseFacts = {
    kind: target.kind === 'cluster' || instanceCluster ? 'cluster' : 'instance',
    identifier: target.kind === 'cluster' ? target.dbClusterIdentifier : (instanceCluster ?? target.dbInstanceIdentifier),
    arn: finding.resource?.rdsDbInstanceDetails?.dbInstanceArn ?? null,
    status: null,
    engine: finding.resource?.rdsDbInstanceDetails?.engine ?? finding.resource?.rdsLimitlessDbDetails?.engine ?? null,
    vpcId: unknown(NOT_READ),
    securityGroupIds: unknown(NOT_READ),
    pendingModifications: unknown(NOT_READ),
    // The tags GuardDuty saw (for the exempt-tag guard): a response reads them again from RDS.
    tags: Object.fromEntries(findingTags.flatMap((t) => (t.key ? [[t.key, t.value ?? '']] : []))),
    viaInstance: target.kind === 'instance' && instanceCluster ? target.dbInstanceIdentifier : null,
  };
  return { target, source: 'finding', lookup: { status: 'not-read' }, database, responderSecurityGroups: known([]), logins };
}
