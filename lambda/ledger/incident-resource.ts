import { accessKeyOf, instanceIdOf, isSampleFinding } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { databaseTargetOf } from '../finding/database-target';
import { imageTargetOf } from '../finding/image-target';
import type { PlaybookName } from '../routing/playbook-names';
import { bucketTargetOf, objectTargetOf } from '../playbooks/s3/target';
import { objectName } from './restore-record';
import { lambdaFunctionOf } from '../finding/lambda-function';

/*
 * The resource an incident is about: one incident per resource, whatever the
 * number, ids and types of the findings about it (lambda/ledger/resource-incidents.ts).
 * It is the resource the playbook acts on, so that the brake counts resources
 * contained, and one instance gets one snapshot set and one isolation.
 *
 * notify acts on nothing, and a finding that names no resource (or GuardDuty's
 * placeholder of a sample finding) has nothing to share: they keep an
 * incident per finding.
 */

/** GuardDuty's sample findings name placeholder resources ("GeneratedFindingAccessKeyId", ...). */
const PLACEHOLDER = /^GeneratedFinding/;

/** An instance's resource key (its incidents', and `ir release`'s when it closes them). */
export function instanceResource(accountId: string, region: string, instanceId: string): string {
  return `ec2-instance/${accountId}/${region}/${instanceId}`;
}

/** An access key's resource key: IAM is global, a key is the same in every region. */
export function accessKeyResource(accountId: string, accessKeyId: string): string {
  return `access-key/${accountId}/${accessKeyId}`;
}

/** A Lambda function's resource key (its incidents', and `ir release --function`'s when it closes them). */
export function functionResource(accountId: string, region: string, functionName: string): string {
  return `lambda-function/${accountId}/${region}/${functionName}`;
}

/** A bucket's resource key: bucket names are global. */
export function bucketResource(accountId: string, bucket: string): string {
  return `s3-bucket/${accountId}/${bucket}`;
}

/** An object version's resource key: each version is its own evidence (quarantine-object). */
export function objectResource(accountId: string, bucket: string, key: string, versionId: string | null): string {
  return `s3-object/${accountId}/${objectName(bucket, key, versionId)}`;
}

/** The resource's key, e.g. `ec2-instance/111111111111/us-east-1/i-0abc`; undefined: the incident is the finding's own. */
export function incidentResourceOf(finding: Finding, playbook: PlaybookName): string | undefined {
  const account = finding.accountId;
  if (!account || isSampleFinding(finding)) return undefined;
  switch (playbook) {
    case 'contain-instance': {
      const instanceId = instanceIdOf(finding);
      return instanceId && finding.region ? instanceResource(account, finding.region, instanceId) : undefined;
    }
    case 'revoke-credentials': {
      // IAM is global: a key (or a principal) is the same in every region.
      const key = accessKeyOf(finding);
      const usable = (value: string | null | undefined) => (value && !PLACEHOLDER.test(value) ? value : undefined);
      const accessKeyId = usable(key?.accessKeyId);
      if (accessKeyId) return accessKeyResource(account, accessKeyId);
      const principal = usable(key?.principalId) ?? usable(key?.userName);
      return principal ? `principal/${account}/${principal}` : undefined;
    }
    case 'contain-database': {
      // The database the finding names (its cluster, when it is a cluster's, is only known once read): one incident per name.
      const target = databaseTargetOf(finding);
      if (target.kind === 'none' || !finding.region) return undefined;
      const name = target.kind === 'instance' ? `db/${target.dbInstanceIdentifier}` : `cluster/${target.dbClusterIdentifier}`;
      return `rds/${account}/${finding.region}/${name}`;
    }
    case 'quarantine-image': {
      const target = imageTargetOf(finding);
      if (target.kind === 'none' || !finding.region) return undefined;
      const id = target.kind === 'snapshot' ? target.snapshotId : target.kind === 'image' ? target.imageId : target.recoveryPointArn;
      return `backup-image/${account}/${finding.region}/${id}`;
    }
    case 'contain-task': {
      // One incident per task: the ARN's cluster and id, as the finding names them (contain-task verifies them before acting).
      const task = finding.resource?.ecsClusterDetails?.taskDetails?.arn;
      const match = task ? /^arn:[^:]+:ecs:[^:]+:\d{12}:task\/([A-Za-z0-9_-]{1,255}\/)?([a-f0-9-]{32,36})$/.exec(task) : null;
      return match && finding.region ? `ecs-task/${account}/${finding.region}/${match[1] ?? ''}${match[2]}` : undefined;
    }
    case 'contain-eks': {
      // The node when the finding names one (one incident per instance, as contain-instance); else the finding's own incident.
      const instanceId = instanceIdOf(finding);
      return instanceId && finding.region ? instanceResource(account, finding.region, instanceId) : undefined;
    }
    case 'block-public-access': {
      const target = bucketTargetOf(finding);
      return target.kind === 'bucket' ? bucketResource(account, target.bucket) : undefined;
    }
    case 'quarantine-object': {
      // One incident per object version: each version is its own evidence.
      const target = objectTargetOf(finding);
      return target.kind === 'object' ? objectResource(account, target.bucket, target.key, target.versionId) : undefined;
    }
    case 'contain-function': {
      // One incident per function (not per version): the throttle and the role are the function's.
      const functionName = lambdaFunctionOf(finding);
      return functionName && finding.region ? functionResource(account, finding.region, functionName) : undefined;
    }
    // A sequence spans resources: its incident is its own finding's (GuardDuty updates one sequence finding as it grows).
    case 'answer-sequence':
    case 'notify':
      return undefined;
  }
}
