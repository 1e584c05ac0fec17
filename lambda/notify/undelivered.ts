import { OUTCOME_UNKNOWN } from '../aws/at-most-once';
import type { StepError } from '../aws/errors';
import type { PendingNotification } from '../ledger/incident-ledger';
import type { PlanDocument, Report, StepReport } from '../plan/document';
import { NOT_FINISHED_IN_TIME } from '../plan/executor';
import type { IamAction, StepOutcome } from '../plan/types';
import { safeSubject } from '../text/untrusted';
import type { NotificationContext } from './document';
import { formatNotification } from './message';
import { NOTIFICATION_STEP_ID } from './publish-step';

/** At most this much of an undelivered notification travels in the error to the on-failure queue (SQS takes 256 KiB). */
export const UNDELIVERED_TEXT_LIMIT = 100_000;

/**
 * The notification a finished response meant to send: what the notification
 * step formatted, from the same outcomes, those of the stages before its own
 * (the evidence writes of its stage and after are not in it).
 */
export function notificationOfReport(report: Report, doc: PlanDocument = { ...report, steps: report.steps }, context?: NotificationContext): { subject: string; message: string } {
  const notificationStage = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID)?.stage ?? Number.POSITIVE_INFINITY;
  const outcomes: StepOutcome[] = report.steps
    .filter((s) => s.id !== NOTIFICATION_STEP_ID && s.stage < notificationStage)
    .map((s) => ({ ...s, action: s.action as IamAction }));
  return formatNotification(doc, outcomes, context);
}

/** The notification as text for an error message, so the on-failure queue carries what people should have read. */
export function undeliveredText(report: Report): string {
  const { subject, message } = notificationOfReport(report);
  const text = `${subject}\n${message}`;
  return text.length > UNDELIVERED_TEXT_LIMIT ? `${text.slice(0, UNDELIVERED_TEXT_LIMIT)}\n[cut at ${UNDELIVERED_TEXT_LIMIT} characters]` : text;
}

/**
 * Whether a failed notification step may have been delivered: its Publish
 * was sent and not answered (OutcomeUnknown), or abandoned while running.
 * Anything else (a refusal, a step never started) delivered nothing.
 */
export function deliveryOf(error: StepError | undefined): NonNullable<PendingNotification['delivery']> {
  return error?.code === OUTCOME_UNKNOWN || error?.code === NOT_FINISHED_IN_TIME ? 'unknown' : 'rejected';
}

/** The notification still owed after this report, saying whether it was refused or may have gone out. */
export function pendingOfReport(report: Report, doc?: PlanDocument, context?: NotificationContext): PendingNotification {
  const step = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID);
  return { ...notificationOfReport(report, doc, context), delivery: deliveryOf(step?.error) };
}

/** A pending notification whose re-send failed again: once its delivery is unknown it stays so (an earlier attempt may have gone out). */
export function pendingAfterFailure(pending: PendingNotification, step: StepReport | undefined): PendingNotification {
  const delivery = pending.delivery === 'unknown' ? 'unknown' : deliveryOf(step?.error);
  return { subject: pending.subject, message: pending.message, delivery };
}

export const MAY_REPEAT_MARK = '[MAY REPEAT]';

/**
 * The text a later delivery sends for a pending notification. One whose
 * delivery is unknown says so in its subject and first line: the team may
 * already have it.
 */
export function pendingToSend(pending: PendingNotification): { subject: string; message: string } {
  if (pending.delivery !== 'unknown') return { subject: pending.subject, message: pending.message };
  return {
    subject: safeSubject(`${MAY_REPEAT_MARK} ${pending.subject}`),
    message:
      'MAY REPEAT: an earlier attempt to send this notification was not answered by SNS, so it may have been delivered already; ' +
      'this is the same response, not a new one.\n\n' +
      pending.message,
  };
}
