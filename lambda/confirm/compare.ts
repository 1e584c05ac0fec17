import type { Finding as HeldFinding } from '@aws-sdk/client-guardduty';
import type { Finding } from '../finding/schema';

/*
 * What the delivered finding claims, against what GuardDuty holds under its
 * id. Every field compared is one the response decides by: the account it
 * acts in, the type and resource role it is routed by, the severity the
 * floor is judged by, the resource it acts on (the instance, the access key
 * and its principal, the function), and whether a person archived it. Anything else in a
 * finding (tags, network details) is read from the account itself, never
 * trusted from the finding. Pure: no AWS call.
 */

export interface Difference {
  readonly field: string;
  readonly claimed: unknown;
  readonly held: unknown;
}

type Comparable = string | number | boolean | null;

function norm(value: Comparable | undefined): Comparable {
  return value === undefined ? null : value;
}

/** Each field where the finding as delivered is not the finding GuardDuty holds. */
export function differencesFrom(claimed: Finding, held: HeldFinding, region: string): Difference[] {
  const claimedKey = claimed.resource?.accessKeyDetails;
  const heldKey = held.Resource?.AccessKeyDetails;
  const pairs: ReadonlyArray<readonly [string, Comparable | undefined, Comparable | undefined]> = [
    ['id', claimed.id, held.Id],
    ['accountId', claimed.accountId, held.AccountId],
    ['region', region, held.Region],
    ['type', claimed.type, held.Type],
    ['severity', claimed.severity, held.Severity],
    ['service.resourceRole', claimed.service?.resourceRole, held.Service?.ResourceRole],
    ['resource.resourceType', claimed.resource?.resourceType, held.Resource?.ResourceType],
    ['resource.instanceDetails.instanceId', claimed.resource?.instanceDetails?.instanceId, held.Resource?.InstanceDetails?.InstanceId],
    ['resource.accessKeyDetails.accessKeyId', claimedKey?.accessKeyId, heldKey?.AccessKeyId],
    ['resource.accessKeyDetails.principalId', claimedKey?.principalId, heldKey?.PrincipalId],
    ['resource.accessKeyDetails.userName', claimedKey?.userName, heldKey?.UserName],
    ['resource.accessKeyDetails.userType', claimedKey?.userType, heldKey?.UserType],
    // contain-function acts on the function these name: an edited name, ARN or version changes nothing.
    ['resource.lambdaDetails.functionName', claimed.resource?.lambdaDetails?.functionName, held.Resource?.LambdaDetails?.FunctionName],
    ['resource.lambdaDetails.functionArn', claimed.resource?.lambdaDetails?.functionArn, held.Resource?.LambdaDetails?.FunctionArn],
    ['resource.lambdaDetails.functionVersion', claimed.resource?.lambdaDetails?.functionVersion, held.Resource?.LambdaDetails?.FunctionVersion],
  ];
  return pairs.filter(([, a, b]) => norm(a) !== norm(b)).map(([field, a, b]) => ({ field, claimed: norm(a), held: norm(b) }));
}

/** One line per difference, quoted so a hostile value cannot pass for the text around it. */
export function describeDifferences(differences: readonly Difference[]): string {
  return differences.map((d) => `${d.field} is ${JSON.stringify(d.claimed)} in the finding delivered, ${JSON.stringify(d.held)} in GuardDuty`).join('; ');
}
