import { confirmationVerdict } from '../lambda/confirm/verdicts';
import { summarize, type Report, type StepReport } from '../lambda/plan/document';

/*
 * Calls the local emulator (moto) cannot answer: it has no GuardDuty
 * findings API, no CloudTrail event history, no IAM Access Advisor and no
 * Security Hub findings. On AWS they answer. The demo shows a read-only step
 * that failed on one of them as "not available in the local emulator",
 * never as a failure of the playbook. A change that failed is never
 * relabelled: whatever its action, it stays a failure (and a problem).
 */

export const NOT_IN_EMULATOR = 'not available in the local emulator';

const EMULATOR_GAPS: Readonly<Record<string, string>> = {
  'guardduty:GetFindings': 'GuardDuty findings',
  'guardduty:ListDetectors': 'GuardDuty findings',
  'cloudtrail:LookupEvents': 'CloudTrail event history',
  'iam:GenerateServiceLastAccessedDetails': 'IAM Access Advisor',
  'iam:GetServiceLastAccessedDetails': 'IAM Access Advisor',
  'securityhub:GetFindings': 'Security Hub',
  'securityhub:BatchUpdateFindings': 'Security Hub',
};

export function isEmulatorGap(step: Pick<StepReport, 'action' | 'mutating' | 'status'>): boolean {
  return step.status === 'failed' && !step.mutating && step.action in EMULATOR_GAPS;
}

function gapReason(action: string): string {
  return `${NOT_IN_EMULATOR} (${EMULATOR_GAPS[action]}: moto does not implement ${action}; on AWS it answers)`;
}

export interface EmulatorView {
  /** The report as the demo shows it: emulator gaps skipped with that reason, the summary counted again. */
  readonly report: Report;
  /** The actions the emulator could not answer in this report. */
  readonly unavailable: readonly string[];
}

export function emulatorView(report: Report): EmulatorView {
  const unavailable = new Set<string>();
  const relabel = <S extends Pick<StepReport, 'action' | 'mutating' | 'status' | 'error' | 'reason'>>(step: S): S => {
    if (!isEmulatorGap(step)) return step;
    unavailable.add(step.action);
    const { error: _error, ...rest } = step;
    return { ...rest, status: 'skipped', reason: gapReason(step.action) } as S;
  };
  const steps = report.steps.map(relabel);
  const reads = report.reads.map(relabel);
  const confirmation = confirmationVerdict(report.guards);
  // confirmFindings is off for the emulator (emulator/runtime-config.ts): say why in the demo's words.
  const guards = report.guards.map((guard) =>
    guard === confirmation && !guard.blocks
      ? { ...guard, reason: `${NOT_IN_EMULATOR} (GuardDuty findings: moto has no GetFindings): the demo acts on the finding as delivered; on AWS every acting response confirms it first` }
      : guard,
  );
  if (confirmation && !confirmation.blocks) unavailable.add('guardduty:GetFindings');
  return { report: { ...report, steps, reads, guards, summary: summarize(steps) }, unavailable: [...unavailable].sort() };
}
