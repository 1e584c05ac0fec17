import type { Finding } from '../finding/schema';
import type { TrailLookup } from './links';

/*
 * The resource a finding is about, in detail, for every resource type
 * GuardDuty reports (Instance, AccessKey, S3Bucket, EKSCluster, ECSCluster,
 * Container, Lambda, RDSDBInstance, RDSLimitlessDB, and the resources of an
 * attack sequence), not only the two the playbooks act on. Values are the
 * finding's own, unescaped: each rendering escapes them for its medium.
 */

export interface Fact {
  readonly label: string;
  readonly value: string;
}

export interface ResourceSection {
  /** The GuardDuty resource type, or IAMUser / IAMRole for an access key's principal. */
  readonly kind: string;
  /** e.g. "Instance i-0abc (web-1)". */
  readonly heading: string;
  readonly facts: readonly Fact[];
}

/** The one resource the subject and the summary name, with what its console page and its CloudTrail events are found by. */
export interface PrimaryResource {
  readonly kind: string;
  /** What the console link takes (an id or a name). */
  readonly id: string;
  /** Short and readable: "i-0abc (web-1)", "user alice", "bucket logs". */
  readonly label: string;
  readonly trail?: TrailLookup;
}

type Resource = NonNullable<Finding['resource']>;
type Tag = { readonly key?: string | null | undefined; readonly value?: string | null | undefined };

const MAX_LISTED = 5;

function fact(label: string, value: unknown): Fact[] {
  if (value === undefined || value === null || value === '') return [];
  return [{ label, value: String(value) }];
}

function listed(values: readonly (string | null | undefined)[] | null | undefined): string | undefined {
  const kept = (values ?? []).filter((v): v is string => typeof v === 'string' && v !== '');
  if (kept.length === 0) return undefined;
  const more = kept.length > MAX_LISTED ? ` and ${kept.length - MAX_LISTED} more` : '';
  return `${kept.slice(0, MAX_LISTED).join(', ')}${more}`;
}

function tagsFact(tags: readonly Tag[] | null | undefined): Fact[] {
  return fact('Tags', listed((tags ?? []).map((t) => (t.key ? `${t.key}=${t.value ?? ''}` : undefined))));
}

export function nameTagOf(tags: readonly Tag[] | null | undefined): string | undefined {
  return (tags ?? []).find((t) => t.key === 'Name')?.value ?? undefined;
}

function instanceSection(resource: Resource): ResourceSection | undefined {
  const i = resource.instanceDetails;
  if (!i) return undefined;
  const name = nameTagOf(i.tags);
  const interfaces = i.networkInterfaces ?? [];
  const groups = interfaces.flatMap((n) => (n.securityGroups ?? []).map((g) => (g.groupId ? `${g.groupId}${g.groupName ? ` (${g.groupName})` : ''}` : undefined)));
  return {
    kind: 'Instance',
    heading: `Instance ${i.instanceId ?? '(no id)'}${name ? ` (${name})` : ''}`,
    facts: [
      ...fact('State', i.instanceState),
      ...fact('Type', i.instanceType),
      ...fact('Image', i.imageId),
      ...fact('Platform', i.platform),
      ...fact('Launched', i.launchTime),
      ...fact('Availability zone', i.availabilityZone),
      ...fact('Instance profile', i.iamInstanceProfile?.arn),
      ...fact('Network interfaces', listed(interfaces.map((n) => n.networkInterfaceId))),
      ...fact('VPC', listed([...new Set(interfaces.map((n) => n.vpcId ?? undefined))])),
      ...fact('Security groups (when GuardDuty saw it)', listed(groups)),
      ...tagsFact(i.tags),
    ],
  };
}

function accessKeySection(resource: Resource): ResourceSection | undefined {
  const k = resource.accessKeyDetails;
  if (!k) return undefined;
  return {
    kind: 'AccessKey',
    heading: `Access key ${k.accessKeyId ?? '(no id)'} of ${k.userType ?? 'principal'} ${k.userName ?? '(no name)'}`,
    facts: [...fact('Principal id', k.principalId), ...fact('User type', k.userType), ...fact('User name', k.userName)],
  };
}

