import type { Finding as HeldFinding, Tag as HeldTag } from '@aws-sdk/client-guardduty';
import type { Finding } from '../finding/schema';
import { guardDutyTypeNameOf, typeNameOf } from '../finding/sequence-types';
import { rulesFor, type FieldRule } from './field-rules';

/*
 * Every field of a finding that a playbook acts on or decides by, compared
 * with GuardDuty's copy before anything changes (compare.ts). A forged copy
 * of a real finding id passes the id, type and account; only these make it
 * name the same resource, principal, object or sequence as GuardDuty's.
 * All are compared for every finding, whatever its resource type: a field
 * GuardDuty does not hold must be absent from the delivery too.
 *
 * Only identifiers and what decides a plan are here, and of the tags only
 * the exempt tag (exemptTagFields). Fields that change while an incident is
 * answered (other tags, security groups, counts, timestamps) are not: GuardDuty may update its copy after the delivery (a later
 * occurrence), and every such value is read from the account itself before
 * it is used. Adding a field a playbook starts to act on is one line here.
 */

export const COMPARED_FIELDS: readonly FieldRule<Finding, HeldFinding>[] = rulesFor<Finding, HeldFinding>((finding) => [
  // Every playbook: what it is routed by, the account it acts in, the severity floor.
  finding.field('id', (f) => f.id, (h) => h.Id),
  finding.field('accountId', (f) => f.accountId, (h) => h.AccountId),
  finding.field('type', (f) => f.type, (h) => h.Type),
  finding.field('severity', (f) => f.severity, (h) => h.Severity),
  finding.field('service.resourceRole', (f) => f.service?.resourceRole, (h) => h.Service?.ResourceRole),
  finding.within('resource', (f) => f.resource, (h) => h.Resource, (resource) => [
    resource.field('resourceType', (r) => r.resourceType, (r) => r.ResourceType),

    // contain-instance, contain-task's EC2 host, contain-eks's node: the instance; contain-eks names the node in `kubectl cordon` by the first interface's private DNS name.
    resource.within('instanceDetails', (r) => r.instanceDetails, (r) => r.InstanceDetails, (instance) => [
      instance.field('instanceId', (i) => i.instanceId, (i) => i.InstanceId),
      instance.field('networkInterfaces[0].privateDnsName', (i) => i.networkInterfaces?.[0]?.privateDnsName, (i) => i.NetworkInterfaces?.[0]?.PrivateDnsName),
    ]),

    // revoke-credentials: the key to deactivate and the principal whose sessions are revoked.
    resource.within('accessKeyDetails', (r) => r.accessKeyDetails, (r) => r.AccessKeyDetails, (key) => [
      key.field('accessKeyId', (k) => k.accessKeyId, (k) => k.AccessKeyId),
      key.field('principalId', (k) => k.principalId, (k) => k.PrincipalId),
      key.field('userName', (k) => k.userName, (k) => k.UserName),
      key.field('userType', (k) => k.userType, (k) => k.UserType),
    ]),

    // block-public-access: the bucket; quarantine-object: the object version (key, version, ETag, hash); revoke-credentials records the buckets.
    resource.eachOf('s3BucketDetails', (r) => r.s3BucketDetails, (r) => r.S3BucketDetails, (bucket) => [
      bucket.field('name', (b) => b.name, (b) => b.Name),
      bucket.field('arn', (b) => b.arn, (b) => b.Arn),
      bucket.eachOf('s3ObjectDetails', (b) => b.s3ObjectDetails, (b) => b.S3ObjectDetails, (object) => [
        object.field('objectArn', (o) => o.objectArn, (o) => o.ObjectArn),
        object.field('key', (o) => o.key, (o) => o.Key),
        object.field('versionId', (o) => o.versionId, (o) => o.VersionId),
        object.field('eTag', (o) => o.eTag, (o) => o.ETag),
        object.field('hash', (o) => o.hash, (o) => o.Hash),
      ]),
    ]),

    // contain-eks: the cluster, the Kubernetes user whose IAM principal is revoked (its uid proves the caller), the pod labelled.
    resource.within('eksClusterDetails', (r) => r.eksClusterDetails, (r) => r.EksClusterDetails, (cluster) => [
      cluster.field('name', (c) => c.name, (c) => c.Name),
      cluster.field('arn', (c) => c.arn, (c) => c.Arn),
    ]),
    resource.within('kubernetesDetails.kubernetesUserDetails', (r) => r.kubernetesDetails?.kubernetesUserDetails, (r) => r.KubernetesDetails?.KubernetesUserDetails, (user) => [
      user.field('username', (u) => u.username, (u) => u.Username),
      user.field('uid', (u) => u.uid, (u) => u.Uid),
      user.valuesOf('sessionName', (u) => u.sessionName, (u) => u.SessionName),
    ]),
    resource.within('kubernetesDetails.kubernetesWorkloadDetails', (r) => r.kubernetesDetails?.kubernetesWorkloadDetails, (r) => r.KubernetesDetails?.KubernetesWorkloadDetails, (workload) => [
      workload.field('name', (w) => w.name, (w) => w.Name),
      workload.field('namespace', (w) => w.namespace, (w) => w.Namespace),
      workload.field('type', (w) => w.type, (w) => w.Type),
    ]),

    // contain-task: the cluster, the task it stops, the task definition it tags.
    resource.within('ecsClusterDetails', (r) => r.ecsClusterDetails, (r) => r.EcsClusterDetails, (cluster) => [
      cluster.field('name', (c) => c.name, (c) => c.Name),
      cluster.field('arn', (c) => c.arn, (c) => c.Arn),
      cluster.within('taskDetails', (c) => c.taskDetails, (c) => c.TaskDetails, (task) => [
        task.field('arn', (t) => t.arn, (t) => t.Arn),
        task.field('definitionArn', (t) => t.definitionArn, (t) => t.DefinitionArn),
      ]),
    ]),

    // contain-function: the function (name, ARN, version).
    resource.within('lambdaDetails', (r) => r.lambdaDetails, (r) => r.LambdaDetails, (fn) => [
      fn.field('functionName', (l) => l.functionName, (l) => l.FunctionName),
      fn.field('functionArn', (l) => l.functionArn, (l) => l.FunctionArn),
      fn.field('functionVersion', (l) => l.functionVersion, (l) => l.FunctionVersion),
    ]),

    // contain-database: the DB instance or cluster snapshotted and restricted, the user named for the password rotation.
    resource.within('rdsDbInstanceDetails', (r) => r.rdsDbInstanceDetails, (r) => r.RdsDbInstanceDetails, (db) => [
      db.field('dbInstanceIdentifier', (d) => d.dbInstanceIdentifier, (d) => d.DbInstanceIdentifier),
      db.field('dbClusterIdentifier', (d) => d.dbClusterIdentifier, (d) => d.DbClusterIdentifier),
      db.field('dbInstanceArn', (d) => d.dbInstanceArn, (d) => d.DbInstanceArn),
      db.field('engine', (d) => d.engine, (d) => d.Engine),
    ]),
    resource.within('rdsLimitlessDbDetails', (r) => r.rdsLimitlessDbDetails, (r) => r.RdsLimitlessDbDetails, (db) => [
      db.field('dbShardGroupIdentifier', (d) => d.dbShardGroupIdentifier, (d) => d.DbShardGroupIdentifier),
      db.field('dbShardGroupArn', (d) => d.dbShardGroupArn, (d) => d.DbShardGroupArn),
      db.field('dbClusterIdentifier', (d) => d.dbClusterIdentifier, (d) => d.DbClusterIdentifier),
      db.field('engine', (d) => d.engine, (d) => d.Engine),
    ]),
    resource.within('rdsDbUserDetails', (r) => r.rdsDbUserDetails, (r) => r.RdsDbUserDetails, (user) => [
      user.field('user', (u) => u.user, (u) => u.User),
      user.field('database', (u) => u.database, (u) => u.Database),
    ]),

    // quarantine-image: the snapshot, AMI or recovery point (and its vault) tagged and unshared.
    resource.field('ebsSnapshotDetails.snapshotArn', (r) => r.ebsSnapshotDetails?.snapshotArn, (r) => r.EbsSnapshotDetails?.SnapshotArn),
    resource.field('ec2ImageDetails.imageArn', (r) => r.ec2ImageDetails?.imageArn, (r) => r.Ec2ImageDetails?.ImageArn),
    resource.within('recoveryPointDetails', (r) => r.recoveryPointDetails, (r) => r.RecoveryPointDetails, (point) => [
      point.field('recoveryPointArn', (p) => p.recoveryPointArn, (p) => p.RecoveryPointArn),
      point.field('backupVaultName', (p) => p.backupVaultName, (p) => p.BackupVaultName),
    ]),
  ]),

  // revoke-credentials: whether the caller is of another account (a manual plan) or of ours (revoked).
  finding.within(
    'service.action.awsApiCallAction.remoteAccountDetails',
    (f) => f.service?.action?.awsApiCallAction?.remoteAccountDetails,
    (h) => h.Service?.Action?.AwsApiCallAction?.RemoteAccountDetails,
    (remote) => [remote.field('accountId', (a) => a.accountId, (a) => a.AccountId), remote.field('affiliated', (a) => a.affiliated, (a) => a.Affiliated)],
  ),

  // answer-sequence: each resource it answers, the signals that choose the playbook for it, the actors that name a key's or role's principal.
  finding.within('service.detection.sequence', (f) => f.service?.detection?.sequence, (h) => h.Service?.Detection?.Sequence, (sequence) => [
    sequence.field('uid', (s) => s.uid, (s) => s.Uid),
    sequence.eachOf('resources', (s) => s.resources, (s) => s.Resources, (member) => [
      member.field('uid', (r) => r.uid, (r) => r.Uid),
      // Either spelling of a type is answered the same way (resource-views.ts), so either compares equal to GuardDuty's.
      member.field('resourceType', (r) => guardDutyTypeNameOf(typeNameOf(r)), (r) => guardDutyTypeNameOf(r.ResourceType)),
      member.field('accountId', (r) => r.accountId, (r) => r.AccountId),
      member.field('region', (r) => r.region, (r) => r.Region),
      member.field('cloudPartition', (r) => r.cloudPartition, (r) => r.CloudPartition),
    ]),
    sequence.eachOf('signals', (s) => s.signals, (s) => s.Signals, (signal) => [
      signal.field('uid', (g) => g.uid, (g) => g.Uid),
      signal.field('type', (g) => g.type, (g) => g.Type),
      signal.field('name', (g) => g.name, (g) => g.Name),
      signal.valuesOf('resourceUids', (g) => g.resourceUids, (g) => g.ResourceUids),
    ]),
    sequence.eachOf('actors', (s) => s.actors, (s) => s.Actors, (actor) => [
      actor.field('id', (a) => a.id, (a) => a.Id),
      actor.field('user.name', (a) => a.user?.name, (a) => a.User?.Name),
      actor.field('user.type', (a) => a.user?.type, (a) => a.User?.Type),
      actor.field('user.uid', (a) => a.user?.uid, (a) => a.User?.Uid),
      actor.field('user.credentialUid', (a) => a.user?.credentialUid, (a) => a.User?.CredentialUid),
      actor.field('user.account.uid', (a) => a.user?.account?.uid, (a) => a.User?.Account?.Uid),
    ]),
  ]),
]);

