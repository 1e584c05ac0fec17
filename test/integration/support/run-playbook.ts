import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import type { Finding } from '../../../lambda/finding/schema';
import type { Report } from '../../../lambda/plan/document';
import { respond } from '../../../lambda/respond/respond';
import type { EmulatedAccount } from './account';

/*
 * Runs a finding through the same path as the Lambda handler (route, read,
 * guard, plan, execute, notify) with clients pointed at the emulator.
 */

export const ENFORCE_CONFIG: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, mode: 'enforce' };

/** The responder's own roles (never revoked); none of them exists in the seeded account. */
export const RESPONDER = { protectedRoleNames: ['GuardDutyIncidentResponse-ContainInstanceRole', 'GuardDutyIncidentResponse-RevokeCredentialsRole'] };

export interface RunOptions {
  readonly dryRun?: boolean;
  readonly config?: RuntimeConfig;
}

export function runPlaybook(account: EmulatedAccount, finding: Finding, options: RunOptions = {}): Promise<Report> {
  return respond(finding, {
    config: options.config ?? ENFORCE_CONFIG,
    clients: account.clients,
    dryRun: options.dryRun ?? false,
    topicArn: account.seed.notifications.topicArn,
    responder: RESPONDER,
  });
}

/*
 * Calls moto does not implement (it answers HTTP 500, which the SDK cannot
 * parse). A read that fails only for this reason is not counted as a
 * failure of the playbook; each entry says what the emulator cannot show.
 */
export interface EmulatorGap {
  readonly readIdPrefix: string;
  readonly hides: string;
}

export const EMULATOR_READ_GAPS: readonly EmulatorGap[] = [
  {
    readIdPrefix: 'read:find-instances-sharing-profile:',
    hides:
      'moto has no DescribeInstances filter "iam-instance-profile.arn": which other instances share the instance profile is never known ' +
      'in the emulator, so the playbook\'s warning about them (and its "unknown" fallback) cannot be checked here',
  },
];

type Outcome = Report['steps'][number] | Report['reads'][number];

function isEmulatorGap(outcome: Outcome): boolean {
  return outcome.status === 'failed' && outcome.id.startsWith('read:') && EMULATOR_READ_GAPS.some((gap) => outcome.id.startsWith(gap.readIdPrefix));
}

function describeFailure(outcome: Outcome): string {
  return `${outcome.id} (${outcome.action} on ${outcome.target}): ${outcome.error?.code}: ${outcome.error?.message}`;
}

/** Every read or step that failed, known emulator gaps excepted, so a failing assertion says what went wrong. */
export function failedSteps(report: Report): string[] {
  return [...report.reads, ...report.steps].filter((o) => o.status === 'failed' && !isEmulatorGap(o)).map(describeFailure);
}

/** The titles of the reads that failed only because the emulator lacks the call. */
export function emulatorGapReads(report: Report): string[] {
  return report.reads.filter(isEmulatorGap).map((o) => o.title);
}