function bucketSections(resource: Resource): ResourceSection[] {
  return (resource.s3BucketDetails ?? []).slice(0, MAX_LISTED).map((b) => ({
    kind: 'S3Bucket',
    heading: `S3 bucket ${b.name ?? b.arn ?? '(no name)'}`,
    facts: [
      ...fact('Role in the finding', b.type),
      ...fact('ARN', b.arn),
      ...fact('Created', b.createdAt),
      ...fact('Owner', b.owner?.id),
      ...fact('Public access', b.publicAccess?.effectivePermission),
      ...fact('Default encryption', b.defaultServerSideEncryption?.encryptionType),
      ...tagsFact(b.tags),
    ],
  }));
}

function eksSection(resource: Resource): ResourceSection | undefined {
  const c = resource.eksClusterDetails;
  if (!c) return undefined;
  const k = resource.kubernetesDetails;
  const user = k?.kubernetesUserDetails;
  const workload = k?.kubernetesWorkloadDetails;
  return {
    kind: 'EKSCluster',
    heading: `EKS cluster ${c.name ?? c.arn ?? '(no name)'}`,
    facts: [
      ...fact('ARN', c.arn),
      ...fact('Status', c.status),
      ...fact('VPC', c.vpcId),
      ...fact('Kubernetes user', user?.username ? `${user.username}${user.groups ? ` (groups ${listed(user.groups) ?? 'none'})` : ''}` : undefined),
      ...fact('Workload', workload?.name ? `${workload.type ?? 'workload'} ${workload.namespace ? `${workload.namespace}/` : ''}${workload.name}` : undefined),
      ...fact('Host network', workload?.hostNetwork === true ? 'yes' : undefined),
      ...tagsFact(c.tags),
    ],
  };
}

function ecsSection(resource: Resource): ResourceSection | undefined {
  const c = resource.ecsClusterDetails;
  if (!c) return undefined;
  const task = c.taskDetails;
  return {
    kind: 'ECSCluster',
    heading: `ECS cluster ${c.name ?? c.arn ?? '(no name)'}`,
    facts: [
      ...fact('ARN', c.arn),
      ...fact('Status', c.status),
      ...fact('Running tasks', c.runningTasksCount),
      ...fact('Task', task?.arn),
      ...fact('Task definition', task?.definitionArn),
      ...fact('Started by', task?.startedBy),
      ...fact('Containers', listed((task?.containers ?? []).map((x) => (x.name ? `${x.name}${x.image ? ` (${x.image})` : ''}` : x.image)))),
      ...tagsFact(c.tags),
    ],
  };
}

function containerSection(resource: Resource): ResourceSection | undefined {
  const c = resource.containerDetails;
  if (!c) return undefined;
  return {
    kind: 'Container',
    heading: `Container ${c.name ?? c.id ?? '(no name)'}`,
    facts: [
      ...fact('Id', c.id),
      ...fact('Image', c.image),
      ...fact('Runtime', c.containerRuntime),
      ...fact('Privileged', c.securityContext?.privileged === true ? 'yes' : c.securityContext?.privileged === false ? 'no' : undefined),
    ],
  };
}

function lambdaSection(resource: Resource): ResourceSection | undefined {
  const l = resource.lambdaDetails;
  if (!l) return undefined;
  return {
    kind: 'Lambda',
    heading: `Lambda function ${l.functionName ?? l.functionArn ?? '(no name)'}`,
    facts: [
      ...fact('ARN', l.functionArn),
      ...fact('Version', l.functionVersion),
      ...fact('Last modified', l.lastModifiedAt),
      ...fact('Execution role', l.role),
      ...fact('VPC', l.vpcConfig?.vpcId),
      ...fact('Security groups', listed((l.vpcConfig?.securityGroups ?? []).map((g) => g.groupId))),
      ...tagsFact(l.tags),
    ],
  };
}

