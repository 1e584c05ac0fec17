import { createHash, randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bool, isConditionFailure, list, map, n, s, stringOf, type Item } from './attributes';
import { scanOpenRevocations, type OpenRevocation, type RevokedPrincipal } from './open-revocations';
import { ResourceIncidents } from './resource-incidents';

/*
 * The restore record: everything needed to undo a containment, written to
 * the ledger (the security account's table) by a step that runs before the
 * change it makes undoable. Tags on the resource are only a convenience
 * copy: whoever can tag the instance (an attacker on it) can write them,
 * and a response can fail before it writes them. `ir release` reads this.
 *
 * One item per RESOURCE, not per incident (`restore#<account>#<region>#<instance-id>`,
 * `restore#<account>#<access-key-id>`), so `ir release <instance-id>` finds it
 * knowing only the instance. Every fact is its own top-level attribute,
 * written with if_not_exists: the first record of an original wins, and a
 * retry or a second finding (which sees the ENI already on the isolation
 * group, the profile already gone) adds only what is new. The writes are
 * idempotent, so an answer lost after the write landed and retried by the
 * SDK finds its own write and succeeds.
 *
 * A released record (closedAt set) is finished: the next containment of the
 * resource starts a fresh record over it (conditional on the record still
 * being closed), since the originals it holds are the ones put back.
 */

export const RESTORE_KEY_PREFIX = 'restore#';

export function instanceRestoreKey(accountId: string, region: string, instanceId: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#${region}#${instanceId}`;
}

/** An ECS task (contain-task): found by account, region and task ARN's cluster and id. */
export function ecsTaskRestoreKey(accountId: string, region: string, clusterName: string, taskId: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#${region}#ecs-task/${clusterName}/${taskId}`;
}

/** IAM is global: an access key is found by account and key id alone. */
export function accessKeyRestoreKey(accountId: string, accessKeyId: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#${accessKeyId}`;
}

/** Bucket names are global: a bucket is found by account and name alone (`s3:` keeps it apart from a key id). */
export function bucketRestoreKey(accountId: string, bucket: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#s3:${bucket}`;
}

/** Past this many bytes an object's name is hashed in ledger keys: a DynamoDB partition key holds at most 2048, an object key alone 1024. */
const LONGEST_OBJECT_NAME = 512;

/** `<bucket>/<key>#<version>` (`null` when the finding names no version), or its SHA-256 when that is too long for a ledger key. */
export function objectName(bucket: string, key: string, versionId: string | null): string {
  const name = `${bucket}/${key}#${versionId ?? 'null'}`;
  return Buffer.byteLength(name, 'utf8') <= LONGEST_OBJECT_NAME ? name : `${bucket}/sha256:${createHash('sha256').update(name).digest('hex')}`;
}

/** One object version (quarantine-object). */
export function objectRestoreKey(accountId: string, bucket: string, key: string, versionId: string | null): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#s3:${objectName(bucket, key, versionId)}`;
}

