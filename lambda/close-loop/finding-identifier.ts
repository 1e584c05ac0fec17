import { ResponderError } from '../aws/errors';
import type { Finding } from '../finding/schema';

/*
 * The finding's Security Hub (ASFF) counterpart: GuardDuty sends each finding
 * to Security Hub with the GuardDuty finding's ARN as its Id, under the
 * product ARN arn:<partition>:securityhub:<region>::product/aws/guardduty.
 * The ARN comes from the finding, which an attacker may have shaped: it is
 * used only if it names this very finding (its id, account and region), so
 * a forged one cannot point the note at another finding.
 */

export interface FindingIdentifier {
  readonly Id: string;
  readonly ProductArn: string;
}

const GUARDDUTY_FINDING_ARN = /^arn:(aws|aws-cn|aws-us-gov):guardduty:([a-z0-9-]+):(\d{12}):detector\/([A-Za-z0-9]+)\/finding\/([A-Za-z0-9]+)$/;

export const FINDING_ARN_MISMATCH = 'FindingArnMismatch';

/**
 * The identifier of the finding in Security Hub; undefined when the finding
 * carries no ARN (a hand-made finding): there is then nothing to name.
 * Throws when its ARN names another finding than its id, account and region.
 */
export function securityHubIdentifierOf(finding: Finding, defaultRegion: string | undefined): FindingIdentifier | undefined {
  const arn = finding.arn ?? undefined;
  if (arn === undefined) return undefined;
  const match = GUARDDUTY_FINDING_ARN.exec(arn);
  const region = finding.region ?? defaultRegion;
  if (!match || match[5] !== finding.id || (finding.accountId && match[3] !== finding.accountId) || (region && match[2] !== region)) {
    throw new ResponderError(
      FINDING_ARN_MISMATCH,
      `the finding's ARN does not name finding ${finding.id}${finding.accountId ? ` of account ${finding.accountId}` : ''}${region ? ` in ${region}` : ''}: its Security Hub counterpart is not updated`,
    );
  }
  return { Id: arn, ProductArn: `arn:${match[1]}:securityhub:${match[2]}::product/aws/guardduty` };
}
