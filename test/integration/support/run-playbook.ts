import { EMULATOR_CONFIG_OVERRIDES } from '../../../emulator/runtime-config';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../../lambda/config/schema';
import type { Finding } from '../../../lambda/finding/schema';
import type { Report } from '../../../lambda/plan/document';
import { respond } from '../../../lambda/respond/respond';
import type { EmulatedAccount } from './account';

/*
 * Runs a finding through the same path as the Lambda handler (route, read,
 * guard, plan, execute, notify) with clients pointed at the emulator.
 */

/** Enforce, with the confirmation switched off: the emulator has no GuardDuty findings API (emulator/runtime-config.ts). */
export const ENFORCE_CONFIG: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, ...EMULATOR_CONFIG_OVERRIDES, mode: 'enforce' };

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

type Outcome = Report['steps'][number] | Report['reads'][number];

function describeFailure(outcome: Outcome): string {
  return `${outcome.id} (${outcome.action} on ${outcome.target}): ${outcome.error?.code}: ${outcome.error?.message}`;
}

/** Every read or step that failed, so a failing assertion says what went wrong. */
export function failedSteps(report: Report): string[] {
  return [...report.reads, ...report.steps].filter((o) => o.status === 'failed').map(describeFailure);
}
