import * as z from '../zod';
import { FINDING_ID, FINDING_ID_MESSAGE, INSTANCE_ID, INSTANCE_ID_MESSAGE } from './ids';

/*
 * The parts of a GuardDuty finding the playbooks read. Everything else in a
 * finding is kept (loose objects) but not trusted. Fields that real findings
 * send as null (Platform, OutpostArn, ...) are nullish, so a real finding is
 * never rejected for a field we do not use.
 */

/** zod/mini has no `z.preprocess`: the same pipe, converting the input before `schema` checks it. */
function preprocess<T extends z.core.$ZodType>(convert: (value: unknown) => unknown, schema: T) {
  return z.pipe(z.transform(convert), schema);
}

const text = z.string().check(z.maxLength(4096));
const optionalText = z.nullish(text);

/*
 * Exports and hand-edited findings carry scalars in other JSON types than
 * GuardDuty's own (a tag value 8080, `archived: "false"`, `count: "3"`,
 * epoch timestamps). Those that convert without guessing are
 * converted; anything else is still an error naming the field.
 */
const scalarAsText = z.nullish(preprocess((value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value), text));

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };
const flag = z.nullish(
  preprocess((value) => {
    const word = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
    return word !== undefined && word in BOOLEAN_WORDS ? BOOLEAN_WORDS[word] : value;
  }, z.boolean()),
);

const numericText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value);

/**
 * Below this a number is epoch seconds, from here up epoch milliseconds: 1e11 seconds is the year 5138, 1e11
 * milliseconds is 1973, before GuardDuty. The AWS CLI and SDK JSON give GuardDuty's timestamps in seconds
 * (1513612691.551); some exports in milliseconds.
 */
const EPOCH_MILLISECONDS_FROM = 1e11;

/** A number as epoch seconds or milliseconds (EPOCH_MILLISECONDS_FROM), as ISO text; anything else as it is. */
export function epochAsIso(value: unknown): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1e14) return value;
  return new Date(value < EPOCH_MILLISECONDS_FROM ? value * 1000 : value).toISOString();
}

/** ISO 8601 text, or epoch seconds or milliseconds, kept as ISO text. */
const timestamp = z.nullish(preprocess(epochAsIso, text));

/*
 * What only the notification reads (lambda/notify/): the finding's own words,
 * the actor, the API or port, and the resource in detail for every resource
 * type GuardDuty reports. None of it decides anything, so none of it may
 * reject a finding: each part that is not as expected (a number where text
 * was expected, text over the limit, a list that is no list) is dropped on
 * its own (`z.catch`), and the rest of the finding is answered as before.
 */
const info = z.catch(scalarAsText, undefined);
const infoFlag = z.catch(flag, undefined);
function part<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.catch(z.nullish(z.looseObject(shape)), undefined);
}
function list<T extends z.core.$ZodType>(item: T) {
  return z.catch(z.nullish(z.array(item)), undefined);
}
const infoTags = list(z.looseObject({ key: info, value: info }));
const infoTime = z.catch(timestamp, undefined);

const remoteIpSchema = part({
  ipAddressV4: info,
  ipAddressV6: info,
  country: part({ countryName: info, countryCode: info }),
  city: part({ cityName: info }),
  organization: part({ asn: info, asnOrg: info, isp: info, org: info }),
});
const portSchema = part({ port: info, portName: info });

/*
 * The account of an API call's caller, when it is not the finding's own
 * (a cross-account role, a bucket policy granting another account). Unlike
 * the notification's fields it decides something: revoke-credentials
 * refuses to revoke a principal of the caller's name in our account. So
 * it is never dropped silently: a value that does not parse is kept as
 * `{ unparsed: true }`, and the playbook refuses on it (fail closed).
 */
const remoteAccountSchema = z.catch(
  z.nullish(z.looseObject({ accountId: optionalText, affiliated: flag, unparsed: z.optional(z.boolean()) })),
  () => ({ unparsed: true }),
);

