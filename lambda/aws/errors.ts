/*
 * Every AWS failure is reported with the error code AWS sent, so the report
 * says "InvalidInstanceID.NotFound", not "something went wrong".
 */

export interface StepError {
  /** AWS error code (e.g. `AccessDenied`, `RequestLimitExceeded`), or a code of ours. */
  readonly code: string;
  readonly message: string;
  /** Whether trying again later can help (throttling, 5xx, timeouts). */
  readonly retryable: boolean;
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'Throttled',
  'ThrottlingException',
  'KMSThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
]);

const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ServiceUnavailable', 'InternalError', 'InternalFailure']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

/** The SDK's words when an answer is not the service's XML or JSON (an HTML error page, an emulator that lacks the call). */
const SDK_DESERIALIZATION_MARK = 'Deserialization error';

/*
 * The SDK names such an error after the parser that choked on the body
 * ("SyntaxError"), which says nothing about AWS. Say what happened instead;
 * a 5xx page stays retryable, as a 5xx AWS error would be.
 */
function unparseableResponse(sdkMessage: string, status: number | undefined): StepError {
  const parserSaid = sdkMessage.slice(0, sdkMessage.indexOf(SDK_DESERIALIZATION_MARK)).trim();
  const answer = status === undefined ? 'the endpoint answered' : `the endpoint answered HTTP ${status}`;
  return {
    code: 'UnparseableResponse',
    message: `${answer} with a body that is not an AWS response (${parserSaid || 'unreadable'})`,
    retryable: status !== undefined && (status === 429 || status >= 500),
  };
}

export function toStepError(error: unknown): StepError {
  if (typeof error !== 'object' || error === null) {
    return { code: 'UnknownError', message: String(error), retryable: false };
  }
  if (error instanceof ResponderError) return { code: error.code, message: error.message, retryable: error.retryable };
  const shape = error as SdkErrorShape;
  const names = [shape.Code, shape.code, shape.name].filter((c): c is string => typeof c === 'string' && c !== '' && c !== 'Error');
  // One line: reports and emails print the message after the code.
  const rawMessage = typeof shape.message === 'string' ? shape.message.replace(/\s+/g, ' ').trim() : '';
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  if (rawMessage.includes(SDK_DESERIALIZATION_MARK)) return unparseableResponse(rawMessage, status);
  const code = names[0] ?? 'UnknownError';
  const message = rawMessage !== '' ? rawMessage : code;
  // SNS, for one, answers a throttle with Code "Throttled" on an error named ThrottledException: look at every name.
  const retryable =
    names.some((name) => THROTTLING_CODES.has(name) || TRANSIENT_CODES.has(name)) ||
    (status !== undefined && (status === 429 || status >= 500)) ||
    shape.$retryable !== undefined;
  return { code, message, retryable };
}

/** An error of ours (not from AWS) with a stable code, for refusals and broken preconditions. */
export class ResponderError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, retryable = false) {
    super(message);
    this.name = code;
    this.code = code;
    this.retryable = retryable;
  }
}

/** The service refused the call for its rate (it did nothing): by any of the error's names, or HTTP 429. */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  const names = [shape.Code, shape.code, shape.name].filter((c): c is string => typeof c === 'string');
  return names.some((name) => THROTTLING_CODES.has(name)) || shape.$metadata?.httpStatusCode === 429;
}
