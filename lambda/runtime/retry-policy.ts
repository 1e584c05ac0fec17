import type { StepError } from '../aws/errors';
import { isCloseLoopStep } from '../close-loop/ids';
import { CONFIRMATION_UNAVAILABLE } from '../confirm/verdicts';
import { changedAccount } from '../ledger/answered';
import { BEING_ANSWERED, CLAIM_UNAVAILABLE, LEDGER_UNAVAILABLE } from '../ledger/verdicts';
import { NOTIFICATION_STEP_ID } from '../notify/publish-step';
import { undeliveredText } from '../notify/undelivered';
import type { Report } from '../plan/document';
import { exposedBy, leftClosedBy } from '../plan/exposed';
import { PHASE_OUT_OF_TIME, PHASE_OUT_OF_TIME_VERDICTS, phasesOutOfTime } from '../plan/phase-verdicts';
import { BUCKET_UNVERIFIED, DATABASE_UNREADABLE, ECS_TASK_UNREADABLE, FUNCTION_UNREADABLE, IMAGE_UNREADABLE, INSTANCE_UNREADABLE, OBJECT_UNVERIFIED, PRINCIPAL_UNREADABLE } from '../guards/unreadable';

/*
 * Whether a finished response should fail its Lambda invocation, so that
 * Lambda's asynchronous retries (and then the on-failure destination) take
 * over. A retry re-runs the whole playbook, so it is only worth it where a
 * second run can end better than the first: a call failed for a transient
 * reason (throttling, 5xx, a timeout). A refusal, a missing permission or a
 * resource that is gone fails the same way every time, and the notification
 * has already told people what to do by hand. And only where the failure
 * left the response itself incomplete: a discovery read (the plan was made
 * without it), an action, or the notification (people must hear of every
 * response). A read-only step after planning (the investigation of a
 * credential) only adds evidence; its failure is in the report, and is not
 * worth repeating every action for.
 */

export interface RetryDecision {
  readonly retry: boolean;
  readonly reason: string;
}

/**
 * Blocking verdicts that only say "a read failed": the next delivery reads
 * again and may act. Every other blocking guard (dry-run, sample finding,
 * exempt tag, protected principal, ...) blocks the retry just the same.
 */
const READ_FAILURE_VERDICTS: ReadonlySet<string> = new Set([
  INSTANCE_UNREADABLE,
  PRINCIPAL_UNREADABLE,
  FUNCTION_UNREADABLE,
  BUCKET_UNVERIFIED,
  OBJECT_UNVERIFIED,
  ECS_TASK_UNREADABLE,
  DATABASE_UNREADABLE,
  IMAGE_UNREADABLE,
  LEDGER_UNAVAILABLE,
  CLAIM_UNAVAILABLE,
  CONFIRMATION_UNAVAILABLE,
  ...PHASE_OUT_OF_TIME_VERDICTS,
]);

/**
 * Codes that say the instance every contain step acts on is gone or going:
 * a retry would find nothing left to contain, whatever else failed beside.
 */
const TARGET_GONE_CODES: ReadonlySet<string> = new Set(['InvalidInstanceID.NotFound', 'IncorrectInstanceState']);

export interface Failure {
  /** A step id, or a read id (`read:<kind>:<target>`). */
  readonly id: string;
  readonly error: StepError;
  /** A discovery read, an action or the notification: the response is incomplete without it. */
  readonly incompleteResponse: boolean;
}

const NO_ERROR: StepError = { code: 'UnknownError', message: 'failed without an error', retryable: false };

/** Every failed read and step of the report, reads first (they ran first). */
export function failuresOf(report: Report): Failure[] {
  const reads = report.reads.map((r) => ({ entry: r, incompleteResponse: true }));
  // The Security Hub note and the GuardDuty archive (lambda/close-loop/) are not worth repeating every action for: the ledger
  // records the incident answered without them, so a retry would not send them again anyway; the notification names them.
  const steps = report.steps.map((s) => ({ entry: s, incompleteResponse: (s.mutating && !isCloseLoopStep(s.id)) || s.id === NOTIFICATION_STEP_ID }));
  return [...reads, ...steps]
    .filter(({ entry }) => entry.status === 'failed')
    .map(({ entry, incompleteResponse }) => ({ id: entry.id, error: entry.error ?? NO_ERROR, incompleteResponse }));
}

function describe(failures: readonly Failure[]): string {
  return failures.map((f) => `${f.id} (${f.error.code})`).join(', ');
}

