/*
 * Console links the responder puts in every notification, in the finding's
 * region and partition. Every value that goes into a URL is URI-encoded: a
 * bucket or function name from the finding cannot end the URL, add a query
 * parameter or become markup in a chat client.
 */

export interface NotificationLink {
  readonly label: string;
  readonly url: string;
}

/** What a CloudTrail event-history query filters on (the console's lookup attributes). */
export type TrailLookup = { readonly attribute: 'ResourceName' | 'AccessKeyId' | 'Username'; readonly value: string };

export interface ConsoleLocation {
  readonly partition: string;
  readonly region: string;
}

/** encodeURIComponent, and the characters it leaves that chat markdown gives meaning to (`*`, `~`, `(`, `)`, `!`, `'`). */
const enc = (value: string) => encodeURIComponent(value).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The console's host for a region: regional hosts for the commercial partition, the partition's own console elsewhere. */
export function consoleBase({ partition, region }: ConsoleLocation): string {
  if (partition === 'aws-cn') return `https://${enc(region)}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov') return 'https://console.amazonaws-us-gov.com';
  return `https://${enc(region)}.console.aws.amazon.com`;
}

export function guardDutyFindingUrl(at: ConsoleLocation, findingId: string): string {
  return `${consoleBase(at)}/guardduty/home?region=${enc(at.region)}#/findings?macros=current&fId=${enc(findingId)}`;
}

export function cloudTrailEventsUrl(at: ConsoleLocation, lookup: TrailLookup): string {
  return `${consoleBase(at)}/cloudtrail/home?region=${enc(at.region)}#/events?${lookup.attribute}=${enc(lookup.value)}`;
}

/** The console page of a resource, by its kind (lambda/notify/resources.ts). */
export function resourceUrl(at: ConsoleLocation, kind: string, id: string): string | undefined {
  const base = consoleBase(at);
  const region = enc(at.region);
  const value = enc(id);
  switch (kind) {
    case 'Instance':
      return `${base}/ec2/home?region=${region}#InstanceDetails:instanceId=${value}`;
    case 'IAMUser':
      return `${base}/iam/home#/users/details/${value}`;
    case 'IAMRole':
      return `${base}/iam/home#/roles/details/${value}`;
    case 'S3Bucket':
      return `${base}/s3/buckets/${value}?region=${region}`;
    case 'EKSCluster':
      return `${base}/eks/home?region=${region}#/clusters/${value}`;
    case 'ECSCluster':
      return `${base}/ecs/v2/clusters/${value}?region=${region}`;
    case 'Lambda':
      return `${base}/lambda/home?region=${region}#/functions/${value}`;
    case 'RDSDBInstance':
      return `${base}/rds/home?region=${region}#database:id=${value}`;
    case 'RDSLimitlessDB':
      return `${base}/rds/home?region=${region}#database:id=${value};is-cluster=true`;
    default:
      return undefined;
  }
}