const actionSchema = part({
  actionType: info,
  awsApiCallAction: part({
    api: info,
    serviceName: info,
    callerType: info,
    errorCode: info,
    userAgent: info,
    remoteIpDetails: remoteIpSchema,
    remoteAccountDetails: remoteAccountSchema,
    // Resource type (AWS::S3::Bucket) to name: what the call touched, as GuardDuty names it.
    affectedResources: z.catch(z.nullish(z.record(z.string(), info)), undefined),
  }),
  networkConnectionAction: part({
    connectionDirection: info,
    protocol: info,
    blocked: infoFlag,
    remoteIpDetails: remoteIpSchema,
    remotePortDetails: portSchema,
    localPortDetails: portSchema,
  }),
  portProbeAction: part({ blocked: infoFlag, portProbeDetails: list(z.looseObject({ localPortDetails: portSchema, remoteIpDetails: remoteIpSchema })) }),
  dnsRequestAction: part({ domain: info, protocol: info, blocked: infoFlag }),
  kubernetesApiCallAction: part({ requestUri: info, verb: info, statusCode: info, userAgent: info, sourceIps: list(info), remoteIpDetails: remoteIpSchema }),
  rdsLoginAttemptAction: part({
    remoteIpDetails: remoteIpSchema,
    loginAttributes: list(z.looseObject({ user: info, application: info, failedLoginAttempts: info, successfulLoginAttempts: info })),
    // GuardDuty's JSON spells this list with a capital L (the API member name LoginAttributes).
    LoginAttributes: list(z.looseObject({ user: info, application: info, failedLoginAttempts: info, successfulLoginAttempts: info })),
  }),
});

/**
 * An attack sequence (AttackSequence:* types) links signals and the resources they touched. Field names are
 * GuardDuty's (API Sequence, Signal, ResourceV2, Actor): a resource names its type as `resourceType`
 * (EC2_INSTANCE, ACCESS_KEY, S3_BUCKET, ...); `type` (AWS::EC2::Instance, ...) is the Security Hub / OCSF
 * spelling some exports carry. Everything here is the attacker's to shape: answer-sequence parses it strictly
 * before acting (lambda/playbooks/answer-sequence/resource-views.ts).
 */
const sequenceSchema = part({
  uid: info,
  description: info,
  resources: list(
    z.looseObject({ uid: info, name: info, type: info, resourceType: info, service: info, region: info, accountId: info, cloudPartition: info, tags: infoTags }),
  ),
  signals: list(
    z.looseObject({
      uid: info,
      type: info,
      name: info,
      title: info,
      description: info,
      severity: info,
      count: info,
      createdAt: infoTime,
      firstSeenAt: infoTime,
      lastSeenAt: infoTime,
      resourceUids: list(info),
      actorIds: list(info),
      endpointIds: list(info),
    }),
  ),
  actors: list(
    z.looseObject({
      id: info,
      user: part({ name: info, uid: info, type: info, credentialUid: info, account: part({ uid: info, account: info }) }),
      session: part({ uid: info, mfaStatus: infoFlag, issuer: info }),
    }),
  ),
  endpoints: list(z.looseObject({ id: info, ip: info, domain: info, port: info, location: part({ country: info, city: info }), autonomousSystem: part({ name: info, number: info }) })),
});

const resourceDetailSchemas = {
  s3BucketDetails: list(
    z.looseObject({
      arn: info,
      name: info,
      type: info,
      createdAt: infoTime,
      owner: part({ id: info }),
      tags: infoTags,
      defaultServerSideEncryption: part({ encryptionType: info, kmsMasterKeyArn: info }),
      publicAccess: part({ effectivePermission: info }),
      /** Malware Protection for S3 (Object:S3/MaliciousFile): the scanned object, by key and version. */
      s3ObjectDetails: list(z.looseObject({ objectArn: info, key: info, eTag: info, hash: info, versionId: info })),
    }),
  ),
  eksClusterDetails: part({ name: info, arn: info, vpcId: info, status: info, createdAt: infoTime, tags: infoTags }),
  kubernetesDetails: part({
    kubernetesUserDetails: part({ username: info, uid: info, groups: list(info), sessionName: list(info) }),
    kubernetesWorkloadDetails: part({ name: info, type: info, uid: info, namespace: info, hostNetwork: infoFlag }),
  }),
  ecsClusterDetails: part({
    name: info,
    arn: info,
    status: info,
    runningTasksCount: info,
    tags: infoTags,
    taskDetails: part({ arn: info, definitionArn: info, version: info, launchType: info, startedBy: info, startedAt: infoTime, containers: list(z.looseObject({ name: info, image: info })) }),
  }),
  containerDetails: part({ id: info, name: info, image: info, containerRuntime: info, securityContext: part({ privileged: infoFlag }) }),
  lambdaDetails: part({
    functionArn: info,
    functionName: info,
    functionVersion: info,
    lastModifiedAt: infoTime,
    role: info,
    vpcConfig: part({ vpcId: info, subnetIds: list(info), securityGroups: list(z.looseObject({ groupId: info, groupName: info })) }),
    tags: infoTags,
  }),
  rdsDbInstanceDetails: part({ dbInstanceIdentifier: info, dbClusterIdentifier: info, dbInstanceArn: info, engine: info, engineVersion: info, tags: infoTags }),
  rdsLimitlessDbDetails: part({ dbShardGroupIdentifier: info, dbShardGroupArn: info, dbClusterIdentifier: info, engine: info, engineVersion: info, tags: infoTags }),
  rdsDbUserDetails: part({ user: info, application: info, database: info, authMethod: info }),
  // Malware Protection for Backup (quarantine-image): the scanned snapshot, image or recovery point.
  ebsSnapshotDetails: part({ snapshotArn: info }),
  ec2ImageDetails: part({ imageArn: info }),
  recoveryPointDetails: part({ recoveryPointArn: info, backupVaultName: info }),
};

