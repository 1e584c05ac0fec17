import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { ConfiguredDetector } from '../confirm/detector';

/*
 * The shape of the GuardDuty archive (archiver.ts), apart from its code: the
 * response path takes it from its caller, as it takes the confirmation, so
 * the notify bundle, which never acts, carries no GuardDuty code at all.
 */

export interface ArchiveInput {
  /** The security account's GuardDuty client in the finding's region. */
  readonly guardDuty: GuardDutyClient;
  readonly region: string;
  readonly findingId: string;
  /** guardDuty.detectorId and the stack's region: used there (unless found stale), looked up with ListDetectors anywhere else (lambda/confirm/detector.ts). */
  readonly configured: ConfiguredDetector | undefined;
}

export interface Archived {
  /** The detector the finding was archived in. */
  readonly detectorId: string;
  /** Set when the configured detector id is stale: what a person should do about it. */
  readonly staleNote?: string;
}

/** Archives the finding; resolves to the detector it was archived in. */
export type FindingArchiver = (input: ArchiveInput) => Promise<Archived>;
