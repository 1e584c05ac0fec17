import { GetFindingsCommand, type GetFindingsCommandOutput, type Finding as HeldFinding } from '@aws-sdk/client-guardduty';
import type { AwsClients } from '../aws/clients';
import { notInLocalEmulatorReason } from '../aws/local-emulator-gaps';
import { isSampleFinding } from '../finding/accessors';
import type { Finding } from '../finding/schema';
import { block, pass, type GuardVerdict } from '../guards/types';
import { readId, type ReadResult } from '../plan/reads';
import { actsInFindingAccount } from '../routing/playbook-names';
import { describeDifferences, differencesFrom } from './compare';
import { configuredDetector, detectorIdOf, firstDetector, forgetDetector, markConfiguredStale, staleConfiguredNote, staleDetectorRefusal } from './detector';
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
 * Which detector is asked (the configured one in the stack's region, else
 * the one ListDetectors names, and what a stale configured id does) is
 * decided in detector.ts.
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

type Held = ReadResult<GetFindingsCommandOutput>;

async function confirm(input: ConfirmationInput, home: AwsClients): Promise<GuardVerdict[]> {
  const { finding, reads } = input;
  const guardDuty = home.guardDuty;
  const region = input.region ?? (await guardDuty.config.region());
  const unavailable = (what: string, code: string, note?: string) =>
    block(
      CONFIRMATION_UNAVAILABLE,
      `${what} (${code}): nothing is changed until GuardDuty confirms finding ${finding.id}. A retry asks again; ` +
        'the responder needs guardduty:ListDetectors and guardduty:GetFindings in the security account, the GuardDuty delegated administrator' +
        (note ? `; ${note}` : ''),
    );
  const ask = (detectorId: string, how: string, target: string): Promise<Held> =>
    reads.read(CONFIRM_FINDING, `Ask GuardDuty for finding ${finding.id} (detector ${detectorId} in ${region}, ${how})`, target, async () => {
      try {
        return await guardDuty.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: [finding.id] }));
      } catch (error) {
        forgetDetector(guardDuty);
        throw error;
      }
    });
  const lookUp = (why: string) =>
    reads.read(FIND_DETECTOR, `Find the security account's GuardDuty detector in ${region} with ListDetectors${why}`, `guardduty:${region}`, () => detectorIdOf(guardDuty, region));
  const settle = (held: Held, detectorId: string, how: string, note?: string): GuardVerdict =>
    held.ok
      ? withNote(verdictOn(finding, (held.value.Findings ?? []).find((f) => f.Id === finding.id), detectorId, region, input.config.exemptTagKey), note)
      : unavailable(`GuardDuty (detector ${detectorId} in ${region}, ${how}) could not be asked for the finding`, held.error.code, note);

  const first = firstDetector(guardDuty, region, configuredDetector(input.config.guardDuty, input.stackRegion, region));
  if (first.source === 'ListDetectors') {
    const staleNote = first.staleConfigured === undefined ? undefined : staleConfiguredNote(first.staleConfigured, region, undefined);
    const detector = await lookUp('');
    if (!detector.ok) return [unavailable(`the GuardDuty detector in ${region} could not be found`, detector.error.code, staleNote)];
    const note = first.staleConfigured === undefined ? undefined : staleConfiguredNote(first.staleConfigured, region, detector.value);
    return [settle(await ask(detector.value, 'named by ListDetectors', finding.id), detector.value, 'named by ListDetectors', note)];
  }

  // The configured detector, asked at once: no ListDetectors before it.
  const held = await ask(first.id, 'configured', finding.id);
  if (held.ok || !staleDetectorRefusal(held.error)) return [settle(held, first.id, 'configured')];
  // Refused as an id GuardDuty does not know: the same delivery looks the detector up (afresh: a remembered answer may be as old).
  const refusal = `${held.error.code}: ${held.error.message}`;
  forgetDetector(guardDuty);
  const detector = await lookUp(`: the configured detector ${first.id} was refused (${held.error.code})`);
  if (!detector.ok) return [unavailable(`the GuardDuty detector in ${region} could not be found after the configured detector ${first.id} was refused`, detector.error.code)];
  // The configured id is the account's detector after all: the refusal was about something else, and stands.
  if (detector.value === first.id) return [settle(held, first.id, 'configured')];
  markConfiguredStale(guardDuty, first.id);
  const note = staleConfiguredNote(first.id, region, detector.value, refusal);
  reads.supersede(readId(CONFIRM_FINDING, finding.id), `superseded: ${note}; the finding was asked of detector ${detector.value} instead`);
  const again = await ask(detector.value, 'named by ListDetectors', `detector/${detector.value}/finding/${finding.id}`);
  return [settle(again, detector.value, 'named by ListDetectors', note)];
}

/** The stale configured detector id, said after the verdict's own reason (a pass still begins with CONFIRMED_PREFIX). */
function withNote(verdict: GuardVerdict, note: string | undefined): GuardVerdict {
  return note === undefined ? verdict : { ...verdict, reason: `${verdict.reason}; ${note}` };
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
