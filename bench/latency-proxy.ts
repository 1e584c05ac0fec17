import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { EMULATOR_HOST } from '../emulator/moto-server';
import {
  createGuardDutyStandIn,
  guardDutyRequestOf,
  guardDutyServerErrorAnswer,
  guardDutyThrottlingAnswer,
  isGuardDutyRequest,
  type GuardDutyStandIn,
  type StandInAnswer,
} from './guardduty-stand-in';

/*
 * A proxy in front of the emulator that makes every AWS call cost what a
 * round trip to AWS costs: each request waits a fixed delay before it is
 * forwarded, so sequential calls show up as time and parallel ones do not.
 * It records every call (operation, parameters, when it was sent and
 * answered, how long the emulator took) so the benchmark can tell how many
 * round trips came before isolation, when the isolation group was on the
 * last ENI and how much of that was the emulator's own time. The delays of
 * concurrent requests run concurrently: nothing here queues. It can also
 * answer a share of the requests with the throttling error the service
 * would send, which the SDK recognises and retries, and fail chosen
 * requests (a fault-injection test: only the move to one security group)
 * with the 5xx error the service would send, which the SDK retries too.
 * GuardDuty, which the emulator lacks, the proxy answers itself
 * (guardduty-stand-in.ts), after the same delay, recorded like any call.
 */

export interface RecordedCall {
  readonly seq: number;
  /** e.g. `ModifyNetworkInterfaceAttribute`, `DynamoDB_20120810.PutItem`. */
  readonly operation: string;
  /**
   * Form parameters of query-protocol calls (EC2, IAM, STS, SNS, Auto Scaling, ELBv2); of GuardDuty's,
   * DetectorId and FindingIds.N; of DynamoDB's, the item's pk and UpdateExpression; empty otherwise.
   */
  readonly params: Readonly<Record<string, string>>;
  /** The access key the request was signed with: moto tells accounts apart by it. */
  readonly accessKeyId: string;
  /** performance.now() when the request reached the proxy and when its answer left it. */
  readonly sentAt: number;
  readonly answeredAt: number;
  /**
   * The emulator's share of the call, in ms: from forwarding the request to
   * having the whole answer back (its queueing behind other calls included,
   * the proxy's fixed delay excluded); 0 for a call never forwarded (throttled,
   * faulted, or a GuardDuty call the stand-in answered).
   */
  readonly upstreamMs: number;
  readonly throttled: boolean;
  /** Answered with the injected server error, never forwarded. */
  readonly faulted: boolean;
  readonly status: number;
}

/** What a fault-injection rule sees of a request. */
export interface ProxiedRequest {
  readonly operation: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface ProxyOptions {
  /** The emulator's endpoint, http://127.0.0.1:PORT. */
  readonly target: string;
  readonly latencyMs: number;
}

export interface LatencyProxy {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  /** GuardDuty as the responder's confirmation sees it: hold the findings a run delivers, so that it can confirm them. */
  readonly guardDuty: GuardDutyStandIn;
  /** Share of requests answered with a throttling error, 0..1, drawn from a seeded generator (same run, same draws). */
  setThrottling(rate: number, seed?: number): void;
  /** Answers every request `matches` picks with a server error (EC2: InternalError, GuardDuty: InternalServerErrorException, HTTP 500) until called again; null: none. */
  injectFaults(matches: ((request: ProxiedRequest) => boolean) | null): void;
  clear(): void;
  close(): Promise<void>;
}

/** mulberry32: small, seedable, good enough to pick requests to throttle. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

interface DynamoDbKeyedRequest {
  readonly Key?: { readonly pk?: { readonly S?: unknown } };
  readonly UpdateExpression?: unknown;
}

/**
 * The query parameters of a form request; of a DynamoDB request, the item's
 * `pk` and the UpdateExpression (what tells a ledger claim from the other
 * writes of the same item).
 */
function formParams(request: IncomingMessage, body: Buffer): Record<string, string> {
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/x-amz-json-1.0')) {
    let parsed: DynamoDbKeyedRequest;
    try {
      parsed = JSON.parse(body.toString('utf8')) as DynamoDbKeyedRequest;
    } catch {
      return {};
    }
    const pk = parsed.Key?.pk?.S;
    return {
      ...(typeof pk === 'string' ? { pk } : {}),
      ...(typeof parsed.UpdateExpression === 'string' ? { UpdateExpression: parsed.UpdateExpression } : {}),
    };
  }
  if (!type.includes('application/x-www-form-urlencoded')) return {};
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function operationOf(request: IncomingMessage, params: Record<string, string>): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target;
  return params.Action ?? `${request.method} ${request.url ?? ''}`;
}

