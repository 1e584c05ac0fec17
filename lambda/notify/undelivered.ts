import { OUTCOME_UNKNOWN } from '../aws/at-most-once';
import type { StepError } from '../aws/errors';
import type { PendingChat, PendingNotification } from '../ledger/pending-notification';
import type { PlanDocument, Report, StepReport } from '../plan/document';
import { NOT_FINISHED_IN_TIME } from '../plan/executor';
import type { IamAction, StepOutcome } from '../plan/types';
import { safeSubject } from '../text/untrusted';
import { buildNotificationDocument, type NotificationContext } from './document';
import { formatNotification } from './message';
import { CHAT_NOTIFICATION_STEP_ID, NOTIFICATION_STEP_ID } from './publish-step';
import { owedOf, renderedNotification, type Rendered } from './rendered';
import { MAY_REPEAT_MARK } from './subject';

/** At most this much of an undelivered notification travels in the error to the on-failure queue (SQS takes 256 KiB). */
export const UNDELIVERED_TEXT_LIMIT = 100_000;

/**
 * The notification a finished response meant to send: what the notification
 * step formatted, from the same outcomes, those of the stages before its own
 * (the evidence writes of its stage and after are not in it).
 */
export function notificationOfReport(report: Report, doc: PlanDocument = { ...report, steps: report.steps }, context?: NotificationContext): { subject: string; message: string } {
  return formatNotification(doc, outcomesBeforeNotification(report), context);
}

function outcomesBeforeNotification(report: Report): StepOutcome[] {
  const notificationStage = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID)?.stage ?? Number.POSITIVE_INFINITY;
  return report.steps.filter((s) => s.id !== NOTIFICATION_STEP_ID && s.stage < notificationStage).map((s) => ({ ...s, action: s.action as IamAction }));
}

/** Both renderings of the notification of the report (email and chat, each also marked MAY REPEAT). */
export function renderedOfReport(report: Report, doc: PlanDocument = { ...report, steps: report.steps }, context?: NotificationContext): Rendered {
  return renderedNotification(buildNotificationDocument(doc, outcomesBeforeNotification(report), context));
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

/**
 * The notification still owed after this report (its email step failed), saying whether it was refused or may have
 * gone out. The chat copy is owed with it only when its own step failed too: one that went out is not sent twice.
 */
export function pendingOfReport(report: Report, doc?: PlanDocument, context?: NotificationContext): PendingNotification {
  const step = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID);
  const chat = report.steps.find((s) => s.id === CHAT_NOTIFICATION_STEP_ID);
  return owedOf(renderedOfReport(report, doc, context), deliveryOf(step?.error), chat?.status === 'failed' ? { delivery: deliveryOf(chat.error) } : undefined);
}

/** A delivery that was unknown stays so (an earlier attempt may have gone out); else this attempt's. */
function deliveryAfter(before: PendingNotification['delivery'], step: StepReport | undefined): NonNullable<PendingNotification['delivery']> {
  return before === 'unknown' ? 'unknown' : deliveryOf(step?.error);
}

/**
 * A pending notification (or a note) whose sending failed again: the email stays owed, and the chat copy too
 * when its step did not send it (a chat copy that went out now, or whose step did not run, is not owed again).
 */
export function pendingAfterFailure(pending: PendingNotification, step: StepReport | undefined, chatStep?: StepReport): PendingNotification {
  const chatOwed = pending.chat && chatStep?.status === 'failed' ? { delivery: deliveryAfter(pending.chat.delivery, chatStep) } : undefined;
  return owedOf(pending, deliveryAfter(pending.delivery, step), chatOwed);
}

export { MAY_REPEAT_MARK };

/**
 * The text a later delivery sends for a pending notification. One whose
 * delivery is unknown says so in its subject and first line: the team may
 * already have it. Its subject was rendered with the mark (the severity kept); an item written before that gets
 * the mark put before its subject.
 */
export function pendingToSend(pending: PendingNotification): { subject: string; message: string } {
  if (pending.delivery !== 'unknown') return { subject: pending.subject, message: pending.message };
  return {
    subject: pending.mayRepeatSubject ?? safeSubject(`${MAY_REPEAT_MARK} ${pending.subject}`),
    message:
      'MAY REPEAT: an earlier attempt to send this notification was not answered by SNS, so it may have been delivered already; ' +
      'this is the same response, not a new one.\n\n' +
      pending.message,
  };
}

/** The chat copy a later delivery sends for a pending one: marked MAY REPEAT (title, first line, keywords) when its delivery is unknown. */
export function pendingChatToSend(chat: PendingChat): { subject: string; message: string } {
  if (chat.delivery !== 'unknown') return { subject: chat.subject, message: chat.message };
  return { subject: chat.mayRepeatSubject ?? safeSubject(`${MAY_REPEAT_MARK} ${chat.subject}`), message: chat.mayRepeatMessage ?? chat.message };
}
