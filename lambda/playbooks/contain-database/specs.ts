import { onlyTagKeys } from '../../iam/ec2-conditions';
import type { StepSpec } from '../../plan/types';
import { CLOSE_ISOLATION_GROUP, CREATE_SECURITY_GROUP, READ_RESPONDER_SECURITY_GROUPS } from '../contain-instance/specs';
import { DATABASE_SNAPSHOT_TAG_KEYS } from './names';

/*
 * Every AWS call contain-database makes, reads included. The Lambda role
 * (and the member role) is derived from this list: a call not declared here
 * is denied in AWS. RDS actions are scoped to the account's RDS resources
 * of each type (lib/iam/action-resources.ts).
 */

/** DescribeDBInstances: the instance the finding names exists in the finding's account; its cluster, VPC, groups and tags. */
export const READ_DB_INSTANCE: StepSpec = { kind: 'describe-db-instance', iamActions: ['rds:DescribeDBInstances'], mutating: false };
/** DescribeDBClusters: the cluster (Aurora, Limitless) the finding names or the instance belongs to; its groups and tags. */
export const READ_DB_CLUSTER: StepSpec = { kind: 'describe-db-cluster', iamActions: ['rds:DescribeDBClusters'], mutating: false };
/** DescribeDBSubnetGroups: a cluster names its subnet group, not its VPC; the VPC is where its isolation group must be. */
export const READ_DB_SUBNET_GROUP: StepSpec = { kind: 'describe-db-subnet-group', iamActions: ['rds:DescribeDBSubnetGroups'], mutating: false };

export { READ_RESPONDER_SECURITY_GROUPS };

/**
 * CreateDBSnapshot with the incident's tags (AddTagsToResource authorises tags given at creation; only these keys).
 * DescribeDBSnapshots: a snapshot of the same name already there (a retry, a second delivery) is checked to be this
 * incident's snapshot of this database before it counts as taken.
 */
export const SNAPSHOT_DB_INSTANCE: StepSpec = {
  kind: 'snapshot-db-instance',
  iamActions: ['rds:CreateDBSnapshot', 'rds:AddTagsToResource', 'rds:DescribeDBSnapshots'],
  mutating: true,
  // Keeps the evidence and takes nothing away from the database: never waits.
  neverWaits: 'evidence',
  iamGrants: [
    { action: 'rds:CreateDBSnapshot', condition: onlyTagKeys(DATABASE_SNAPSHOT_TAG_KEYS) },
    { action: 'rds:AddTagsToResource', condition: onlyTagKeys(DATABASE_SNAPSHOT_TAG_KEYS) },
  ],
};
export const SNAPSHOT_DB_CLUSTER: StepSpec = {
  kind: 'snapshot-db-cluster',
  iamActions: ['rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource', 'rds:DescribeDBClusterSnapshots'],
  mutating: true,
  neverWaits: 'evidence',
  iamGrants: [
    { action: 'rds:CreateDBClusterSnapshot', condition: onlyTagKeys(DATABASE_SNAPSHOT_TAG_KEYS) },
    { action: 'rds:AddTagsToResource', condition: onlyTagKeys(DATABASE_SNAPSHOT_TAG_KEYS) },
  ],
};

/*
 * The isolation group of the database's VPC: contain-instance's own group, found and verified or created the same way
 * (contain-instance/steps/security-groups.ts), with the same IAM confinement. Declared again under the database's change
 * class, so the group is only made when the restriction it serves is.
 */
export const CREATE_DATABASE_ISOLATION_GROUP: StepSpec = { ...CREATE_SECURITY_GROUP, kind: 'create-database-isolation-group', changeClass: 'restrict-database-network' };
export const CLOSE_DATABASE_ISOLATION_GROUP: StepSpec = { ...CLOSE_ISOLATION_GROUP, kind: 'close-database-isolation-group', changeClass: 'restrict-database-network' };

/**
 * ModifyDBInstance / ModifyDBCluster VpcSecurityGroupIds, applied immediately. IAM has no key for which attribute a
 * Modify call changes: the code sends VpcSecurityGroupIds and ApplyImmediately alone (test/unit/playbooks/contain-database).
 * Describe first: ApplyImmediately also applies the modifications pending for the maintenance window, so the step reads
 * them right before the call and changes nothing while any is pending (pending-modifications.ts).
 */
export const RESTRICT_DB_INSTANCE_NETWORK: StepSpec = {
  kind: 'restrict-db-instance-network',
  iamActions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'],
  mutating: true,
  changeClass: 'restrict-database-network',
};
export const RESTRICT_DB_CLUSTER_NETWORK: StepSpec = {
  kind: 'restrict-db-cluster-network',
  iamActions: ['rds:DescribeDBClusters', 'rds:ModifyDBCluster'],
  mutating: true,
  changeClass: 'restrict-database-network',
};

/** The restore record (the ledger, security account): the database's security groups before the restriction. */
export const RECORD_DATABASE_RESTORE_STATE: StepSpec = {
  kind: 'record-database-restore-state',
  iamActions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  mutating: true,
  neverWaits: 'bookkeeping',
};
export const CONTAIN_DATABASE_LEDGER_STEP_SPECS: readonly StepSpec[] = [RECORD_DATABASE_RESTORE_STATE];

export const CONTAIN_DATABASE_STEP_SPECS: readonly StepSpec[] = [
  READ_DB_INSTANCE,
  READ_DB_CLUSTER,
  READ_DB_SUBNET_GROUP,
  READ_RESPONDER_SECURITY_GROUPS,
  SNAPSHOT_DB_INSTANCE,
  SNAPSHOT_DB_CLUSTER,
  CREATE_DATABASE_ISOLATION_GROUP,
  CLOSE_DATABASE_ISOLATION_GROUP,
  RESTRICT_DB_INSTANCE_NETWORK,
  RESTRICT_DB_CLUSTER_NETWORK,
];