function accessKeyOf(request: IncomingMessage): string {
  const match = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''));
  return match?.[1] ?? '';
}

/** An answer the proxy makes itself, never forwarded: the same shape as the GuardDuty stand-in's. */
type ProxyAnswer = StandInAnswer;

/** The server error EC2 sends (HTTP 500, its own error envelope), which the SDK retries as a transient error. */
function serverErrorAnswer(guardDutyCall: boolean): ProxyAnswer {
  if (guardDutyCall) return guardDutyServerErrorAnswer();
  return {
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred (injected by the proxy).</Message></Error></Errors><RequestID>proxy-fault</RequestID></Response>',
  };
}

/*
 * The throttling answer each protocol really sends: EC2 `RequestLimitExceeded`
 * (HTTP 503, EC2's own error envelope), the other query services `Throttling`
 * (HTTP 400, ErrorResponse), JSON services `ThrottlingException`,
 * GuardDuty (REST-JSON) `TooManyRequestsException` (HTTP 429).
 */
function throttlingAnswer(request: IncomingMessage, params: Readonly<Record<string, string>>, guardDutyCall: boolean): ProxyAnswer {
  if (guardDutyCall) return guardDutyThrottlingAnswer();
  const requestId = 'bench-throttled';
  if (typeof request.headers['x-amz-target'] === 'string') {
    return {
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ __type: 'com.amazonaws.coral.availability#ThrottlingException', message: 'Rate exceeded' }),
    };
  }
  if (params.Version && /^\d{4}-\d{2}-\d{2}$/.test(params.Version) && isEc2(params.Version)) {
    return {
      status: 503,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  return {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** The EC2 query API version the SDK sends; the other query services use other dates. */
function isEc2(version: string): boolean {
  return version === '2016-11-15';
}

/** Writes an answer the proxy made itself; returns its status. */
function send(response: ServerResponse, answer: ProxyAnswer): number {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
  return answer.status;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function forward(target: URL, request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
      (response) => {
        readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

export async function startLatencyProxy(options: ProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const calls: RecordedCall[] = [];
  let seq = 0;
  let throttleRate = 0;
  let random = seededRandom(1);
  let faultRule: ((request: ProxiedRequest) => boolean) | null = null;

  const guardDuty = createGuardDutyStandIn();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const sentAt = performance.now();
    const body = await readBody(request);
    const standIn = isGuardDutyRequest(request.headers.authorization, request.url ?? '');
    const guardDutyRequest = standIn ? guardDutyRequestOf(request.method ?? '', request.url ?? '', body) : undefined;
    const params = guardDutyRequest?.params ?? formParams(request, body);
    const operation = guardDutyRequest?.operation ?? operationOf(request, params);
    const mine = (seq += 1);
    const faulted = faultRule !== null && faultRule({ operation, params });
    const throttled = !faulted && throttleRate > 0 && random() < throttleRate;
    await delay(options.latencyMs);
    let status: number;
    let upstreamMs = 0;
    if (faulted || throttled) {
      status = send(response, faulted ? serverErrorAnswer(standIn) : throttlingAnswer(request, params, standIn));
    } else if (guardDutyRequest) {
      status = send(response, guardDuty.answer(guardDutyRequest));
    } else {
      const forwardedAt = performance.now();
      const upstream = await forward(target, request, body);
      upstreamMs = performance.now() - forwardedAt;
      status = upstream.status;
      const headers = { ...upstream.headers };
      delete headers['transfer-encoding'];
      response.writeHead(status, { ...headers, 'content-length': upstream.body.length });
      response.end(upstream.body);
    }
    calls.push({ seq: mine, operation, params, accessKeyId: accessKeyOf(request), sentAt, answeredAt: performance.now(), upstreamMs, throttled, faulted, status });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`bench proxy: ${String(error)}`);
    });
  });
  // Many parallel calls from one SDK client: keep the sockets open as the SDK does.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, EMULATOR_HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://${EMULATOR_HOST}:${port}`,
    calls,
    guardDuty,
    setThrottling(rate, seed = 1) {
      throttleRate = rate;
      random = seededRandom(seed);
    },
    injectFaults(matches) {
      faultRule = matches;
    },
    clear() {
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