/** S3 Block Public Access settings of one bucket. */
export interface RecordedPublicAccessBlock {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

const PUBLIC_ACCESS_BLOCK_SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

/** A Lambda function (contain-function): by account, region and name; `function:` keeps it apart from an instance id. */
export function functionRestoreKey(accountId: string, region: string, functionName: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#${region}#function:${functionName}`;
}

/** A DB instance or cluster (contain-database): the kind is in the key, as an instance and a cluster may share a name. */
export function databaseRestoreKey(accountId: string, region: string, kind: 'instance' | 'cluster', identifier: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#${region}#rds-${kind}#${identifier}`;
}

/** An EBS snapshot or an AMI (quarantine-image): ids are unique per region. */
export function imageRestoreKey(accountId: string, region: string, id: string): string {
  return `${RESTORE_KEY_PREFIX}${accountId}#${region}#${id}`;
}

/** One grant of a snapshot's createVolumePermission or an image's launchPermission. */
export interface RecordedSharePermission {
  readonly userId?: string;
  /** `all`: public. */
  readonly group?: string;
  readonly organizationArn?: string;
  readonly organizationalUnitArn?: string;
}

/* Attribute names. A fact per ENI, volume and target group is one attribute of its own, so each is first-wins on its own. */
const SGS = 'sgs:';
const VOLUME = 'volume:';
const TARGET_GROUP = 'tg:';
const SESSION_POLICY = 'sessionPolicy:';

export interface RecordedVolume {
  readonly deviceName: string;
  readonly volumeId: string;
  readonly deleteOnTermination: boolean;
}

export interface RecordedTargetGroup {
  readonly targetGroupArn: string;
  readonly ports: readonly number[];
}

/** A principal whose sessions the response revokes, and the revoke policy it already had (null: none). */
export interface RecordedSessionPolicy {
  readonly principal: { readonly kind: 'user' | 'role'; readonly name: string };
  readonly previousDocument: string | null;
}

/** The originals a step records. Absent fields are not written; present ones are written only where not yet recorded. */
export interface RestoreFacts {
  readonly networkInterfaces?: readonly { readonly networkInterfaceId: string; readonly groupIds: readonly string[] }[];
  readonly volumes?: readonly RecordedVolume[];
  /** The instance profile's ARN and the association the response removes. */
  readonly instanceProfileArn?: string;
  readonly autoScalingGroup?: string;
  readonly targetGroups?: readonly RecordedTargetGroup[];
  readonly terminationProtection?: boolean;
  /** revoke-credentials: the key's status before the response, and its user. */
  readonly accessKey?: { readonly userName: string; readonly status: string };
  readonly sessionPolicies?: readonly RecordedSessionPolicy[];
  /** contain-database: the VPC security groups of the DB instance or cluster before the response restricted them. */
  readonly databaseSecurityGroups?: readonly string[];
  /** quarantine-image: whom the snapshot or image was shared with before the response removed it. */
  readonly imageSharing?: { readonly kind: 'snapshot' | 'image'; readonly permissions: readonly RecordedSharePermission[] };
  /** block-public-access: the bucket's own public access block before the response; null: it had none. */
  readonly publicAccessBlock?: RecordedPublicAccessBlock | null;
  /** block-public-access: what made the bucket public (policy status, ACL grants), as JSON: evidence, never applied. */
  readonly bucketExposure?: string;
  /** quarantine-object: the object version's tags before the quarantine tag was added. */
  readonly objectTags?: readonly { readonly Key: string; readonly Value: string }[];
  /** quarantine-object: how the version is quarantined, and in copy mode where its copy is (a release copies it back from there). */
  readonly objectQuarantine?: RecordedObjectQuarantine;
  /** contain-function: the reserved concurrency before the response (null: unreserved). */
  readonly functionConcurrency?: RecordedConcurrency;
  /** contain-function: the function's configuration as discovery read it (JSON; environment variable names only, never values). */
  readonly functionConfiguration?: string;
  /** contain-task: the task as read before the response (task definition, image digests, container instance) and the suspect tags its revision had. */
  readonly ecsTask?: RecordedEcsTask;
}

/** quarantine-object's mode; in copy mode, the quarantine bucket and key the version is copied to (the copy's version id is in the step's report). */
export type RecordedObjectQuarantine = { readonly mode: 'tag'; readonly tagKey: string } | { readonly mode: 'copy'; readonly bucket: string; readonly key: string };

/** What contain-task records of a task: one attribute, first wins, like every other fact. */
export interface RecordedEcsTask {
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly launchType: string | null;
  readonly lastStatus: string | null;
  readonly taskDefinitionArn: string;
  readonly containers: readonly { readonly name: string; readonly image: string; readonly imageDigest: string | null }[];
  readonly containerInstanceArn: string | null;
  readonly ec2InstanceId: string | null;
  /** The responder's tag keys the task definition revision already carried (with their values): a release removes only the others. */
  readonly taskDefinitionTags: Readonly<Record<string, string>>;
}

export interface RecordedConcurrency {
  readonly reserved: number | null;
}

export type RestoreKind = 'instance' | 'access-key' | 'function' | 'bucket' | 'object' | 'ecs-task' | 'database' | 'image';

export interface RestoreWrite {
  readonly key: string;
  readonly kind: RestoreKind;
  /** What the record is of: the instance id, or the access key id. */
  readonly resourceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly incidentId: string;
  readonly findingId: string;
  readonly facts: RestoreFacts;
}

/** The record as `ir release` reads it. */
export interface RestoreRecord {
  readonly key: string;
  readonly kind: string | undefined;
  readonly resourceId: string | undefined;
  readonly incidentId: string | undefined;
  readonly findingId: string | undefined;
  /** The region of the response that wrote it (an access key's record is found without one: IAM is global). */
  readonly region?: string | undefined;
  readonly recordedAt: string | undefined;
  /** The last write of a response or a release. */
  readonly updatedAt?: string | undefined;
  readonly revision: number;
  readonly networkInterfaces: readonly { readonly networkInterfaceId: string; readonly groupIds: readonly string[] }[];
  readonly volumes: readonly RecordedVolume[];
  readonly instanceProfileArn: string | undefined;
  readonly autoScalingGroup: string | undefined;
  readonly targetGroups: readonly RecordedTargetGroup[];
  readonly terminationProtection: boolean | undefined;
  readonly accessKey: { readonly userName: string; readonly status: string } | undefined;
  readonly sessionPolicies: readonly RecordedSessionPolicy[];
  /** undefined: not recorded; null: the bucket had no public access block. */
  readonly publicAccessBlock?: RecordedPublicAccessBlock | null | undefined;
  readonly bucketExposure?: string | undefined;
  readonly objectTags?: readonly { readonly Key: string; readonly Value: string }[] | undefined;
  readonly objectQuarantine?: RecordedObjectQuarantine | undefined;
  readonly functionConcurrency?: RecordedConcurrency | undefined;
  readonly functionConfiguration?: string | undefined;
  /** contain-task's record of the task; absent on other records. */
  readonly ecsTask?: RecordedEcsTask;
  readonly databaseSecurityGroups: readonly string[] | undefined;
  readonly imageSharing: RestoreFacts['imageSharing'] | undefined;
  readonly released: { readonly at: string; readonly by: string; readonly restored: readonly string[] } | undefined;
  readonly closedAt: string | undefined;
}

/** Every fact as one attribute value, by attribute name. */
function factAttributes(facts: RestoreFacts): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const eni of facts.networkInterfaces ?? []) out[`${SGS}${eni.networkInterfaceId}`] = list(eni.groupIds.map(s));
  for (const v of facts.volumes ?? []) out[`${VOLUME}${v.deviceName}`] = map({ volumeId: s(v.volumeId), deleteOnTermination: bool(v.deleteOnTermination) });
  if (facts.instanceProfileArn !== undefined) out.instanceProfileArn = s(facts.instanceProfileArn);
  if (facts.autoScalingGroup !== undefined) out.autoScalingGroup = s(facts.autoScalingGroup);
  for (const tg of facts.targetGroups ?? []) out[`${TARGET_GROUP}${tg.targetGroupArn}`] = list(tg.ports.map(n));
  if (facts.terminationProtection !== undefined) out.terminationProtection = bool(facts.terminationProtection);
  if (facts.accessKey) out.accessKey = map({ userName: s(facts.accessKey.userName), status: s(facts.accessKey.status) });
  if (facts.functionConcurrency) out.functionConcurrency = map({ reserved: facts.functionConcurrency.reserved === null ? { NULL: true } : n(facts.functionConcurrency.reserved) });
  if (facts.functionConfiguration !== undefined) out.functionConfiguration = s(facts.functionConfiguration);
  if (facts.ecsTask) out.ecsTask = s(JSON.stringify(facts.ecsTask));
  // One attribute, kept as JSON: the permissions are restored together or not at all.
  if (facts.imageSharing !== undefined) out.imageSharing = s(JSON.stringify(facts.imageSharing));
  if (facts.databaseSecurityGroups !== undefined) out.databaseSecurityGroups = list(facts.databaseSecurityGroups.map(s));
  for (const p of facts.sessionPolicies ?? []) {
    out[`${SESSION_POLICY}${p.principal.kind}:${p.principal.name}`] = map({ previousDocument: p.previousDocument === null ? { NULL: true } : s(p.previousDocument) });
  }
  if (facts.publicAccessBlock !== undefined) {
    const block = facts.publicAccessBlock;
    out.publicAccessBlock = block === null ? { NULL: true } : map(Object.fromEntries(PUBLIC_ACCESS_BLOCK_SETTINGS.map((name) => [name, bool(block[name])])));
  }
  if (facts.bucketExposure !== undefined) out.bucketExposure = s(facts.bucketExposure);
  if (facts.objectTags !== undefined) out.objectTags = list(facts.objectTags.map((tag) => map({ Key: s(tag.Key), Value: s(tag.Value) })));
  if (facts.objectQuarantine !== undefined) out.objectQuarantine = s(JSON.stringify(facts.objectQuarantine));
  return out;
}

