/*
 * The deadline of a waiting response, in one form shared by the ledger and
 * the schedule. EventBridge Scheduler's at() has a resolution of one second;
 * a deadline with milliseconds would be stored later than the schedule fires
 * (at() cuts them), so the deadline event could find "not yet", do nothing,
 * and its schedule delete itself (ActionAfterCompletion DELETE): no deadline
 * would ever come. So the deadline is rounded UP to a whole second when it is
 * made, and exactly that instant is stored and scheduled.
 *
 * The check is tolerant as well, by design: a deadline event is honoured
 * from DEADLINE_CLOCK_SKEW_MS before the stored deadline. Scheduler fires at
 * or after the scheduled second, but its clock and the Lambda host's are not
 * the same clock; a few seconds early is not a decision anyone relies on,
 * while a deadline that never acts is a response that silently never ends.
 * The skew is not forgeable into an early act: only the deadline schedule
 * (or a retry of it) sends the event, and the item's deadline is what is read.
 */

/** How much earlier than the stored deadline a deadline event is still honoured. */
export const DEADLINE_CLOCK_SKEW_MS = 5_000;

/** The deadline of a request made at `requestedAt` that waits `waitMs`: rounded up to the whole second Scheduler can express. */
export function approvalDeadline(requestedAt: Date, waitMs: number): Date {
  return new Date(Math.ceil((requestedAt.getTime() + waitMs) / 1000) * 1000);
}

/** Whether a deadline event at `now` acts on the stored ISO deadline; an unreadable deadline never does (fail closed, and loud in the caller's report). */
export function deadlineHasCome(deadline: string, now: Date): boolean {
  const at = Date.parse(deadline);
  return Number.isFinite(at) && now.getTime() >= at - DEADLINE_CLOCK_SKEW_MS;
}
