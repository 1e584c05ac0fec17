/*
 * What runs after the execution's deadline, and how long each part may
 * take. The deadline is set this far before Lambda's timeout, so that with
 * AWS answering slowly the invocation still ends with its report in the
 * ledger, instead of being killed mid-call with no report at all:
 *
 *   deadline ── no step starts after it, except those that run past it
 *   + STEP_OVERRUN_MS ── every step still running is abandoned and
 *     reported failed (the isolation moves, which run past the deadline,
 *     are bounded within it: a unit test holds MOVE_CALL_LIMIT_MS to it)
 *   + NOTIFICATION_CALL_LIMIT_MS ── the Publish, one request, abandoned then
 *   + LEDGER_OUTCOME_LIMIT_MS ── the ledger's outcome write (with the brake
 *     slot given back beside it), waited for no longer
 *   + END_MARGIN_MS ── the report logged and returned
 *   = Lambda's timeout
 *
 * Evidence writes are steps: one started before the deadline ends within
 * the overrun, and those not started by then are reported not started.
 */

/** How long a step started before the deadline may still run: it covers an isolation move sent just before it. */
export const STEP_OVERRUN_MS = 12_000;

/** The longest the notification's Publish is waited for. SNS answers in milliseconds; this leaves room for throttling retries. */
export const NOTIFICATION_CALL_LIMIT_MS = 5_000;

/** The longest the ledger's outcome write is waited for, its throttling retries included. */
export const LEDGER_OUTCOME_LIMIT_MS = 6_000;

/** Logging and returning the report. */
export const END_MARGIN_MS = 1_000;

/** Time kept between the deadline and Lambda's timeout: the sum of what may run after the deadline. */
export const END_OF_RESPONSE_RESERVE_MS = STEP_OVERRUN_MS + NOTIFICATION_CALL_LIMIT_MS + LEDGER_OUTCOME_LIMIT_MS + END_MARGIN_MS;
