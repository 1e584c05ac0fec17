import type { PlanDocument, Report } from '../plan/document';
import type { IamAction, StepOutcome } from '../plan/types';
import { formatNotification } from './message';
import { NOTIFICATION_STEP_ID } from './publish-step';

/** At most this much of an undelivered notification travels in the error to the on-failure queue (SQS takes 256 KiB). */
export const UNDELIVERED_TEXT_LIMIT = 100_000;

/**
 * The notification a finished response meant to send: what the notification
 * step formatted, from the same outcomes, those of the stages before its own
 * (the evidence writes of its stage and after are not in it).
 */
export function notificationOfReport(report: Report, doc: PlanDocument = { ...report, steps: report.steps }): { subject: string; message: string } {
  const notificationStage = report.steps.find((s) => s.id === NOTIFICATION_STEP_ID)?.stage ?? Number.POSITIVE_INFINITY;
  const outcomes: StepOutcome[] = report.steps
    .filter((s) => s.id !== NOTIFICATION_STEP_ID && s.stage < notificationStage)
    .map((s) => ({ ...s, action: s.action as IamAction }));
  return formatNotification(doc, outcomes);
}

/** The notification as text for an error message, so the on-failure queue carries what people should have read. */
export function undeliveredText(report: Report): string {
  const { subject, message } = notificationOfReport(report);
  const text = `${subject}\n${message}`;
  return text.length > UNDELIVERED_TEXT_LIMIT ? `${text.slice(0, UNDELIVERED_TEXT_LIMIT)}\n[cut at ${UNDELIVERED_TEXT_LIMIT} characters]` : text;
}
