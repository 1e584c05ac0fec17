import type { StepOutcome } from '../plan/types';

/*
 * The calls the local emulator (moto) cannot answer: it has no GuardDuty
 * findings API, no CloudTrail event history, no IAM Access Advisor, no
 * Security Hub findings and no Lambda provisioned concurrency. On AWS they answer. Only runs against the emulator
 * set config.localEmulator (emulator/runtime-config.ts); `cdk synth` refuses
 * it (lib/config/load-config.ts), so a deployed stack never relabels anything.
 *
 * The one place the gap is decided: a READ-ONLY step or read whose action is
 * listed here and which failed is recorded, where its outcome is made (the
 * executor, the read log), as skipped "not available in the local emulator".
 * The report, the email, the chat JSON, the ledger, `ir` and its exit code
 * all read that outcome, so they all agree. A change is never relabelled: a
 * mutating step that failed stays a failure, whatever its action.
 */

export const NOT_IN_LOCAL_EMULATOR = 'not available in the local emulator';

/**
 * Action → what it is, for the reason. Only calls moto really lacks (checked
 * against moto 5): it answers guardduty:ListDetectors, so a failed one is a failure.
 */
export const LOCAL_EMULATOR_GAPS: Readonly<Record<string, string>> = {
  'guardduty:GetFindings': 'GuardDuty findings',
  'guardduty:ArchiveFindings': 'GuardDuty findings',
  'cloudtrail:LookupEvents': 'CloudTrail event history',
  'iam:GenerateServiceLastAccessedDetails': 'IAM Access Advisor',
  'iam:GetServiceLastAccessedDetails': 'IAM Access Advisor',
  'securityhub:GetFindings': 'Security Hub',
  'securityhub:BatchUpdateFindings': 'Security Hub',
  // contain-function reads it to foresee a throttle Lambda would refuse; moto answers 404 (no such route).
  'lambda:ListProvisionedConcurrencyConfigs': 'Lambda provisioned concurrency',
};

/** Why a call the emulator cannot answer was not made, or did not count: the same words wherever it is said. */
export function notInLocalEmulatorReason(action: string): string {
  const what = LOCAL_EMULATOR_GAPS[action] ?? action;
  return `${NOT_IN_LOCAL_EMULATOR} (${what}: moto does not implement ${action}; on AWS it answers)`;
}

/** The reason a step calling this action is not run against the emulator; undefined: it runs (not an emulator run, or not a gap). */
export function localEmulatorGapOf(localEmulator: boolean | undefined, action: string): string | undefined {
  return localEmulator === true && Object.hasOwn(LOCAL_EMULATOR_GAPS, action) ? notInLocalEmulatorReason(action) : undefined;
}

/**
 * The outcome as recorded: a failed read-only call of a listed action, on an
 * emulator run, becomes skipped with the reason; every other outcome is
 * returned as it is (mutating steps, unlisted actions, localEmulator false).
 */
export function recordedOutcome(outcome: StepOutcome, localEmulator: boolean | undefined): StepOutcome {
  if (outcome.status !== 'failed' || outcome.mutating) return outcome;
  const reason = localEmulatorGapOf(localEmulator, outcome.action);
  if (reason === undefined) return outcome;
  const { error: _error, exposed: _exposed, ...rest } = outcome;
  return { ...rest, status: 'skipped', reason };
}

/** Whether a skipped outcome's reason is the local emulator's gap (the demo lists them). */
export function isLocalEmulatorGap(outcome: { readonly status: string; readonly reason?: string }): boolean {
  return outcome.status === 'skipped' && outcome.reason?.startsWith(`${NOT_IN_LOCAL_EMULATOR} (`) === true;
}
