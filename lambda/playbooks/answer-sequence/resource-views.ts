import { isDbIdentifier } from '../../finding/database-target';
import { INSTANCE_ID } from '../../finding/ids';
import { spellingsOf, typeNameOf } from '../../finding/sequence-types';
import type { Finding } from '../../finding/schema';
import { untrusted } from '../../text/untrusted';
import type { SequenceActor, SequenceResource } from './sequence';

/*
 * How each resource of an attack sequence becomes a finding the playbook
 * that answers it can read: the GuardDuty `resource` shape that playbook
 * already parses (instanceDetails, accessKeyDetails, s3BucketDetails, ...).
 *
 * A sequence's resources are the attacker's to shape as much as anything
 * else in a finding: a uid is parsed strictly (an id or an ARN of exactly
 * the expected form), and a resource that names another account, partition
 * or region than the finding's, or that cannot be parsed, is refused with
 * the reason: nothing is done to it.
 *
 * DERIVATIONS is data, one entry per resource type: a playbook added to the
 * stack answers a new resource type inside sequences with one entry here
 * (and one in members.ts).
 */

export type FindingResource = NonNullable<Finding['resource']>;

/** Every GuardDuty resource type a view of a sequence's resource can have: the routing table's playbooks for these are the members (members.ts). */
export const SEQUENCE_VIEW_RESOURCE_TYPES = ['AccessKey', 'Instance', 'S3Bucket', 'S3Object', 'ECSCluster', 'EKSCluster', 'Lambda', 'RDSDBInstance', 'EBSSnapshot', 'EC2Image'] as const;
export type SequenceViewResourceType = (typeof SEQUENCE_VIEW_RESOURCE_TYPES)[number];

export interface ResourceView {
  /** The GuardDuty resourceType the routing table and the answering playbook know (Instance, AccessKey, S3Bucket, ...). */
  readonly resourceType: SequenceViewResourceType;
  /** The finding's `resource` as the answering playbook reads it. */
  readonly resource: FindingResource;
  /** Short and readable, for the report: "instance i-0abc", "key AKIA... of IAMUser alice". */
  readonly label: string;
}

export type Derived = { readonly ok: true; readonly view: ResourceView } | { readonly ok: false; readonly reason: string };

export interface DerivationContext {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string | undefined;
  readonly actors: readonly SequenceActor[];
}

interface Derivation {
  /** The names GuardDuty (ResourceV2.resourceType) and Security Hub / OCSF (`type`) give this resource type. */
  readonly names: readonly string[];
  readonly derive: (uid: string, resource: SequenceResource, context: DerivationContext) => Derived;
}

const refuse = (reason: string): Derived => ({ ok: false, reason });
const derived = (view: ResourceView): Derived => ({ ok: true, view });

/** arn:partition:service:region:account:resource, each part checked; the resource part is matched by each derivation. */
const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z])?:([a-z0-9-]{1,32}):([a-z0-9-]{0,32}):(\d{12})?:(.{1,1024})$/;

interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

export function parseArn(text: string): Arn | undefined {
  const match = ARN.exec(text);
  if (!match || match[1] === undefined) return undefined;
  return { partition: match[1], service: match[2]!, region: match[3]!, account: match[4] ?? '', resource: match[5]! };
}

/** An ARN of the finding's partition and account (and region, for a regional resource); or why not. */
function ownArn(uid: string, service: string, context: DerivationContext, regional: boolean): Arn | string {
  const arn = parseArn(uid);
  if (!arn || arn.service !== service) return `uid ${JSON.stringify(uid)} is not an ${service} ARN`;
  if (arn.partition !== context.partition) return `the ARN is in partition ${arn.partition}, the finding in ${context.partition}`;
  if (arn.account !== '' && arn.account !== context.accountId) return `the ARN names account ${arn.account}, not the finding's account ${context.accountId}`;
  if (regional && arn.region !== (context.region ?? '')) return `the ARN names region ${arn.region || '(none)'}, not the finding's region ${context.region ?? '(none)'}`;
  return arn;
}