export function shouldRetryInvocation(report: Report): RetryDecision {
  const lastingBlocks = report.blockedBy.filter((id) => !READ_FAILURE_VERDICTS.has(id) && id !== BEING_ANSWERED);
  // Closed instead of put back, its own groups known from no read: the invocation fails (loud: errors alarm, on-failure queue) even when
  // blocked; a retry leaves it closed (a guard still blocks) or finishes the response.
  const closed = leftClosedBy(report.steps);
  if (closed.length > 0) {
    return { retry: true, reason: `${closed.join(', ')} was closed on the isolation group with its own groups unknown (a move sent before the checks could not be undone): a retry leaves it closed or finishes the response` };
  }
  // Left more open than found: whatever blocks the rest, only another run can close it (a blocked one too: steps/isolate.ts closeLeftOpen).
  const exposed = exposedBy(report.steps);
  if (exposed.length > 0) {
    return { retry: true, reason: `${exposed.join(', ')} may be left on the allow-all security group (more exposed than before): a retry must close them` };
  }
  if (lastingBlocks.length > 0) {
    return { retry: false, reason: `blocked by ${lastingBlocks.join(', ')}: a retry would be blocked the same way` };
  }
  // The claim holder may be a forged copy that answers nothing: dropping this delivery could leave the real finding unanswered.
  if (report.blockedBy.includes(BEING_ANSWERED)) {
    return {
      retry: true,
      reason: `incident ${report.incidentId} is held by another delivery that has not answered it yet (${BEING_ANSWERED}): a retry finds it answered, or claims it once that delivery has given it back`,
    };
  }
  // A phase before the plan ran out of its time (AWS was slow): nothing was changed, and a retry acts.
  const late = phasesOutOfTime(report.blockedBy);
  if (late.length > 0) {
    return { retry: true, reason: `the ${late.join(', ')} phase${late.length > 1 ? 's' : ''} ran out of time before any change (${late.map((p) => PHASE_OUT_OF_TIME[p]).join(', ')}): nothing was changed, a retry can act` };
  }
  const failures = failuresOf(report);
  if (failures.length === 0) return { retry: false, reason: 'nothing failed' };

  const gone = failures.filter((f) => TARGET_GONE_CODES.has(f.error.code));
  if (gone.length > 0) {
    return { retry: false, reason: `${describe(gone)}: the instance is gone or terminating, a retry finds nothing left to contain` };
  }
  const transient = failures.filter((f) => f.error.retryable && f.incompleteResponse);
  const lastingFailures = failures.filter((f) => !f.error.retryable);
  if (transient.length === 0) {
    const evidenceOnly = failures.filter((f) => f.error.retryable);
    const reasons = [
      ...(lastingFailures.length > 0 ? [`${describe(lastingFailures)} cannot succeed on a retry (not a throttling, 5xx or timeout error)`] : []),
      ...(evidenceOnly.length > 0 ? [`${describe(evidenceOnly)} only gathered evidence after the response: not worth repeating every action for`] : []),
    ];
    return { retry: false, reason: reasons.join('; ') };
  }
  // The lasting failures fail again on the retry, but they no longer hide the transient ones: the retry converges.
  const besides = lastingFailures.length > 0 ? `; ${describe(lastingFailures)} will fail again` : '';
  return { retry: true, reason: `${describe(transient)} failed for a transient reason: a retry can complete the response${besides}` };
}

/**
 * Whether the invocation must fail: where a retry can help (above), and
 * whenever the notification could not be published, even for a lasting
 * reason. People must hear of every response, and the invocation's failure
 * is what carries the report on to Lambda's retries (which send the
 * notification again without acting again, lambda/respond/gate.ts) and then
 * to the on-failure queue, where an alarm sees it.
 */
export function shouldFailInvocation(report: Report): RetryDecision {
  const unrecorded = unrecordedOutcome(report);
  const notification = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID);
  if (notification?.status === 'failed') {
    const where = report.ledger
      ? report.ledger.recorded
        ? `the report is in the incident ledger (${report.ledger.table}, pk "${report.ledger.key}")`
        : `the report could NOT be recorded in the incident ledger either (${report.ledger.error?.code ?? 'unknown error'}): it is in this error and the logs only`
      : 'the report is in the logs';
    return {
      retry: true,
      reason: `the notification could not be published (${notification.error?.code ?? 'unknown error'}); ${where}.\n\nThe notification that could not be sent:\n${undeliveredText(report)}`,
    };
  }
  if (unrecorded) return { retry: true, reason: unrecorded };
  return shouldRetryInvocation(report);
}

/**
 * The outcome write failed: the ledger does not know what was done, and its
 * claim is still held. The invocation fails, so Lambda retries it (under the
 * same request id, which takes that claim over: lambda/ledger/incident-ledger.ts)
 * and the retry records the outcome, finding done what is done; after the last
 * attempt the on-failure queue and its alarm see it.
 */
function unrecordedOutcome(report: Report): string | undefined {
  const ledger = report.ledger;
  if (!ledger || ledger.recorded) return undefined;
  if (ledger.superseded) {
    // Another delivery holds the incident now: one that changed nothing (a forged copy, a finding that would not act) has nothing to record.
    if (!changedAccount(report)) return undefined;
    return (
      `the outcome was SUPERSEDED in the incident ledger ${ledger.table} (pk "${ledger.key}"): another delivery took the incident's claim over ` +
      "before this one recorded what it changed (this one overran its claim's lease); the ledger holds the other's outcome, this one's is in this error and the logs. " +
      'A retry finds the incident answered by the other, or claims it'
    );
  }
  return (
    `the outcome could not be recorded in the incident ledger ${ledger.table} (pk "${ledger.key}", ${ledger.error?.code ?? 'unknown error'}): ` +
    'a retry of this invocation takes its claim over and records it; the report is in this error and the logs'
  );
}

/**
 * Thrown by the handler when shouldRetryInvocation says so, after the
 * report is logged and notified: the invocation fails, Lambda retries it,
 * and after the last attempt the on-failure destination receives it.
 */
export class RetryableResponseError extends Error {
  readonly playbook: string;
  readonly findingId: string;
  readonly incidentId: string;
  readonly summary: Report['summary'];
  /** Failed steps and reads, by id. */
  readonly failedStepIds: readonly string[];

  constructor(report: Report, reason: string) {
    const { done, skipped, failed } = report.summary;
    super(`${report.playbook} on finding ${report.findingId} (incident ${report.incidentId}): ${reason} [done ${done}, skipped ${skipped}, failed ${failed}]`);
    this.name = 'RetryableResponseError';
    this.playbook = report.playbook;
    this.findingId = report.findingId;
    this.incidentId = report.incidentId;
    this.summary = report.summary;
    this.failedStepIds = failuresOf(report).map((f) => f.id);
  }
}