function rdsSections(resource: Resource): ResourceSection[] {
  const user = resource.rdsDbUserDetails;
  const userFacts = [...fact('Database user', user?.user), ...fact('Database', user?.database), ...fact('Application', user?.application), ...fact('Authentication', user?.authMethod)];
  const sections: ResourceSection[] = [];
  const db = resource.rdsDbInstanceDetails;
  if (db) {
    sections.push({
      kind: 'RDSDBInstance',
      heading: `RDS database ${db.dbInstanceIdentifier ?? db.dbInstanceArn ?? '(no id)'}`,
      facts: [...fact('ARN', db.dbInstanceArn), ...fact('Cluster', db.dbClusterIdentifier), ...fact('Engine', [db.engine, db.engineVersion].filter(Boolean).join(' ')), ...userFacts, ...tagsFact(db.tags)],
    });
  }
  const shards = resource.rdsLimitlessDbDetails;
  if (shards) {
    sections.push({
      kind: 'RDSLimitlessDB',
      heading: `RDS Limitless database shard group ${shards.dbShardGroupIdentifier ?? shards.dbShardGroupArn ?? '(no id)'}`,
      facts: [
        ...fact('ARN', shards.dbShardGroupArn),
        ...fact('Cluster', shards.dbClusterIdentifier),
        ...fact('Engine', [shards.engine, shards.engineVersion].filter(Boolean).join(' ')),
        ...(db ? [] : userFacts),
        ...tagsFact(shards.tags),
      ],
    });
  }
  return sections;
}

/** Whatever is known of an endpoint: its address or domain, and where it is. */
function endpointText(e: NonNullable<NonNullable<NonNullable<NonNullable<Finding['service']>['detection']>['sequence']>['endpoints']>[number]): string | undefined {
  const where = [e.location?.city, e.location?.country].filter(Boolean).join(', ');
  const what = e.ip ?? e.domain ?? e.id;
  return what ? `${what}${where ? ` (${where})` : ''}${e.autonomousSystem?.name ? ` AS ${e.autonomousSystem.name}` : ''}` : undefined;
}

/**
 * The sequence as a person follows it: the signals in the order they were
 * first seen, the actors and endpoints, and each resource with what the
 * response did about it (`answers`, from answer-sequence's report, in the
 * sequence's order; absent when another playbook reported the sequence).
 */
function sequenceSections(finding: Finding, answers: readonly string[]): ResourceSection[] {
  const sequence = finding.service?.detection?.sequence;
  if (!sequence) return [];
  const resources = sequence.resources ?? [];
  const signals = [...(sequence.signals ?? [])]
    .map((signal, index) => ({ signal, index }))
    .sort((a, b) => (a.signal.firstSeenAt ?? '').localeCompare(b.signal.firstSeenAt ?? '') || a.index - b.index)
    .map(({ signal }) => signal);
  const shown = MAX_LISTED * 2;
  return [
    {
      kind: 'AttackSequence',
      heading: `Attack sequence of ${signals.length} signals across ${resources.length} resources`,
      facts: [
        ...fact('Sequence', sequence.description),
        // Labels are ours alone: everything from the finding is in the value.
        ...signals.slice(0, shown).map((s) => ({
          label: 'Signal',
          value: [s.firstSeenAt, s.type, s.name, s.title && s.title !== s.name ? `(${s.title})` : undefined, s.count ? `x${s.count}` : undefined].filter(Boolean).join(' '),
        })),
        ...fact('More signals', signals.length > shown ? String(signals.length - shown) : undefined),
        ...resources.slice(0, shown).map((r, index) => ({
          label: 'Resource',
          value: [
            `${r.resourceType ?? r.type ?? 'unknown type'}`,
            r.name ?? r.uid ?? '(no name)',
            r.accountId && r.region ? `in ${r.accountId}/${r.region}` : undefined,
            answers[index] ? `- ${answers[index]}` : undefined,
          ]
            .filter(Boolean)
            .join(' '),
        })),
        ...fact('More resources', resources.length > shown ? String(resources.length - shown) : undefined),
        ...fact('Actors', listed((sequence.actors ?? []).map((a) => (a.user?.name ? `${a.user.name}${a.user.type ? ` (${a.user.type})` : ''}` : a.id)))),
        ...fact('Endpoints', listed((sequence.endpoints ?? []).map(endpointText))),
      ],
    },
  ];
}