// IAM user and role names (and a path's segments): letters, digits and +=,.@_-, 1 to 64.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_PATH = /^\/(?:[\x21-\x7e]{0,510}\/)?$/;
const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;
// S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// ECS and EKS cluster names, Lambda function names.
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
// S3 object keys as the quarantine playbook accepts them (lambda/playbooks/s3/target.ts checks again): printable, 1 to 1024.
const OBJECT_KEY = /^[\x20-\x7e]{1,1024}$/;
// EBS snapshot and AMI ids (lambda/finding/image-target.ts checks again).
const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const IMAGE_ID = /^ami-[0-9a-f]{8,17}$/;
// ECS task ids: 32 hex digits (older tasks: a UUID).
const TASK_ID = /^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `role/path/name` or `user/name` of an IAM ARN: the name, with a well-formed path. */
function iamName(resource: string, kind: 'role' | 'user'): string | undefined {
  if (!resource.startsWith(`${kind}/`)) return undefined;
  const rest = resource.slice(kind.length);
  const lastSlash = rest.lastIndexOf('/');
  const path = rest.slice(0, lastSlash + 1);
  const name = rest.slice(lastSlash + 1);
  return IAM_PATH.test(path) && IAM_NAME.test(name) ? name : undefined;
}

/**
 * The principalId the sequence's actors give the IAM user or role of this name in the finding's
 * account: revoke-credentials compares it with IAM's unique id and refuses without one (a name
 * alone may be another principal's). Actors naming it with different unique ids: none is taken.
 */
function principalIdOfActors(kind: 'role' | 'user', name: string, context: DerivationContext): string | null {
  const types = kind === 'role' ? ['AssumedRole', 'Role'] : ['IAMUser'];
  const uids = context.actors
    .filter((actor) => actor.user?.name === name && types.includes(actor.user.type ?? '') && (actor.user.account?.uid ?? context.accountId) === context.accountId)
    .flatMap((actor) => (actor.user?.uid ? [actor.user.uid] : []));
  // A role's sessions differ after the colon ("<role id>:<session>"): the role's own id is before it.
  const ids = new Set(uids.map((uid) => (kind === 'role' ? uid.split(':')[0] : uid)));
  return ids.size === 1 ? uids[0]! : null;
}

function iamPrincipal(kind: 'role' | 'user', userType: 'Role' | 'IAMUser'): Derivation['derive'] {
  return (uid, _resource, context) => {
    const arn = ownArn(uid, 'iam', context, false);
    if (typeof arn === 'string') return refuse(arn);
    if (arn.account === '') return refuse('the IAM ARN names no account');
    const name = iamName(arn.resource, kind);
    if (!name) return refuse(`${JSON.stringify(arn.resource)} is not an IAM ${kind} with a valid name`);
    return derived({
      resourceType: 'AccessKey',
      // revoke-credentials reads the principal from accessKeyDetails: a role by its name and userType Role, a user by its name.
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: null, principalId: principalIdOfActors(kind, name, context), userName: name, userType } },
      label: `${kind} ${name}`,
    });
  };
}

/** The one actor of the sequence that used this key: whose key it is. Two actors with different users for one key: unknown. */
function actorOfKey(accessKeyId: string, actors: readonly SequenceActor[]): SequenceActor | string {
  const holders = actors.filter((actor) => actor.user?.credentialUid === accessKeyId);
  const users = new Set(holders.map((actor) => `${actor.user?.type ?? ''}/${actor.user?.name ?? ''}`));
  if (holders.length === 0) return 'no actor of the sequence used this key (user.credentialUid): whose key it is is not known';
  if (users.size > 1) return `${users.size} different actors of the sequence name this key: whose key it is is not known`;
  return holders[0]!;
}

