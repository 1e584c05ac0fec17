import type { Report } from '../lambda/plan/document';
import { ALREADY_ANSWERED, JOINED_INCIDENT } from '../lambda/ledger/verdicts';
import { failuresOf } from '../lambda/runtime/retry-policy';

/**
 * `ir` exit codes: scripts and runbooks depend on them (docs/operate.md,
 * `ir --help`). They tell containment from investigation: a change that
 * failed (1) is worse than evidence that could not be gathered (3).
 */
export const EXIT = {
  /** Every step is done (or a dry-run planned it, or the ledger says it was already done). */
  ok: 0,
  /** A change failed, or a read the plan needed, or the notification or the ledger write: the response is incomplete. */
  actionFailed: 1,
  /** The input or the options were wrong (or the stack or an output was not found); nothing was planned or done. */
  badInput: 2,
  /** Every change is done, but a read-only investigation or evidence step failed: the response holds, the evidence is short. */
  evidenceFailed: 3,
  /** A guard refused the changes (exempt tag, sample finding, brake, account, unconfirmed finding, ...): nothing was changed. */
  blocked: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The codes, for `ir --help` and the commands' help: one line each. */
export const EXIT_CODES_HELP = `Exit codes (every command):
  0  every step done (a dry-run: planned; a re-delivery the ledger already answered: nothing to do)
  1  a change failed (or a read the plan needed, the notification, the ledger write, a release refused)
  2  bad input: the finding, an option, the stack or one of its outputs not found; nothing done
  3  every change done, but a read-only investigation or evidence step failed
  4  blocked: a guard refused the changes (exempt, sample, brake, account, unconfirmed finding); nothing changed`;

/** An error the user can fix; printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Verdicts that say "already done", not "refused": the ledger turning a re-delivery into a no-op is a success. */
const ALREADY_DONE: ReadonlySet<string> = new Set([ALREADY_ANSWERED, JOINED_INCIDENT]);

/** The exit code of one playbook report (ir respond, ir invoke). */
export function reportExitCode(report: Report): ExitCode {
  const failures = failuresOf(report);
  if (failures.some((f) => f.incompleteResponse)) return EXIT.actionFailed;
  // A summary counting failures its steps do not show (a report from elsewhere, e.g. ir invoke): fail closed.
  if (report.summary.failed > failures.filter((f) => !f.id.startsWith('read:')).length) return EXIT.actionFailed;
  if (report.ledger && !report.ledger.recorded) return EXIT.actionFailed;
  // Refused before short evidence: 3 says every change is done, and a refusal did none.
  const refusedBy = report.blockedBy.filter((id) => id !== 'dry-run' && !ALREADY_DONE.has(id));
  const changesPlanned = report.steps.some((s) => s.mutating);
  if (refusedBy.length > 0 && changesPlanned) return EXIT.blocked;
  if (failures.length > 0) return EXIT.evidenceFailed;
  return EXIT.ok;
}

/** Worst first: a failed change outranks missing evidence, which outranks a refusal. */
const SEVERITY: readonly ExitCode[] = [EXIT.actionFailed, EXIT.badInput, EXIT.evidenceFailed, EXIT.blocked, EXIT.ok];

/** The exit code of several results: the worst of them. */
export function worstExitCode(codes: readonly ExitCode[]): ExitCode {
  return SEVERITY.find((code) => codes.includes(code)) ?? EXIT.ok;
}
