import { isAwaitingApproval, isRefusedByPolicy } from '../approval/held';
import { isCloseLoopStep } from '../close-loop/ids';
import { CONFIRMATION_UNAVAILABLE, FINDING_CONFIRMATION } from '../confirm/verdicts';
import { DATABASE_UNREADABLE, IMAGE_UNREADABLE, INSTANCE_UNREADABLE, PRINCIPAL_UNREADABLE } from '../guards/unreadable';
import { APPROVAL_REQUEST_STEP_ID } from '../approval/step-ids';
import { NOTIFICATION_STEP_ID } from '../notify/publish-step';
import type { Report } from '../plan/document';
import { PHASE_OUT_OF_TIME_VERDICTS } from '../plan/phase-verdicts';
import { ALREADY_ANSWERED, BEING_ANSWERED, BLAST_RADIUS_BRAKE, CLAIM_UNAVAILABLE, JOINED_INCIDENT, LEDGER_UNAVAILABLE } from './verdicts';

/*
 * When a response has answered its incident, so that no later delivery of it
 * acts again. Answered means: every change the plan needed is done (or was
 * found already in place), or the responder decided that no change is
 * needed. Anything else leaves the incident open, whether or not a Lambda
 * retry follows: a lasting error (AccessDenied on a read, the brake, the
 * claim, GuardDuty's confirmation) is not a decision, and the delivery after
 * the permission is fixed must act.
 *
 * This is not the retry policy (lambda/runtime/retry-policy.ts): that one
 * asks whether running again within the next minutes can end better. A
 * denied read is not retried (it fails the same way) and leaves the incident
 * open all the same.
 */

/** Blocking verdicts that say the responder could not decide (a failed read, the brake, the ledger, an unconfirmed finding), not that nothing is needed. */
export const UNDECIDED_VERDICTS: ReadonlySet<string> = new Set([
  INSTANCE_UNREADABLE,
  PRINCIPAL_UNREADABLE,
  DATABASE_UNREADABLE,
  IMAGE_UNREADABLE,
  LEDGER_UNAVAILABLE,
  CLAIM_UNAVAILABLE,
  BLAST_RADIUS_BRAKE,
  BEING_ANSWERED,
  ALREADY_ANSWERED,
  JOINED_INCIDENT,
  FINDING_CONFIRMATION,
  CONFIRMATION_UNAVAILABLE,
  // A phase before the plan that ran out of time (lambda/plan/pre-plan-budget.ts).
  ...PHASE_OUT_OF_TIME_VERDICTS,
]);

/** The dry-run guard (lambda/guards/dry-run.ts): it decides "shown, not done", and answers only at the dry-run level. */
export const DRY_RUN_VERDICT = 'dry-run';

/**
 * How an incident was answered:
 * - changes-done: the plan changed something, and every change it needed is done or was already in place;
 * - dry-run: the plan would change something, and only dry-run held it back (answers at the dry-run level only);
 * - no-change-needed: a guard decided against any change (sample, exempt tag, severity floor, a protected or
 *   exempt principal, an archived finding, ...), or the plan had nothing to change.
 * - awaiting-approval: the automatic steps are done and the changes that need a person's decision wait for it
 *   (lambda/approval/): every delivery until the decision is a repeat, and the decision's response records the answer.
 * Later findings about the same resource join an incident answered with changes-done or dry-run (the resource
 * is contained, or would be); after no-change-needed or awaiting-approval a later finding is decided on its own.
 */
export type AnswerKind = 'changes-done' | 'dry-run' | 'no-change-needed' | 'awaiting-approval';

export const JOINABLE_ANSWERS: ReadonlySet<AnswerKind> = new Set(['changes-done', 'dry-run']);

/** Whether another finding may join an incident answered this way (answered before answers had a kind: no). */
export function joinableAnswer(answerKind: AnswerKind | undefined): boolean {
  return answerKind !== undefined && JOINABLE_ANSWERS.has(answerKind);
}

export type Answer =
  | { readonly answered: true; readonly kind: AnswerKind; readonly reason: string }
  | { readonly answered: false; readonly reason: string };

const open = (reason: string): Answer => ({ answered: false, reason });

/**
 * The restore record's steps (lambda/ledger/restore-record.ts): a write to the ledger before the change it makes
 * undoable, never a change to the account. One that failed leaves every change after it undone: "before any change".
 */
const RESTORE_RECORD_STEP_PREFIX = 'record-restore:';

