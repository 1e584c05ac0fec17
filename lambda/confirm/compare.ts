import type { Finding as HeldFinding } from '@aws-sdk/client-guardduty';
import type { Finding } from '../finding/schema';
import { COMPARED_FIELDS, exemptTagFields } from './compared-fields';
import { field, type Difference } from './field-rules';

/*
 * What the delivered finding claims, against what GuardDuty holds under its
 * id. Every field any playbook acts on or decides by is compared
 * (compared-fields.ts, one list for every resource type): the account it
 * acts in and the region, the type and resource role it is routed by, the
 * severity the floor is judged by, and the resource it acts on in each
 * playbook's terms (the instance, the access key and its principal, the
 * bucket and the object version, the EKS cluster and Kubernetes user, the
 * ECS cluster and task, the function, the database, the snapshot, AMI or
 * recovery point, the caller's account, an attack sequence's resources,
 * signals and actors), and the exempt tag wherever the finding reports
 * tags. Any one that differs refuses the response. Values that change
 * during an incident (other tags, network details) are read from the
 * account itself, never trusted from the finding. Pure: no AWS call.
 */

export type { Difference } from './field-rules';

/** The region the finding is acted on in (the delivered finding's, or the responder's), against GuardDuty's. */
const REGION = field<string, HeldFinding>('region', (region) => region, (held) => held.Region);

/** Each field where the finding as delivered is not the finding GuardDuty holds; `exemptTagKey` is the configured exempt tag. */
export function differencesFrom(claimed: Finding, held: HeldFinding, region: string, exemptTagKey: string): Difference[] {
  const rules = [...COMPARED_FIELDS, ...exemptTagFields(exemptTagKey)];
  return [...rules.flatMap((rule) => rule.differences(claimed, held, '')), ...REGION.differences(region, held, '')];
}

/** At most this many differences are spelled out: a forged sequence of hundreds of resources must not make a reason of thousands of lines. */
export const MAX_DESCRIBED_DIFFERENCES = 20;

/** One line per difference, quoted so a hostile value cannot pass for the text around it. */
export function describeDifferences(differences: readonly Difference[]): string {
  const shown = differences.slice(0, MAX_DESCRIBED_DIFFERENCES).map((d) => `${d.field} is ${JSON.stringify(d.claimed)} in the finding delivered, ${JSON.stringify(d.held)} in GuardDuty`);
  const more = differences.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more differences`] : [])].join('; ');
}
