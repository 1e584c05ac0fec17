import type { AbsoluteLocation, FinalizeHandler, FinalizeRequestHandlerOptions, MiddlewareStack } from '@smithy/types';
import { isThrottlingError, ResponderError, toStepError, type StepError } from './errors';

/*
 * Calls that must not be carried out twice: CreateSnapshots (which takes no
 * idempotency token) and SNS Publish (a second message is a second email).
 * The SDK re-sends a call whose answer did not come (a timeout, a connection
 * reset, a 5xx): right for a read, wrong for these, since the first request
 * may have been carried out. So such a call is sent with a middleware inside
 * the SDK's retry loop that turns every error whose outcome is unknown into
 * OutcomeUnknownError, which the SDK does not retry; the caller decides
 * (look for what the call would have made, or record that delivery is not
 * known). An answer that says the request was refused passes unchanged:
 * throttling (nothing was done, the SDK retries it) and every other 4xx.
 */

export const OUTCOME_UNKNOWN = 'OutcomeUnknown';
export const NOT_ANSWERED_IN_TIME = 'NotAnsweredInTime';

/** A call that was sent and not answered: AWS may or may not have carried it out. */
export class OutcomeUnknownError extends ResponderError {
  constructor(
    readonly operation: string,
    /** What ended the wait (TimeoutError, ECONNRESET, InternalError, NotAnsweredInTime). Not `cause`: the SDK would read a transient cause as retryable. */
    readonly underlying: StepError,
  ) {
    super(OUTCOME_UNKNOWN, `${operation} was sent but not answered (${underlying.code}: ${underlying.message}): AWS may have carried it out`, true);
  }
}

export function isOutcomeUnknown(error: unknown): error is OutcomeUnknownError {
  return error instanceof OutcomeUnknownError;
}

/** The service answered with a refusal (a 4xx, or throttling under any status, as EC2's 503 RequestLimitExceeded): the request did nothing. */
export function wasRefused(error: unknown): boolean {
  if (isThrottlingError(error)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

const MIDDLEWARE: FinalizeRequestHandlerOptions & AbsoluteLocation = {
  step: 'finalizeRequest',
  // Below the SDK's retry middleware (finalizeRequest, high): this one runs once per attempt, inside the retry loop.
  priority: 'low',
  name: 'irAtMostOnce',
  override: true,
};

/**
 * Marks a command (by its middleware stack) so that the SDK never re-sends
 * it after an attempt whose outcome is unknown:
 * `atMostOnce('Publish', command.middlewareStack)`, then send the command.
 */
export function atMostOnce<I extends object, O extends object>(operation: string, stack: MiddlewareStack<I, O>): void {
  stack.add(
    (next: FinalizeHandler<I, O>): FinalizeHandler<I, O> =>
      async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (wasRefused(error)) throw error;
          throw new OutcomeUnknownError(operation, toStepError(error));
        }
      },
    MIDDLEWARE,
  );
}

/**
 * One call waited for at most `limitMs`: the SDK is told to abandon it then,
 * and the wait ends then even if it does not. A call not answered in time
 * may still be carried out, so for a write it is an unknown outcome.
 */
export async function callWithin<T>(operation: string, limitMs: number, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const notAnswered = (): OutcomeUnknownError =>
    new OutcomeUnknownError(operation, { code: NOT_ANSWERED_IN_TIME, message: `no answer within ${limitMs} ms`, retryable: true });
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(notAnswered());
    }, Math.max(0, limitMs));
  });
  try {
    return await Promise.race([send(controller.signal), timedOut]);
  } catch (error) {
    // The SDK's own AbortError when the limit is what ended the call.
    throw controller.signal.aborted && !isOutcomeUnknown(error) ? notAnswered() : error;
  } finally {
    clearTimeout(timer);
  }
}
