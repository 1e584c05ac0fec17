import type { RuntimeConfig } from '../lambda/config/schema';

/*
 * What every run against the local emulator changes in the configuration.
 * moto has no GuardDuty findings API (it answers ListDetectors, never
 * GetFindings), so no finding can be confirmed there: emulator runs switch
 * the confirmation off explicitly, here, and every report and notification
 * of theirs says the finding was NOT confirmed. The confirmation itself is
 * proven with mocked clients (test/unit/confirm/), and the benchmark runs it
 * against its latency proxy's GuardDuty stand-in (bench/guardduty-stand-in.ts).
 */
/*
 * Nor has moto CloudTrail's event history, IAM Access Advisor, Security
 * Hub's BatchUpdateFindings or GuardDuty's ArchiveFindings. With
 * localEmulator, a read-only step or read of those calls that fails is
 * recorded skipped, "not available in the local emulator", where its
 * outcome is made, and the two close-the-loop changes are not tried and say
 * the same (lambda/aws/local-emulator-gaps.ts, the one list). Their calls
 * are proven with mocked clients (test/unit/).
 */
export const EMULATOR_CONFIG_OVERRIDES = { confirmFindings: false, localEmulator: true } as const satisfies Partial<RuntimeConfig>;