/** Every resource the finding describes, the type GuardDuty names first; `sequenceAnswers`: what answer-sequence did with each resource of a sequence. */
export function resourceSections(finding: Finding, sequenceAnswers: readonly string[] = []): ResourceSection[] {
  const resource = finding.resource;
  const sections = [
    ...(resource
      ? [
          instanceSection(resource),
          ...bucketSections(resource),
          eksSection(resource),
          ecsSection(resource),
          containerSection(resource),
          lambdaSection(resource),
          ...rdsSections(resource),
          accessKeySection(resource),
        ]
      : []),
    ...sequenceSections(finding, sequenceAnswers),
  ].filter((s): s is ResourceSection => s !== undefined);
  const type = resource?.resourceType;
  return [...sections.filter((s) => s.kind === type), ...sections.filter((s) => s.kind !== type)];
}

/** The principal behind an access key: a user, a role (assumed or not), or the root user. */
function principalOf(resource: Resource): PrimaryResource | undefined {
  const k = resource.accessKeyDetails;
  if (!k) return undefined;
  const name = k.userName ?? undefined;
  const key = k.accessKeyId ?? undefined;
  const trail: TrailLookup | undefined = key ? { attribute: 'AccessKeyId', value: key } : name ? { attribute: 'Username', value: name } : undefined;
  const withTrail = trail ? { trail } : {};
  if (k.userType === 'Root') return { kind: 'Root', id: 'root', label: 'the root user', ...withTrail };
  if (!name) return key ? { kind: 'AccessKey', id: key, label: `key ${key}`, ...withTrail } : undefined;
  if (k.userType === 'AssumedRole' || k.userType === 'Role') return { kind: 'IAMRole', id: name, label: `role ${name}`, ...withTrail };
  return { kind: 'IAMUser', id: name, label: `user ${name}`, ...withTrail };
}

function named(kind: string, name: string | null | undefined, what: string, more = 0): PrimaryResource | undefined {
  if (!name) return undefined;
  return { kind, id: name, label: `${what} ${name}${more > 0 ? ` (+${more})` : ''}`, trail: { attribute: 'ResourceName', value: name } };
}

/** The resource the subject and summary name: the one GuardDuty's resourceType names, else the first described. */
export function primaryResourceOf(finding: Finding): PrimaryResource | undefined {
  const resource = finding.resource;
  if (!resource) return undefined;
  const instance = resource.instanceDetails?.instanceId;
  const name = nameTagOf(resource.instanceDetails?.tags);
  const buckets = resource.s3BucketDetails ?? [];
  const sequence = finding.service?.detection?.sequence?.resources ?? [];
  const candidates: Record<string, () => PrimaryResource | undefined> = {
    Instance: () => (instance ? { kind: 'Instance', id: instance, label: name ? `${instance} (${name})` : instance, trail: { attribute: 'ResourceName', value: instance } } : undefined),
    AccessKey: () => principalOf(resource),
    S3Bucket: () => named('S3Bucket', buckets[0]?.name, 'bucket', buckets.length - 1),
    S3Object: () => {
      const object = buckets[0]?.s3ObjectDetails?.[0];
      return object?.key && buckets[0]?.name ? named('S3Object', `${buckets[0].name}/${object.key}`, 'object') : undefined;
    },
    EKSCluster: () => named('EKSCluster', resource.eksClusterDetails?.name, 'EKS cluster'),
    ECSCluster: () => named('ECSCluster', resource.ecsClusterDetails?.name, 'ECS cluster'),
    Container: () => named('Container', resource.containerDetails?.name ?? resource.containerDetails?.id, 'container'),
    Lambda: () => named('Lambda', resource.lambdaDetails?.functionName, 'function'),
    RDSDBInstance: () => named('RDSDBInstance', resource.rdsDbInstanceDetails?.dbInstanceIdentifier, 'DB'),
    RDSLimitlessDB: () => named('RDSLimitlessDB', resource.rdsLimitlessDbDetails?.dbShardGroupIdentifier, 'DB shard group'),
    AttackSequence: () => {
      const first = sequence[0];
      const label = first?.name ?? first?.uid;
      return label ? { kind: 'AttackSequence', id: label, label: `${label}${sequence.length > 1 ? ` (+${sequence.length - 1})` : ''}` } : undefined;
    },
  };
  const type = resource.resourceType ?? '';
  const preferred = candidates[type]?.();
  if (preferred) return preferred;
  for (const pick of Object.values(candidates)) {
    const found = pick();
    if (found) return found;
  }
  return undefined;
}
