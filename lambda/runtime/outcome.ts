import { isCloseLoopStep } from '../close-loop/ids';
import type { Report } from '../plan/document';

/**
 * What a response came to, in one word, for the "playbook finished" log line
 * and the dashboard's findings-by-type-and-outcome table:
 *
 * - `failed`: a step failed (whatever else was done)
 * - `acted`: a change was made
 * - `reported`: the playbook had nothing to change (notify, or nothing left to do): reported only
 * - `dry-run`: changes were planned and only the dry-run kept them from running
 * - `blocked`: changes were planned and another guard refused them (sample, severity, exempt tag, account, ...)
 * - `no-change`: changes were planned, nothing refused them, and every one found nothing to do
 */
export type ResponseOutcome = 'failed' | 'acted' | 'reported' | 'dry-run' | 'blocked' | 'no-change';

export function outcomeOf(report: Pick<Report, 'steps' | 'blockedBy' | 'summary'>): ResponseOutcome {
  if (report.summary.failed > 0) return 'failed';
  // The Security Hub note and the GuardDuty archive (lambda/close-loop/) are no change of the account: a notify response with a note is still `reported`.
  const changes = report.steps.filter((step) => step.mutating && !isCloseLoopStep(step.id));
  if (changes.some((step) => step.status === 'done')) return 'acted';
  if (changes.length === 0) return 'reported';
  if (report.blockedBy.length === 1 && report.blockedBy[0] === 'dry-run') return 'dry-run';
  if (report.blockedBy.length > 0) return 'blocked';
  return 'no-change';
}