export const DERIVATIONS: readonly Derivation[] = [
  {
    names: spellingsOf('EC2_INSTANCE'),
    derive: (uid, _resource, context) => {
      let instanceId = uid;
      if (!INSTANCE_ID.test(uid)) {
        const arn = ownArn(uid, 'ec2', context, true);
        if (typeof arn === 'string') return refuse(arn);
        instanceId = arn.resource.startsWith('instance/') ? arn.resource.slice('instance/'.length) : '';
        if (!INSTANCE_ID.test(instanceId)) return refuse(`${JSON.stringify(arn.resource)} is not an EC2 instance`);
      }
      return derived({ resourceType: 'Instance', resource: { resourceType: 'Instance', instanceDetails: { instanceId } }, label: `instance ${instanceId}` });
    },
  },
  {
    names: spellingsOf('ACCESS_KEY'),
    derive: (uid, _resource, context) => {
      if (!ACCESS_KEY_ID.test(uid)) return refuse(`uid ${JSON.stringify(uid)} is not an access key id`);
      const actor = actorOfKey(uid, context.actors);
      if (typeof actor === 'string') return refuse(actor);
      const user = actor.user;
      return derived({
        resourceType: 'AccessKey',
        resource: {
          resourceType: 'AccessKey',
          accessKeyDetails: { accessKeyId: uid, principalId: user?.uid ?? null, userName: user?.name ?? null, userType: user?.type ?? null },
        },
        label: `key ${uid} of ${user?.type ?? 'principal'} ${user?.name ?? '(no name)'}`,
      });
    },
  },
  { names: spellingsOf('IAM_ROLE'), derive: iamPrincipal('role', 'Role') },
  { names: spellingsOf('IAM_USER'), derive: iamPrincipal('user', 'IAMUser') },
  {
    names: spellingsOf('S3_BUCKET'),
    derive: (uid, _resource, context) => {
      let name = uid;
      if (!BUCKET_NAME.test(uid)) {
        const arn = ownArn(uid, 's3', context, false);
        if (typeof arn === 'string') return refuse(arn);
        // A bucket's ARN names neither account nor region: the resource's own accountId (checked by viewOf) is the only claim.
        if (arn.account !== '' || arn.region !== '' || !BUCKET_NAME.test(arn.resource)) return refuse(`${JSON.stringify(uid)} is not an S3 bucket ARN`);
        name = arn.resource;
      }
      return derived({
        resourceType: 'S3Bucket',
        resource: { resourceType: 'S3Bucket', s3BucketDetails: [{ name, arn: `arn:${context.partition}:s3:::${name}` }] },
        label: `bucket ${name}`,
      });
    },
  },
  {
    names: spellingsOf('ECS_CLUSTER'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'ecs', context, true);
      if (typeof arn === 'string') return refuse(arn);
      const name = arn.resource.startsWith('cluster/') ? arn.resource.slice('cluster/'.length) : '';
      if (!CLUSTER_NAME.test(name)) return refuse(`${JSON.stringify(arn.resource)} is not an ECS cluster`);
      return derived({ resourceType: 'ECSCluster', resource: { resourceType: 'ECSCluster', ecsClusterDetails: { name, arn: uid } }, label: `ECS cluster ${name}` });
    },
  },
  {
    names: spellingsOf('ECS_TASK'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'ecs', context, true);
      if (typeof arn === 'string') return refuse(arn);
      // task/<cluster>/<task id>: the cluster and the task, as GuardDuty's ecsClusterDetails.taskDetails names them.
      const [kind, cluster, task, ...rest] = arn.resource.split('/');
      if (kind !== 'task' || !cluster || !CLUSTER_NAME.test(cluster) || !task || !TASK_ID.test(task) || rest.length > 0) return refuse(`${JSON.stringify(arn.resource)} is not an ECS task`);
      const clusterArn = `arn:${arn.partition}:ecs:${arn.region}:${arn.account}:cluster/${cluster}`;
      return derived({
        resourceType: 'ECSCluster',
        resource: { resourceType: 'ECSCluster', ecsClusterDetails: { name: cluster, arn: clusterArn, taskDetails: { arn: uid } } },
        label: `ECS task ${task} of cluster ${cluster}`,
      });
    },
  },
  {
    names: spellingsOf('EKS_CLUSTER'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'eks', context, true);
      if (typeof arn === 'string') return refuse(arn);
      const name = arn.resource.startsWith('cluster/') ? arn.resource.slice('cluster/'.length) : '';
      if (!CLUSTER_NAME.test(name)) return refuse(`${JSON.stringify(arn.resource)} is not an EKS cluster`);
      return derived({ resourceType: 'EKSCluster', resource: { resourceType: 'EKSCluster', eksClusterDetails: { name, arn: uid } }, label: `EKS cluster ${name}` });
    },
  },
  {
    names: spellingsOf('S3_OBJECT'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 's3', context, false);
      if (typeof arn === 'string') return refuse(arn);
      const slash = arn.resource.indexOf('/');
      const bucket = arn.resource.slice(0, slash);
      const key = arn.resource.slice(slash + 1);
      if (arn.account !== '' || arn.region !== '' || slash < 0 || !BUCKET_NAME.test(bucket) || !OBJECT_KEY.test(key)) return refuse(`${JSON.stringify(uid)} is not an S3 object ARN`);
      // A sequence names the object, not its version: quarantine-object tags the current version, and says so.
      return derived({
        resourceType: 'S3Object',
        resource: { resourceType: 'S3Object', s3BucketDetails: [{ name: bucket, arn: `arn:${context.partition}:s3:::${bucket}`, s3ObjectDetails: [{ key }] }] },
        label: `object s3://${bucket}/${untrusted(key)} (current version: the sequence names none)`,
      });
    },
  },
  {
    names: spellingsOf('RDS_DB_INSTANCE'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'rds', context, true);
      if (typeof arn === 'string') return refuse(arn);
      const id = arn.resource.startsWith('db:') ? arn.resource.slice('db:'.length) : '';
      if (!isDbIdentifier(id)) return refuse(`${JSON.stringify(arn.resource)} is not an RDS DB instance`);
      return derived({
        resourceType: 'RDSDBInstance',
        resource: { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: id, dbInstanceArn: uid } },
        label: `DB instance ${id}`,
      });
    },
  },
  {
    names: spellingsOf('EC2_SNAPSHOT'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'ec2', context, true);
      if (typeof arn === 'string') return refuse(arn);
      const id = arn.resource.startsWith('snapshot/') ? arn.resource.slice('snapshot/'.length) : '';
      if (!SNAPSHOT_ID.test(id)) return refuse(`${JSON.stringify(arn.resource)} is not an EBS snapshot`);
      return derived({ resourceType: 'EBSSnapshot', resource: { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: uid } }, label: `snapshot ${id}` });
    },
  },
  {
    names: spellingsOf('EC2_IMAGE'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'ec2', context, true);
      if (typeof arn === 'string') return refuse(arn);
      const id = arn.resource.startsWith('image/') ? arn.resource.slice('image/'.length) : '';
      if (!IMAGE_ID.test(id)) return refuse(`${JSON.stringify(arn.resource)} is not an AMI`);
      return derived({ resourceType: 'EC2Image', resource: { resourceType: 'EC2Image', ec2ImageDetails: { imageArn: uid } }, label: `AMI ${id}` });
    },
  },
  {
    names: spellingsOf('LAMBDA_FUNCTION'),
    derive: (uid, _resource, context) => {
      const arn = ownArn(uid, 'lambda', context, true);
      if (typeof arn === 'string') return refuse(arn);
      const name = arn.resource.startsWith('function:') ? arn.resource.slice('function:'.length) : '';
      if (!FUNCTION_NAME.test(name)) return refuse(`${JSON.stringify(arn.resource)} is not an unqualified Lambda function`);
      return derived({ resourceType: 'Lambda', resource: { resourceType: 'Lambda', lambdaDetails: { functionArn: uid, functionName: name } }, label: `function ${name}` });
    },
  },
];

