import type { Finding } from '../../finding/schema';
import { untrusted } from '../../text/untrusted';

/*
 * An S3 data finding (Exfiltration:S3/*, Impact:S3/*, Discovery:S3/*,
 * PenTest:S3/*, UnauthorizedAccess:S3/*) is answered by revoking the
 * principal that made the calls, as for any credential finding. What the
 * principal did to which bucket is recorded beside it, in the plan's
 * resource (so in the report, the evidence and the notification): the
 * buckets of resource.s3BucketDetails and the call of
 * service.action.awsApiCallAction. The buckets are never changed by this
 * playbook: they are the victim, not the threat.
 */

export interface S3BucketNamed {
  readonly name: string | null;
  readonly arn: string | null;
  /** GuardDuty's role of the bucket in the activity (Destination, ...). */
  readonly type: string | null;
}

export interface S3Activity {
  readonly buckets: readonly S3BucketNamed[];
  readonly api: string | null;
  readonly serviceName: string | null;
  readonly errorCode: string | null;
  /** Resource type (AWS::S3::Bucket) to name, as GuardDuty lists what the call touched. */
  readonly affectedResources: Readonly<Record<string, string>>;
}

// A finding names a handful of buckets; more are listed in the finding itself.
const MAX_BUCKETS = 20;

/*
 * get-findings output is PascalCase and the parser lowers the first letter of
 * every key, map keys included: "AWS::S3::Bucket" arrives as "aWS::S3::Bucket".
 */
function resourceTypeKey(key: string): string {
  return key.startsWith('aWS::') ? `A${key.slice(1)}` : key;
}

/** The S3 activity of a finding about an S3 bucket; null for any other resource type. */
export function s3ActivityOf(finding: Finding): S3Activity | null {
  if (finding.resource?.resourceType !== 'S3Bucket') return null;
  const call = finding.service?.action?.awsApiCallAction;
  const affectedResources: Record<string, string> = {};
  for (const [key, value] of Object.entries(call?.affectedResources ?? {})) {
    if (typeof value === 'string' && value !== '') affectedResources[resourceTypeKey(key)] = value;
  }
  return {
    buckets: (finding.resource.s3BucketDetails ?? []).slice(0, MAX_BUCKETS).map((bucket) => ({
      name: bucket.name ?? null,
      arn: bucket.arn ?? null,
      type: bucket.type ?? null,
    })),
    api: call?.api ?? null,
    serviceName: call?.serviceName ?? null,
    errorCode: call?.errorCode ?? null,
    affectedResources,
  };
}

// Every value below is the finding's text (an attacker can name a bucket or shape a forged finding): escaped and bounded before it joins a warning.
function describeBuckets(buckets: readonly S3BucketNamed[]): string {
  if (buckets.length === 0) return 'a bucket the finding does not name (resource.s3BucketDetails is empty)';
  const named = buckets.map((b) => `${untrusted(b.name ?? b.arn ?? '(unnamed)')}${b.type ? ` (${untrusted(b.type)})` : ''}`).join(', ');
  return `bucket${buckets.length === 1 ? '' : 's'} ${named}`;
}

/** One line for the plan's warnings: which call, on which buckets, and that the buckets are left as they are. */
export function describeS3Activity(activity: S3Activity): string {
  const call = activity.api ? `${untrusted(activity.api)}${activity.serviceName ? ` (${untrusted(activity.serviceName)})` : ''}` : 'an API call the finding does not name';
  const outcome = activity.errorCode ? `, answered ${untrusted(activity.errorCode)},` : '';
  const affected = Object.entries(activity.affectedResources).map(([type, name]) => `${untrusted(type)} ${untrusted(name)}`);
  return (
    `S3 data activity by this principal: ${call}${outcome} on ${describeBuckets(activity.buckets)}` +
    `${affected.length > 0 ? `; affected resources: ${affected.join(', ')}` : ''}. The buckets are not changed: review the principal's S3 data events in CloudTrail ` +
    'for what was read, written or deleted, and restore from object versions or backups.'
  );
}
