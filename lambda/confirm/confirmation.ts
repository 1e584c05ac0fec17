import { GetFindingsCommand, type Finding as HeldFinding } from '@aws-sdk/client-guardduty';
import type { AwsClients } from '../aws/clients';
import { notInLocalEmulatorReason } from '../aws/local-emulator-gaps';
import { isSampleFinding } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { block, pass, type GuardVerdict } from '../guards/types';
import { actsInFindingAccount } from '../routing/playbook-names';
import { describeDifferences, differencesFrom } from './compare';
import { detectorIdOf, forgetDetector } from './detector';
import { CONFIRM_FINDING, FIND_DETECTOR } from './specs';
import type { ConfirmationInput, FindingConfirmer } from './types';
import { CONFIRMATION_UNAVAILABLE, CONFIRMED_PREFIX, FINDING_CONFIRMATION } from './verdicts';

/*
 * Before a playbook changes anything, GuardDuty must confirm the finding:
 * the security account's detector in the finding's region holds a finding
 * of that id, with the same account, type, severity, resource role and
 * resource, not archived. Whoever can put an event on the bus or invoke a
 * playbook directly can write any finding; only GuardDuty can make one it
 * holds. The question is asked as the response begins, beside the ledger
 * claim, the AssumeRole and the first reads (lambda/respond/begin.ts), and
 * its answer is awaited where the guards are settled, before the first
 * change. Its reads are the response's reads (a failed one blocks every
 * change and is retried like any failed read); its verdict is a guard's.
 * Dry-runs ask too, so a dry-run shows what enforce mode would do.
 */

/**
 * Starts the confirmation; settles to its verdicts and never rejects. None
 * for a playbook that never acts (notify): there is nothing to guard.
 */
export const startConfirmation: FindingConfirmer = (input) => {
  if (!actsInFindingAccount(input.playbook)) return undefined;
  const { finding, config, home } = input;
  if (!config.confirmFindings) {
    // An emulator run says so in the gap's own words (lambda/aws/local-emulator-gaps.ts); anywhere else, the setting is named as the cause.
    const reason = config.localEmulator
      ? `NOT CONFIRMED with GuardDuty: confirmFindings is false in the configuration: ${notInLocalEmulatorReason('guardduty:GetFindings')}; the finding is acted on as delivered`
      : 'NOT CONFIRMED with GuardDuty: confirmFindings is false in the configuration (meant for the local emulator, which has no GuardDuty findings API), so the finding is acted on as delivered';
    return Promise.resolve([pass(FINDING_CONFIRMATION, reason)]);
  }
  // The sample-finding guard blocks every change to it anyway; the daily heartbeat is one.
  if (isSampleFinding(finding)) return Promise.resolve([pass(FINDING_CONFIRMATION, 'not asked of GuardDuty: a sample finding is never acted on (sample-finding)')]);
  if (!home) return Promise.resolve([pass(FINDING_CONFIRMATION, 'not asked of GuardDuty: planned offline, from the finding alone')]);
  return confirm(input, home).catch((error: unknown) => [
    block(CONFIRMATION_UNAVAILABLE, `GuardDuty could not be asked about finding ${finding.id} (${error instanceof Error ? error.message : String(error)}): nothing is changed`),
  ]);
};

async function confirm(input: ConfirmationInput, home: AwsClients): Promise<GuardVerdict[]> {
  const { finding, reads } = input;
  const region = input.region ?? (await home.guardDuty.config.region());
  const unavailable = (what: string, code: string) =>
    block(
      CONFIRMATION_UNAVAILABLE,
      `${what} (${code}): nothing is changed until GuardDuty confirms finding ${finding.id}. A retry asks again; ` +
        'the responder needs guardduty:ListDetectors and guardduty:GetFindings in the security account, the GuardDuty delegated administrator',
    );
  const detector = await reads.read(FIND_DETECTOR, `Find the security account's GuardDuty detector in ${region}`, `guardduty:${region}`, () =>
    detectorIdOf(home.guardDuty, region),
  );
  if (!detector.ok) return [unavailable(`the GuardDuty detector in ${region} could not be found`, detector.error.code)];
  const detectorId = detector.value;
  const held = await reads.read(CONFIRM_FINDING, `Ask GuardDuty (detector ${detectorId}, ${region}) for finding ${finding.id}`, finding.id, async () => {
    try {
      return await home.guardDuty.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: [finding.id] }));
    } catch (error) {
      forgetDetector(home.guardDuty);
      throw error;
    }
  });
  if (!held.ok) return [unavailable(`GuardDuty (detector ${detectorId}, ${region}) could not be asked for the finding`, held.error.code)];
  return [verdictOn(finding, (held.value.Findings ?? []).find((f) => f.Id === finding.id), detectorId, region, input.config.exemptTagKey)];
}

function verdictOn(finding: Finding, held: HeldFinding | undefined, detectorId: string, region: string, exemptTagKey: string): GuardVerdict {
  const where = `detector ${detectorId} in ${region}`;
  if (!held) {
    return block(
      FINDING_CONFIRMATION,
      `GuardDuty (${where}) holds no finding ${finding.id}: a finding GuardDuty does not confirm is never acted on (forged, or of another region or administrator)`,
    );
  }
  const differences = differencesFrom(finding, held, region, exemptTagKey);
  if (differences.length > 0) {
    return block(FINDING_CONFIRMATION, `the finding delivered is not the one GuardDuty (${where}) holds: ${describeDifferences(differences)}`);
  }
  if (held.Service?.Archived === true) return block(FINDING_CONFIRMATION, `GuardDuty (${where}) holds finding ${finding.id} as archived: a person decided it needs no response`);
  return pass(FINDING_CONFIRMATION, `${CONFIRMED_PREFIX} (${where}): finding ${finding.id} with the same account, type, severity, resource role and resource, not archived`);
}