export { typeNameOf };

// Printable text without spaces: what a uid of any resource type looks like, and nothing a report line could be forged with.
const UID = /^[\x21-\x7e]{1,2048}$/;

/**
 * The view of one resource of the sequence, or why it is refused. Checked
 * for every type alike: its account must be the finding's (a resource
 * naming no account is refused: acting on it would take the attacker's word
 * that it is ours), and so must its partition and region when it names them.
 */
export function viewOf(resource: SequenceResource, finding: Finding, actors: readonly SequenceActor[]): Derived {
  const accountId = finding.accountId;
  if (!accountId) return refuse('the finding names no account');
  const typeName = typeNameOf(resource);
  const derivation = DERIVATIONS.find((d) => typeName !== undefined && d.names.includes(typeName));
  if (!derivation) return refuse(`no playbook answers a resource of type ${untrusted(JSON.stringify(typeName ?? '(none)'))}: reported only`);
  const uid = resource.uid ?? '';
  if (!UID.test(uid)) return refuse('its uid is missing or not printable text without spaces');
  if (!resource.accountId) return refuse(`it names no account: only a resource of the finding's account ${accountId} is acted on`);
  if (resource.accountId !== accountId) return refuse(`it is in account ${untrusted(resource.accountId)}, not the finding's account ${accountId}`);
  const partition = finding.partition ?? 'aws';
  if (resource.cloudPartition && resource.cloudPartition !== partition) return refuse(`it is in partition ${untrusted(resource.cloudPartition)}, not the finding's ${partition}`);
  const region = finding.region ?? undefined;
  // IAM resources say "global"; any other region must be the finding's, where the playbooks act.
  if (resource.region && resource.region !== 'global' && resource.region !== region) return refuse(`it is in region ${untrusted(resource.region)}, not the finding's region ${region ?? '(none)'}`);
  return derivation.derive(uid, resource, { accountId, partition, region, actors });
}
