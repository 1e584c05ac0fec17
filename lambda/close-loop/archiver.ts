import { ArchiveFindingsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { toStepError } from '../aws/errors';
import { detectorIdOf, firstDetector, forgetDetector, markConfiguredStale, staleConfiguredNote, staleDetectorRefusal } from '../confirm/detector';
import type { Archived, FindingArchiver } from './archiver-type';

/*
 * ArchiveFindings in the security account's detector, chosen as the
 * confirmation chooses it (lambda/confirm/detector.ts): the configured one in
 * the stack's region, else the one ListDetectors names. The confirmation has
 * usually found a stale configured id already (same client, same delivery);
 * when it has not (confirmFindings off), a refusal of the configured id is
 * looked up and archived again the same way.
 */

const archive = (guardDuty: GuardDutyClient, detectorId: string, findingId: string) => guardDuty.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: [findingId] }));

export const archiveGuardDutyFinding: FindingArchiver = async ({ guardDuty, region, findingId, configured }): Promise<Archived> => {
  const first = firstDetector(guardDuty, region, configured);
  if (first.source === 'ListDetectors') {
    const detectorId = await detectorIdOf(guardDuty, region);
    await archive(guardDuty, detectorId, findingId);
    return { detectorId, ...(first.staleConfigured === undefined ? {} : { staleNote: staleConfiguredNote(first.staleConfigured, region, detectorId) }) };
  }
  try {
    await archive(guardDuty, first.id, findingId);
    return { detectorId: first.id };
  } catch (error) {
    const refused = toStepError(error);
    if (!staleDetectorRefusal(refused)) throw error;
    forgetDetector(guardDuty);
    const detectorId = await detectorIdOf(guardDuty, region);
    // The configured id is the account's detector: the refusal was about something else, and stands.
    if (detectorId === first.id) throw error;
    markConfiguredStale(guardDuty, first.id);
    await archive(guardDuty, detectorId, findingId);
    return { detectorId, staleNote: staleConfiguredNote(first.id, region, detectorId, `${refused.code}: ${refused.message}`) };
  }
};