/** Instance fields only the notification shows. */
const instanceInfoSchemas = {
  instanceType: info,
  imageId: info,
  platform: info,
  launchTime: infoTime,
};

const tagSchema = z.looseObject({ key: scalarAsText, value: scalarAsText });

const securityGroupSchema = z.looseObject({ groupId: optionalText, groupName: optionalText });

const networkInterfaceSchema = z.looseObject({
  networkInterfaceId: optionalText,
  vpcId: optionalText,
  subnetId: optionalText,
  /** An EKS node's Kubernetes name (contain-eks: the kubectl cordon command, checked there). */
  privateDnsName: optionalText,
  securityGroups: z.nullish(z.array(securityGroupSchema)),
});

const instanceDetailsSchema = z.looseObject({
  /** Used as a filter value and a resource id (ids.ts): checked, never just text. */
  instanceId: z.nullish(z.string().check(z.regex(INSTANCE_ID, INSTANCE_ID_MESSAGE))),
  instanceState: optionalText,
  availabilityZone: optionalText,
  iamInstanceProfile: z.nullish(z.looseObject({ arn: optionalText, id: optionalText })),
  networkInterfaces: z.nullish(z.array(networkInterfaceSchema)),
  tags: z.nullish(z.array(tagSchema)),
  ...instanceInfoSchemas,
});

const accessKeyDetailsSchema = z.looseObject({
  accessKeyId: optionalText,
  principalId: optionalText,
  userName: optionalText,
  userType: optionalText,
});

/** Severity arrives as an integer or a decimal; a numeric string is tolerated. */
const severitySchema = preprocess(numericText, z.number().check(z.gte(0), z.lte(10)));

export const findingSchema = z.looseObject({
  /** Used as a filter value and in keys (ids.ts): checked, never just text. */
  id: z.string().check(z.regex(FINDING_ID, FINDING_ID_MESSAGE)),
  type: z.string().check(z.minLength(3), z.maxLength(256)),
  severity: severitySchema,
  accountId: z.nullish(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  region: z.nullish(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name'))),
  partition: optionalText,
  arn: optionalText,
  title: optionalText,
  description: info,
  createdAt: timestamp,
  updatedAt: timestamp,
  resource: z.nullish(
    z.looseObject({
      resourceType: optionalText,
      instanceDetails: z.nullish(instanceDetailsSchema),
      accessKeyDetails: z.nullish(accessKeyDetailsSchema),
      ...resourceDetailSchemas,
    }),
  ),
  service: z.nullish(
    z.looseObject({
      archived: flag,
      resourceRole: optionalText,
      count: z.nullish(preprocess(numericText, z.int().check(z.gte(0)))),
      additionalInfo: z.nullish(z.looseObject({ sample: flag })),
      eventFirstSeen: infoTime,
      eventLastSeen: infoTime,
      action: actionSchema,
      detection: part({ sequence: sequenceSchema }),
      runtimeDetails: part({ process: part({ name: info, executablePath: info, pid: info }) }),
    }),
  ),
});

export type Finding = z.infer<typeof findingSchema>;
export type InstanceDetails = z.infer<typeof instanceDetailsSchema>;
export type AccessKeyDetails = z.infer<typeof accessKeyDetailsSchema>;
export type AttackSequence = NonNullable<z.infer<typeof sequenceSchema>>;
