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
 * Nor has moto Security Hub's BatchUpdateFindings or GuardDuty's
 * ArchiveFindings (lambda/close-loop/): with localEmulator those steps, when
 * the configuration turns them on, are reported skipped, "not available in
 * the local emulator", instead of failing. Their calls are proven with
 * mocked clients (test/unit/close-loop/).
 */
export const EMULATOR_CONFIG_OVERRIDES = { confirmFindings: false, localEmulator: true } as const satisfies Partial<RuntimeConfig>;