function parseImageSharing(text: string | undefined): RestoreFacts['imageSharing'] | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as RestoreFacts['imageSharing'];
    return value && (value.kind === 'snapshot' || value.kind === 'image') && Array.isArray(value.permissions) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseRecord(key: string, item: Item): RestoreRecord {
  const networkInterfaces: RestoreRecord['networkInterfaces'][number][] = [];
  const volumes: RecordedVolume[] = [];
  const targetGroups: RecordedTargetGroup[] = [];
  const sessionPolicies: RecordedSessionPolicy[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(SGS)) networkInterfaces.push({ networkInterfaceId: name.slice(SGS.length), groupIds: (value.L ?? []).flatMap((g) => (g.S ? [g.S] : [])) });
    if (name.startsWith(VOLUME) && value.M) {
      volumes.push({ deviceName: name.slice(VOLUME.length), volumeId: value.M.volumeId?.S ?? '', deleteOnTermination: value.M.deleteOnTermination?.BOOL === true });
    }
    if (name.startsWith(TARGET_GROUP)) targetGroups.push({ targetGroupArn: name.slice(TARGET_GROUP.length), ports: (value.L ?? []).map((p) => Number(p.N)) });
    if (name.startsWith(SESSION_POLICY) && value.M) {
      const [kind, ...rest] = name.slice(SESSION_POLICY.length).split(':');
      if (kind === 'user' || kind === 'role') sessionPolicies.push({ principal: { kind, name: rest.join(':') }, previousDocument: value.M.previousDocument?.S ?? null });
    }
  }
  const byName = <T>(values: T[], name: (value: T) => string) => values.sort((a, b) => name(a).localeCompare(name(b)));
  const key_ = item.accessKey?.M;
  const released = item.released?.M;
  return {
    key,
    kind: stringOf(item, 'kind'),
    resourceId: stringOf(item, 'resourceId'),
    incidentId: stringOf(item, 'incidentId'),
    findingId: stringOf(item, 'findingId'),
    region: stringOf(item, 'region'),
    recordedAt: stringOf(item, 'recordedAt'),
    updatedAt: stringOf(item, 'updatedAt'),
    revision: Number(item.revision?.N ?? '0'),
    networkInterfaces: byName(networkInterfaces, (e) => e.networkInterfaceId),
    volumes: byName(volumes, (v) => v.deviceName),
    instanceProfileArn: stringOf(item, 'instanceProfileArn'),
    autoScalingGroup: stringOf(item, 'autoScalingGroup'),
    targetGroups: byName(targetGroups, (g) => g.targetGroupArn),
    terminationProtection: item.terminationProtection?.BOOL,
    accessKey: key_?.userName?.S && key_.status?.S ? { userName: key_.userName.S, status: key_.status.S } : undefined,
    sessionPolicies,
    publicAccessBlock: publicAccessBlockOf(item.publicAccessBlock),
    bucketExposure: stringOf(item, 'bucketExposure'),
    objectTags: item.objectTags?.L?.flatMap((tag) => (tag.M?.Key?.S !== undefined ? [{ Key: tag.M.Key.S, Value: tag.M.Value?.S ?? '' }] : [])),
    ...(item.objectQuarantine?.S ? { objectQuarantine: JSON.parse(item.objectQuarantine.S) as RecordedObjectQuarantine } : {}),
    functionConcurrency: item.functionConcurrency?.M ? { reserved: item.functionConcurrency.M.reserved?.N === undefined ? null : Number(item.functionConcurrency.M.reserved.N) } : undefined,
    functionConfiguration: stringOf(item, 'functionConfiguration'),
    ...(item.ecsTask?.S ? { ecsTask: JSON.parse(item.ecsTask.S) as RecordedEcsTask } : {}),
    imageSharing: parseImageSharing(stringOf(item, 'imageSharing')),
    databaseSecurityGroups: item.databaseSecurityGroups?.L ? item.databaseSecurityGroups.L.flatMap((g) => (g.S ? [g.S] : [])) : undefined,
    released: released?.at?.S
      ? { at: released.at.S, by: released.by?.S ?? '', restored: (released.restored?.L ?? []).flatMap((r) => (r.S ? [r.S] : [])) }
      : undefined,
    closedAt: stringOf(item, 'closedAt'),
  };
}