type Tags = readonly ({ readonly key?: string | null; readonly value?: string | null } | null | undefined)[] | null | undefined;

/** The exempt tag's value as a playbook reads a tag list (the last of that key wins; '' for a tag without value); undefined when absent. */
function tagValue(tags: Tags, key: string): string | undefined {
  let value: string | undefined;
  for (const tag of tags ?? []) if (tag?.key === key) value = tag.value ?? '';
  return value;
}

function heldTagValue(tags: readonly HeldTag[] | undefined, key: string): string | undefined {
  return tagValue(tags?.map((tag) => ({ key: tag.Key, value: tag.Value })), key);
}

/**
 * The exempt tag (config exemptTagKey) in every resource tag list of a
 * finding. block-public-access takes a bucket's exemption from the tags
 * GuardDuty reports (and contain-instance an unread instance's): a forged
 * copy that drops the tag must not act on a resource GuardDuty reports as
 * exempt. Only that key: the other tags may change (the response tags the
 * resource) and are never decided by.
 */
export function exemptTagFields(key: string): readonly FieldRule<Finding, HeldFinding>[] {
  const name = `tags[${JSON.stringify(key)}]`;
  return rulesFor<Finding, HeldFinding>((finding) => [
    finding.within('resource', (f) => f.resource, (h) => h.Resource, (resource) => [
      resource.field(`instanceDetails.${name}`, (r) => tagValue(r.instanceDetails?.tags, key), (r) => heldTagValue(r.InstanceDetails?.Tags, key)),
      resource.eachOf('s3BucketDetails', (r) => r.s3BucketDetails, (r) => r.S3BucketDetails, (bucket) => [
        bucket.field(name, (b) => tagValue(b.tags, key), (b) => heldTagValue(b.Tags, key)),
      ]),
      resource.field(`lambdaDetails.${name}`, (r) => tagValue(r.lambdaDetails?.tags, key), (r) => heldTagValue(r.LambdaDetails?.Tags, key)),
      resource.field(`rdsDbInstanceDetails.${name}`, (r) => tagValue(r.rdsDbInstanceDetails?.tags, key), (r) => heldTagValue(r.RdsDbInstanceDetails?.Tags, key)),
      resource.field(`rdsLimitlessDbDetails.${name}`, (r) => tagValue(r.rdsLimitlessDbDetails?.tags, key), (r) => heldTagValue(r.RdsLimitlessDbDetails?.Tags, key)),
      resource.field(`eksClusterDetails.${name}`, (r) => tagValue(r.eksClusterDetails?.tags, key), (r) => heldTagValue(r.EksClusterDetails?.Tags, key)),
      resource.field(`ecsClusterDetails.${name}`, (r) => tagValue(r.ecsClusterDetails?.tags, key), (r) => heldTagValue(r.EcsClusterDetails?.Tags, key)),
    ]),
  ]);
}
