import * as z from '../zod';

/*
 * Security Hub's "Security Hub Findings - Imported" event: one finding (in
 * ASFF) per event, for every finding Security Hub receives and every update
 * of one, BatchUpdateFindings' included. It only wakes the owed-note writer
 * (deliver-owed-notes.ts): nothing in it is sent anywhere, and only the
 * finding's Id and product are read from it.
 */

export const SECURITY_HUB_EVENT_SOURCE = 'aws.securityhub';
export const SECURITY_HUB_IMPORTED_DETAIL_TYPE = 'Security Hub Findings - Imported';

/** ProductFields key Security Hub fills with the product's name ("GuardDuty" for GuardDuty's findings). */
export const PRODUCT_NAME_FIELD = 'aws/securityhub/ProductName';
export const GUARDDUTY_PRODUCT_NAME = 'GuardDuty';

/** GuardDuty's product ARN in Security Hub, in a partition and region: every GuardDuty finding's ProductArn there. */
export function guardDutyProductArn(partition: string, region: string): string {
  return `arn:${partition}:securityhub:${region}::product/aws/guardduty`;
}

/**
 * The rule's pattern: Imported events of GuardDuty's findings in this
 * region, by product ARN and product name both (another product's findings,
 * Inspector's or a custom integration's, never wake the function). Written
 * for Event Ruler, EventBridge's engine (test/unit/close-loop/imported-pattern.test.ts).
 */
export function securityHubImportedPattern(partition: string, region: string) {
  return {
    source: [SECURITY_HUB_EVENT_SOURCE],
    'detail-type': [SECURITY_HUB_IMPORTED_DETAIL_TYPE],
    detail: {
      findings: {
        ProductArn: [guardDutyProductArn(partition, region)],
        ProductFields: { [PRODUCT_NAME_FIELD]: [GUARDDUTY_PRODUCT_NAME] },
      },
    },
  };
}

const importedFinding = z.looseObject({
  Id: z.string(),
  ProductArn: z.string(),
  ProductFields: z.optional(z.record(z.string(), z.unknown())),
});

const importedEvent = z.looseObject({
  source: z.literal(SECURITY_HUB_EVENT_SOURCE),
  'detail-type': z.literal(SECURITY_HUB_IMPORTED_DETAIL_TYPE),
  detail: z.looseObject({ findings: z.array(z.unknown()) }),
});

/** One finding of the event: a GuardDuty finding's Id, or why it is not one (and is left alone). */
export type ImportedFinding = { readonly findingArn: string } | { readonly ignored: string };

/** The finding ARN GuardDuty gives a finding, which is its Security Hub Id. */
const GUARDDUTY_FINDING_ARN = /^arn:(aws|aws-cn|aws-us-gov):guardduty:([a-z0-9-]+):(\d{12}):detector\/[A-Za-z0-9]+\/finding\/[A-Za-z0-9]+$/;

function findingOf(value: unknown, index: number): ImportedFinding {
  const parsed = importedFinding.safeParse(value);
  if (!parsed.success) return { ignored: `finding ${index}: not an ASFF finding with an Id and a ProductArn` };
  const { Id, ProductArn, ProductFields } = parsed.data;
  const arn = GUARDDUTY_FINDING_ARN.exec(Id);
  if (!arn) return { ignored: `finding ${index}: its Id is not a GuardDuty finding ARN` };
  if (ProductArn !== guardDutyProductArn(arn[1]!, arn[2]!) || ProductFields?.[PRODUCT_NAME_FIELD] !== GUARDDUTY_PRODUCT_NAME) {
    return { ignored: `finding ${index}: not GuardDuty's product in its own partition and region` };
  }
  return { findingArn: Id };
}

/** The GuardDuty findings an Imported event names; anything that is not such an event is refused (the function was invoked by something else). */
export function importedFindingsOf(event: unknown): ImportedFinding[] {
  const parsed = importedEvent.safeParse(event);
  if (!parsed.success) return [{ ignored: `not a "${SECURITY_HUB_IMPORTED_DETAIL_TYPE}" event from ${SECURITY_HUB_EVENT_SOURCE}` }];
  return parsed.data.detail.findings.map(findingOf);
}
