import type { GuardDutyClient } from '@aws-sdk/client-guardduty';

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
  /** The configured detector; absent: looked up with ListDetectors. */
  readonly detectorId: string | undefined;
}

/** Archives the finding; resolves to the detector it was archived in. */
export type FindingArchiver = (input: ArchiveInput) => Promise<string>;
