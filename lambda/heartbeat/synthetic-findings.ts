import type { EffectiveRule } from '../routing/overrides';
import type { PlaybookName } from '../routing/playbook-names';
import { routeKey } from '../routing/route';

/*
 * THE synthetic findings of the daily heartbeat, one per playbook. The CDK
 * heartbeat rules (lib/monitoring/heartbeat.ts) send exactly these, and the
 * tests run exactly these through the handlers: what is deployed is what is
 * proven to route to its playbook and to be blocked from acting.
 *
 * Each one is a GuardDuty *sample* (service.additionalInfo.sample = true)
 * naming placeholder resources, so the sample-finding guard blocks every
 * change even before the heartbeat's own dry-run does.
 */

interface Candidate {
  readonly type: string;
  readonly severity: number;
}

/**
 * Types that route to each playbook with the shipped table, in order of
 * preference. The first one still routing there after the team's overrides
 * is used, so removing one type from the table does not break the heartbeat.
 */
const CANDIDATES: Readonly<Record<PlaybookName, readonly Candidate[]>> = {
  'contain-instance': [
    { type: 'Backdoor:EC2/C&CActivity.B', severity: 8 },
    { type: 'CryptoCurrency:EC2/BitcoinTool.B', severity: 8 },
    { type: 'Trojan:EC2/BlackholeTraffic', severity: 8 },
  ],
  'revoke-credentials': [
    { type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', severity: 5 },
    { type: 'CredentialAccess:IAMUser/AnomalousBehavior', severity: 5 },
    { type: 'Exfiltration:IAMUser/AnomalousBehavior', severity: 8 },
  ],
  'block-public-access': [
    { type: 'Policy:S3/BucketBlockPublicAccessDisabled', severity: 2 },
    { type: 'Policy:S3/BucketPublicAccessGranted', severity: 8 },
  ],
  'quarantine-object': [{ type: 'Object:S3/MaliciousFile', severity: 8 }],
  'contain-function': [
    { type: 'Backdoor:Lambda/C&CActivity.B', severity: 8 },
    { type: 'CryptoCurrency:Lambda/BitcoinTool.B', severity: 8 },
    { type: 'UnauthorizedAccess:Lambda/TorClient', severity: 8 },
  ],
  // A sample sequence naming no resource: it routes and plans, and answers nothing.
  'answer-sequence': [{ type: 'AttackSequence:IAM/CompromisedCredentials', severity: 9 }],
  'contain-task': [
    { type: 'CryptoCurrency:Runtime/BitcoinTool.B', severity: 8 },
    { type: 'Backdoor:Runtime/C&CActivity.B', severity: 8 },
    { type: 'Execution:Runtime/ReverseShell', severity: 8 },
  ],
  'contain-eks': [
    { type: 'CryptoCurrency:Runtime/BitcoinTool.B', severity: 8 },
    { type: 'Execution:Kubernetes/ExecInKubeSystemPod', severity: 5 },
  ],
  'contain-database': [
    { type: 'CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin', severity: 8 },
    { type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin', severity: 8 },
  ],
  'quarantine-image': [{ type: 'Execution:EC2/MaliciousFile!Snapshot', severity: 8 }],
  notify: [
    { type: 'Policy:IAMUser/RootCredentialUsage', severity: 2 },
    { type: 'Recon:IAMUser/TorIPCaller', severity: 2 },
    { type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', severity: 2 },
  ],
};

/** The placeholder resources GuardDuty's own sample findings name; they exist in no account. */
export const HEARTBEAT_INSTANCE_ID = 'i-99999999';
export const HEARTBEAT_USER_NAME = 'GeneratedFindingUserName';
export const HEARTBEAT_ACCESS_KEY_ID = 'GeneratedFindingAccessKeyId';
/** A bucket name no account can own (S3 refuses names ending in -s3alias), so the heartbeat's reads find nothing. */
export const HEARTBEAT_BUCKET = 'ir-heartbeat-bucket--s3alias';
export const HEARTBEAT_FUNCTION_NAME = 'GeneratedFindingLambdaFunctionName';
/** No DB instance of this name exists: the heartbeat's contain-database plan is refused as not found (and the finding is a sample anyway). */
export const HEARTBEAT_DB_INSTANCE_ID = 'ir-heartbeat-database';

/** Every heartbeat finding id starts with this, so a heartbeat is told apart in logs and reports at a glance. */
export const HEARTBEAT_FINDING_ID_PREFIX = 'ir-heartbeat-';

/** Fixed times: the input of the schedule rule is a constant. */
const FIXED_TIME = '2000-01-01T00:00:00.000Z';

function resourceOf(playbook: PlaybookName): Record<string, unknown> {
  if (playbook === 'contain-instance') {
    return { resourceType: 'Instance', instanceDetails: { instanceId: HEARTBEAT_INSTANCE_ID, instanceState: 'running', tags: [] } };
  }
  if (playbook === 'block-public-access') return { resourceType: 'S3Bucket', s3BucketDetails: [{ name: HEARTBEAT_BUCKET, arn: `arn:aws:s3:::${HEARTBEAT_BUCKET}`, tags: [] }] };
  if (playbook === 'quarantine-object') {
    return {
      resourceType: 'S3Object',
      s3BucketDetails: [{ name: HEARTBEAT_BUCKET, arn: `arn:aws:s3:::${HEARTBEAT_BUCKET}`, tags: [], s3ObjectDetails: [{ key: 'heartbeat.bin', versionId: 'heartbeat' }] }],
    };
  }
  if (playbook === 'contain-function') return { resourceType: 'Lambda', lambdaDetails: { functionName: HEARTBEAT_FUNCTION_NAME, functionVersion: '$LATEST' } };
  if (playbook === 'contain-eks') {
    return {
      resourceType: 'EKSCluster',
      eksClusterDetails: { name: 'GeneratedFindingEKSClusterName', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/GeneratedFindingEKSClusterName' },
      instanceDetails: { instanceId: HEARTBEAT_INSTANCE_ID, instanceState: 'running', tags: [] },
    };
  }
  if (playbook === 'contain-task') {
    // GuardDuty's sample ECS finding names placeholders; these parse as ARNs of no account, so nothing is read or changed.
    return {
      resourceType: 'ECSCluster',
      ecsClusterDetails: {
        name: 'GeneratedFindingECSClusterName',
        arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/GeneratedFindingECSClusterName',
        taskDetails: { arn: 'arn:aws:ecs:us-east-1:123456789012:task/GeneratedFindingECSClusterName/00000000000000000000000000000000', launchType: 'FARGATE' },
      },
    };
  }
  if (playbook === 'quarantine-image') {
    // No such snapshot exists: the heartbeat's plan is refused as not found (and the finding is a sample anyway).
    return { resourceType: 'EBSSnapshot', ebsSnapshotDetails: { snapshotArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0999999999999999a' } };
  }
  if (playbook === 'contain-database') {
    return { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: HEARTBEAT_DB_INSTANCE_ID, engine: 'postgres', tags: [] } };
  }
  return {
    resourceType: 'AccessKey',
    accessKeyDetails: {
      accessKeyId: HEARTBEAT_ACCESS_KEY_ID,
      principalId: 'GeneratedFindingPrincipalId',
      userName: HEARTBEAT_USER_NAME,
      userType: 'IAMUser',
    },
  };
}

export class HeartbeatRoutingError extends Error {
  constructor(playbook: PlaybookName, tried: readonly string[]) {
    super(
      `no heartbeat finding routes to the ${playbook} playbook with the configured routing overrides (tried ${tried.join(', ')}): ` +
        'keep at least one of these types routed to it',
    );
    this.name = 'HeartbeatRoutingError';
  }
}

function candidateFor(playbook: PlaybookName, table: readonly EffectiveRule[]): Candidate {
  const resourceType = resourceOf(playbook).resourceType as string;
  const candidate = CANDIDATES[playbook].find(
    (c) => routeKey({ type: c.type, resourceType, resourceRole: 'TARGET' }, table).playbook === playbook,
  );
  if (!candidate) throw new HeartbeatRoutingError(playbook, CANDIDATES[playbook].map((c) => c.type));
  return candidate;
}

export interface HeartbeatTarget {
  /** The account the playbook runs in (in CDK, the stack's account token): its own account, so no member role is assumed. */
  readonly accountId: string;
  readonly region: string;
  readonly partition?: string;
}

/** A raw GuardDuty finding (the `detail` of an event), sample-flagged, that routes to `playbook` under `table`. */
export function heartbeatFinding(playbook: PlaybookName, target: HeartbeatTarget, table: readonly EffectiveRule[]): Record<string, unknown> {
  const { type, severity } = candidateFor(playbook, table);
  const id = `${HEARTBEAT_FINDING_ID_PREFIX}${playbook}`;
  return {
    schemaVersion: '2.0',
    accountId: target.accountId,
    region: target.region,
    partition: target.partition ?? 'aws',
    id,
    type,
    severity,
    title: `Incident response heartbeat for the ${playbook} playbook (synthetic sample finding)`,
    description: 'Sent daily by the heartbeat rule to prove the playbook still parses, routes and plans. It is a sample: nothing is ever changed.',
    createdAt: FIXED_TIME,
    updatedAt: FIXED_TIME,
    resource: resourceOf(playbook),
    service: {
      serviceName: 'guardduty',
      archived: false,
      count: 1,
      resourceRole: 'TARGET',
      additionalInfo: { sample: true },
      eventFirstSeen: FIXED_TIME,
      eventLastSeen: FIXED_TIME,
    },
  };
}

/** The direct invocation the heartbeat rule sends (lambda/runtime/invocation.ts validates it). */
export interface HeartbeatInvocation {
  readonly finding: Record<string, unknown>;
  readonly dryRun: true;
  readonly heartbeat: true;
}

export function heartbeatInvocation(playbook: PlaybookName, target: HeartbeatTarget, table: readonly EffectiveRule[]): HeartbeatInvocation {
  return { finding: heartbeatFinding(playbook, target, table), dryRun: true, heartbeat: true };
}