/** The recorded block: null when the bucket had none, undefined when nothing (or nothing readable) is recorded. */
function publicAccessBlockOf(value: AttributeValue | undefined): RecordedPublicAccessBlock | null | undefined {
  if (value?.NULL === true) return null;
  const settings = value?.M;
  if (!settings || !PUBLIC_ACCESS_BLOCK_SETTINGS.every((name) => typeof settings[name]?.BOOL === 'boolean')) return undefined;
  return {
    BlockPublicAcls: settings.BlockPublicAcls!.BOOL === true,
    IgnorePublicAcls: settings.IgnorePublicAcls!.BOOL === true,
    BlockPublicPolicy: settings.BlockPublicPolicy!.BOOL === true,
    RestrictPublicBuckets: settings.RestrictPublicBuckets!.BOOL === true,
  };
}

export interface ReleaseEntry {
  /** Who released (the operator's ARN), when, what was restored. */
  readonly by: string;
  readonly restored: readonly string[];
  /** The revision read (0: there was no record): the release is recorded only if no response or release wrote to the record since. */
  readonly revision: number;
  /** The whole containment was undone: the record is closed (closedAt), and the next finding about the resource starts afresh. */
  readonly close: boolean;
  /** Written when the release creates the record (there was none): what it is of. */
  readonly resource: { readonly kind: RestoreKind; readonly resourceId: string };
}