/** Also a resource's own inside an attack sequence's plan (`r2/record-restore:...`, lambda/playbooks/answer-sequence/prefix.ts). */
const isRestoreRecordStep = (step: { readonly id: string }): boolean => step.id.replace(/^r\d+\//, '').startsWith(RESTORE_RECORD_STEP_PREFIX);

/**
 * Whether the response changed (or may have changed) the account: a change done, or failed (perhaps partly done).
 * Not the restore record, the notification, the evidence, the Security Hub note or the GuardDuty archive: a response
 * whose restore record could not be written changed nothing, and gives its brake slot back (lambda/respond/gate.ts).
 */
export function changedAccount(report: Report): boolean {
  return report.steps.some((step) => step.mutating && step.id !== NOTIFICATION_STEP_ID && !isCloseLoopStep(step.id) && !isRestoreRecordStep(step) && step.status !== 'skipped');
}

/**
 * Whether this report answers its incident. The notification is not a change: a failed one is kept pending in the ledger instead.
 * Nor are the Security Hub note and the GuardDuty archive (lambda/close-loop/): they change what the analysts see, not the account.
 */
export function answerOf(report: Report): Answer {
  if (report.approval?.status === 'awaiting' || report.approval?.status === 'asked-again') return awaitingAnswer(report);
  const undecided = report.blockedBy.filter((id) => UNDECIDED_VERDICTS.has(id));
  if (undecided.length > 0) return open(`blocked by ${undecided.join(', ')}: nothing was decided`);
  const failedReads = report.reads.filter((read) => read.status === 'failed');
  if (failedReads.length > 0) {
    return open(`${failedReads.map((r) => `${r.id} (${r.error?.code ?? 'UnknownError'})`).join(', ')} failed: the plan was made without it`);
  }
  const changes = report.steps.filter((step) => step.mutating && step.id !== NOTIFICATION_STEP_ID && !isCloseLoopStep(step.id));
  const failed = changes.filter((step) => step.status === 'failed');
  // The restore record could not be written (AccessDenied, say): nothing was changed after it, and nothing is decided.
  if (failed.length > 0 && failed.every(isRestoreRecordStep) && !changedAccount(report)) {
    return open(`${failed.map((s) => `${s.id} (${s.error?.code ?? 'UnknownError'})`).join(', ')} failed before any change: nothing was changed, and the delivery after it is fixed acts`);
  }
  if (failed.length > 0) return open(`${failed.map((s) => `${s.id} (${s.error?.code ?? 'UnknownError'})`).join(', ')} failed: the changes are not all done`);
  const unmet = changes.filter((step) => step.status === 'skipped' && failedRequirement(report, step.id) !== undefined);
  if (unmet.length > 0) {
    return open(`${unmet.map((s) => `${s.id} (needs ${failedRequirement(report, s.id)!}, which failed)`).join(', ')}: the changes are not all done`);
  }
  // The changes that needed a person's decision: refused (or not decided, and the responder stood down) is a decision;
  // not asked for at all (the run could not wait) is none, and the incident stays open. Never "changes-done": they were not made.
  if (report.approval?.status === 'denied' || report.approval?.status === 'timed-out-stood-down') {
    return { answered: true, kind: 'no-change-needed', reason: `the changes that needed a decision were not made (${report.approval.status})` };
  }
  if (report.approval?.status === 'cannot-wait') return open('changes that need a decision were not made: this run could not wait for one');
  // A change the approval policy holds for a person is not decided yet: the incident stays open (lambda/approval/held.ts).
  const awaiting = changes.filter((step) => step.status === 'skipped' && isAwaitingApproval(step.reason));
  if (awaiting.length > 0) return open(`${awaiting.map((s) => s.id).join(', ')} await${awaiting.length === 1 ? 's' : ''} approval: not decided yet`);
  const decisions = report.blockedBy.filter((id) => id !== DRY_RUN_VERDICT);
  if (decisions.length > 0) return { answered: true, kind: 'no-change-needed', reason: `blocked by ${decisions.join(', ')}: no change is to be made` };
  if (changes.length === 0) return { answered: true, kind: 'no-change-needed', reason: 'the plan has nothing to change' };
  if (report.blockedBy.includes(DRY_RUN_VERDICT)) return { answered: true, kind: 'dry-run', reason: 'every change was planned and shown (dry-run)' };
  // The policy's "never" is a decision: the other changes are done, and these are not to be made.
  const refused = changes.filter((step) => step.status === 'skipped' && isRefusedByPolicy(step.reason));
  if (refused.length > 0) return { answered: true, kind: 'changes-done', reason: `every change is done or was already in place, except ${refused.map((s) => s.id).join(', ')}, which the approval policy says never to make` };
  // A mutating step skipped without a guard: its change was already in place (or one it needs was), never a failure (checked above).
  return { answered: true, kind: 'changes-done', reason: 'every change is done or was already in place' };
}

/** The request for a decision must be in the ledger for the response to wait on it: else the incident stays open, and is retried. */
function awaitingAnswer(report: Report): Answer {
  const request = report.steps.find((step) => step.id === APPROVAL_REQUEST_STEP_ID);
  if (request?.status !== 'done') return open(`the approval request could not be recorded (${request?.error?.code ?? request?.reason ?? 'not run'}): nothing waits for a decision`);
  return { answered: true, kind: 'awaiting-approval', reason: `changes wait for a decision on plan ${report.approval!.planHash}` };
}

/** A step this one needs, directly or through another, that failed (a read-only step before a change, say). */
function failedRequirement(report: Report, stepId: string, seen: Set<string> = new Set()): string | undefined {
  const step = report.steps.find((s) => s.id === stepId);
  for (const id of step?.requires ?? []) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (report.steps.find((s) => s.id === id)?.status === 'failed') return id;
    const deeper = failedRequirement(report, id, seen);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}
