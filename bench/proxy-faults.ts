import type { IncomingHttpHeaders } from 'node:http';
import { guardDutyServerErrorAnswer, guardDutyThrottlingAnswer, type StandInAnswer } from './guardduty-stand-in';

/*
 * The faults the proxy (latency-proxy.ts) injects, and the error answers it
 * makes for them in each protocol's own envelope, so the SDK parses them
 * exactly as it would AWS's. Two kinds of fault:
 *
 * - refused before the service sees the request (nothing happened there):
 *   `server-error` (HTTP 5xx, the SDK retries it), `throttling` (the SDK
 *   retries it), `access-denied` (the SDK does not retry it);
 * - forwarded, so the service carried the request out, and then the answer
 *   never reaches the caller: `lost-answer` (the connection is dropped once
 *   the service has answered: a socket hang-up, which the SDK retries) and
 *   `late-answer` (the answer is held past the client's request timeout,
 *   which the SDK retries too). These are the faults that make a retried
 *   write meet its own earlier write.
 */

export type FaultKind = 'server-error' | 'throttling' | 'access-denied' | 'lost-answer' | 'late-answer';

/** Faults after which the service has carried the request out. */
export const FORWARDED_FAULTS: ReadonlySet<FaultKind> = new Set(['lost-answer', 'late-answer']);

/** What a fault rule sees of a request. */
export interface ProxiedRequest {
  readonly operation: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface FaultRule {
  readonly kind: FaultKind;
  readonly matches: (request: ProxiedRequest) => boolean;
  /** How many matching requests to fault, the first ones; absent: every one (throttling past every retry, a lasting denial). */
  readonly times?: number;
  /** late-answer: how long the answer is held after the service answered (ms). Default 30 s. */
  readonly holdMs?: number;
}

export const DEFAULT_LATE_ANSWER_HOLD_MS = 30_000;

/** An answer the proxy makes itself, never forwarded: the same shape as the GuardDuty stand-in's. */
export type ProxyAnswer = StandInAnswer;

/** The protocol families whose error envelopes differ. */
type Protocol = 'ec2' | 'query' | 'json' | 'rest-xml' | 'guardduty';

/** The EC2 query API version the SDK sends; the other query services use other dates. */
const EC2_VERSION = '2016-11-15';
/** SNS names its denial AuthorizationError (HTTP 403). */
const SNS_VERSION = '2010-03-31';

function protocolOf(headers: IncomingHttpHeaders, params: Readonly<Record<string, string>>, guardDutyCall: boolean): Protocol {
  if (guardDutyCall) return 'guardduty';
  if (typeof headers['x-amz-target'] === 'string') return 'json';
  if (params.Action !== undefined) return params.Version === EC2_VERSION ? 'ec2' : 'query';
  return 'rest-xml';
}

function ec2Error(status: number, code: string, message: string, requestId: string): ProxyAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}

function queryError(status: number, code: string, message: string, requestId: string): ProxyAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function jsonError(status: number, type: string, message: string): ProxyAnswer {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: type, message }) };
}

function restXmlError(status: number, code: string, message: string): ProxyAnswer {
  return { status, headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>proxy-fault</RequestId></Error>` };
}

function guardDutyError(status: number, code: string, message: string): ProxyAnswer {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code }, body: JSON.stringify({ message, __type: code }) };
}

/** The server error each protocol sends (HTTP 500), which the SDK retries as a transient error. */
export function serverErrorAnswer(headers: IncomingHttpHeaders, params: Readonly<Record<string, string>>, guardDutyCall: boolean): ProxyAnswer {
  const message = 'An internal error has occurred (injected by the proxy).';
  switch (protocolOf(headers, params, guardDutyCall)) {
    case 'guardduty':
      return guardDutyServerErrorAnswer();
    case 'ec2':
      return ec2Error(500, 'InternalError', message, 'proxy-fault');
    case 'query':
      return queryError(500, 'InternalFailure', message, 'proxy-fault');
    case 'json':
      return jsonError(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', message);
    case 'rest-xml':
      return restXmlError(500, 'InternalError', message);
  }
}

/*
 * The throttling answer each protocol really sends: EC2 `RequestLimitExceeded`
 * (HTTP 503, EC2's own error envelope), the other query services `Throttling`
 * (HTTP 400, ErrorResponse), JSON services `ThrottlingException`, S3
 * `SlowDown` (HTTP 503), GuardDuty (REST-JSON) `TooManyRequestsException` (HTTP 429).
 */
export function throttlingAnswer(headers: IncomingHttpHeaders, params: Readonly<Record<string, string>>, guardDutyCall: boolean): ProxyAnswer {
  const requestId = 'bench-throttled';
  switch (protocolOf(headers, params, guardDutyCall)) {
    case 'guardduty':
      return guardDutyThrottlingAnswer();
    case 'ec2':
      return ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.', requestId);
    case 'query':
      return queryError(400, 'Throttling', 'Rate exceeded', requestId);
    case 'json':
      return jsonError(400, 'com.amazonaws.coral.availability#ThrottlingException', 'Rate exceeded');
    case 'rest-xml':
      return restXmlError(503, 'SlowDown', 'Please reduce your request rate.');
  }
}

/*
 * The denial each protocol sends when IAM refuses the call: EC2
 * `UnauthorizedOperation` (HTTP 403), SNS `AuthorizationError` (403), the
 * other query services `AccessDenied` (403), JSON services (DynamoDB)
 * `AccessDeniedException` (HTTP 400), S3 `AccessDenied` (403), GuardDuty
 * `AccessDeniedException` (403). None is retried by the SDK.
 */
export function accessDeniedAnswer(headers: IncomingHttpHeaders, params: Readonly<Record<string, string>>, guardDutyCall: boolean): ProxyAnswer {
  const message = 'User is not authorized to perform this action (denied by the proxy).';
  switch (protocolOf(headers, params, guardDutyCall)) {
    case 'guardduty':
      return guardDutyError(403, 'AccessDeniedException', message);
    case 'ec2':
      return ec2Error(403, 'UnauthorizedOperation', message, 'proxy-denied');
    case 'query':
      return queryError(403, params.Version === SNS_VERSION ? 'AuthorizationError' : 'AccessDenied', message, 'proxy-denied');
    case 'json':
      return jsonError(400, 'com.amazon.coral.service#AccessDeniedException', message);
    case 'rest-xml':
      return restXmlError(403, 'AccessDenied', 'Access Denied');
  }
}

/** The fault rules of a proxy, each counting the requests it has faulted. */
export class FaultRules {
  private rules: { rule: FaultRule; faulted: number }[] = [];

  add(rule: FaultRule): void {
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new Error(`fault rule: times must be a positive integer, got ${rule.times}`);
    this.rules.push({ rule, faulted: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule that matches this request and has faults left, counted; undefined: forward it untouched. */
  take(request: ProxiedRequest): FaultRule | undefined {
    for (const entry of this.rules) {
      if (entry.rule.times !== undefined && entry.faulted >= entry.rule.times) continue;
      if (!entry.rule.matches(request)) continue;
      entry.faulted += 1;
      return entry.rule;
    }
    return undefined;
  }
}