export type ReleaseWriteResult =
  | { readonly status: 'recorded'; readonly at: string }
  /** Another release (or a response) wrote the record since it was read. */
  | { readonly status: 'conflict'; readonly record: RestoreRecord | undefined };

export class RestoreLedger {
  /** The resources' incidents, in the same table: a whole release closes the one open for its resource. */
  readonly incidents: ResourceIncidents;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.incidents = new ResourceIncidents(dynamodb, tableName, now);
  }

  /**
   * Records originals, first wins. An open record is merged into; a closed
   * (released) one is replaced by a fresh record of this containment. Every
   * write is conditional and idempotent, so a retried write (its answer
   * lost) that finds its own earlier write succeeds.
   */
  async record(write: RestoreWrite): Promise<void> {
    // Open record: merge. Closed: replace (only while still closed). Each loses to the other at most once in a race, hence three rounds.
    for (let round = 0; round < 3; round += 1) {
      if (await this.merge(write)) return;
      if (await this.replaceClosed(write)) return;
    }
    throw new Error(`the restore record ${write.key} changed between every attempt to write it`);
  }

  private async merge(write: RestoreWrite): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {
      ':kind': s(write.kind),
      ':resourceId': s(write.resourceId),
      ':accountId': s(write.accountId),
      ':region': s(write.region),
      ':incidentId': s(write.incidentId),
      ':findingId': s(write.findingId),
      ':now': s(this.now().toISOString()),
      ':zero': n(0),
      ':one': n(1),
    };
    const sets = [
      'kind = if_not_exists(kind, :kind)',
      'resourceId = if_not_exists(resourceId, :resourceId)',
      'accountId = if_not_exists(accountId, :accountId)',
      '#region = if_not_exists(#region, :region)',
      'incidentId = if_not_exists(incidentId, :incidentId)',
      'findingId = if_not_exists(findingId, :findingId)',
      'recordedAt = if_not_exists(recordedAt, :now)',
      'updatedAt = :now',
      // Counts writes, so a release knows whether the record changed since it read it. A retried write counts again: harmless.
      'revision = if_not_exists(revision, :zero) + :one',
    ];
    names['#region'] = 'region';
    Object.entries(factAttributes(write.facts)).forEach(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      sets.push(`#f${index} = if_not_exists(#f${index}, :f${index})`);
    });
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(write.key) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(closedAt)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async replaceClosed(write: RestoreWrite): Promise<boolean> {
    const now = this.now().toISOString();
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: s(write.key),
            kind: s(write.kind),
            resourceId: s(write.resourceId),
            accountId: s(write.accountId),
            region: s(write.region),
            incidentId: s(write.incidentId),
            findingId: s(write.findingId),
            recordedAt: s(now),
            updatedAt: s(now),
            revision: n(1),
            ...factAttributes(write.facts),
          },
          ConditionExpression: 'attribute_exists(closedAt)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The other open records of the account whose response revoked this principal's sessions (open-revocations.ts). */
  async openRevocationsOf(accountId: string, principal: RevokedPrincipal, exceptKey: string): Promise<OpenRevocation[]> {
    return scanOpenRevocations(this.dynamodb, this.tableName, { accountId, principal, exceptKey });
  }

  /** The record of a resource; undefined when there is none. A strongly consistent read: a release must see the last write. */
  async read(key: string): Promise<RestoreRecord | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: s(key) }, ConsistentRead: true }));
    return Item ? parseRecord(key, Item) : undefined;
  }

  /**
   * Records a release and closes the record (closedAt, releasedAt): a later
   * finding about the resource opens a new incident and a fresh record.
   * Conditional on the revision read and on no release since, so two
   * releases (or a release and a response) do not race; a token in the
   * item recognises this release's own write when its answer was lost and
   * the SDK retried it.
   */
  async recordRelease(key: string, entry: ReleaseEntry): Promise<ReleaseWriteResult> {
    const at = this.now().toISOString();
    const token = randomUUID();
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(key) },
          UpdateExpression:
            'SET released = :released, updatedAt = :at, revision = if_not_exists(revision, :zero) + :one, ' +
            'kind = if_not_exists(kind, :kind), resourceId = if_not_exists(resourceId, :resourceId)' +
            (entry.close ? ', releasedAt = :at, closedAt = :at' : ''),
          // No record (revision 0): the release creates one, closed, so a later finding starts a fresh incident.
          ConditionExpression: entry.revision === 0 ? 'attribute_not_exists(pk)' : 'revision = :revision AND attribute_not_exists(closedAt)',
          ExpressionAttributeValues: {
            ':released': map({ at: s(at), by: s(entry.by), restored: list(entry.restored.map(s)), closed: bool(entry.close), token: s(token) }),
            ':at': s(at),
            ':zero': n(0),
            ':one': n(1),
            ':kind': s(entry.resource.kind),
            ':resourceId': s(entry.resource.resourceId),
            ...(entry.revision === 0 ? {} : { ':revision': n(entry.revision) }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'recorded', at };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = error.Item;
      if (old?.released?.M?.token?.S === token) return { status: 'recorded', at: old.released.M.at?.S ?? at };
      return { status: 'conflict', record: old ? parseRecord(key, old) : undefined };
    }
  }
}
