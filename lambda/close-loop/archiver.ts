import { ArchiveFindingsCommand } from '@aws-sdk/client-guardduty';
import { detectorIdOf } from '../confirm/detector';
import type { FindingArchiver } from './archiver-type';

/** ArchiveFindings in the security account's detector: the configured one, or the one ListDetectors names (as the confirmation finds it). */
export const archiveGuardDutyFinding: FindingArchiver = async ({ guardDuty, region, findingId, detectorId }) => {
  const detector = detectorId ?? (await detectorIdOf(guardDuty, region));
  await guardDuty.send(new ArchiveFindingsCommand({ DetectorId: detector, FindingIds: [findingId] }));
  return detector;
};
