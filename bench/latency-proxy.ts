import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { EMULATOR_HOST } from '../emulator/moto-server';
import { createGuardDutyStandIn, guardDutyRequestOf, isGuardDutyRequest, type GuardDutyStandIn } from './guardduty-stand-in';
import { requestAction } from './request-action';
import {
  accessDeniedAnswer,
  DEFAULT_LATE_ANSWER_HOLD_MS,
  FaultRules,
  serverErrorAnswer,
  throttlingAnswer,
  type FaultKind,
  type FaultRule,
  type ProxiedRequest,
  type ProxyAnswer,
} from './proxy-faults';

export type { FaultKind, FaultRule, ProxiedRequest } from './proxy-faults';

/*
 * A proxy in front of the emulator that makes every AWS call cost what a
 * round trip to AWS costs: each request waits a fixed delay before it is
 * forwarded, so sequential calls show up as time and parallel ones do not.
 * It records every call (operation, its IAM-style action, parameters, when it was sent and
 * answered, how long the emulator took) so the benchmark can tell how many
 * round trips came before isolation, when the isolation group was on the
 * last ENI and how much of that was the emulator's own time. The delays of
 * concurrent requests run concurrently: nothing here queues. It can also
 * answer a share of the requests with the throttling error the service
 * would send, which the SDK recognises and retries, and fault chosen
 * requests (proxy-faults.ts): refuse them (a 5xx, throttling, AccessDenied)
 * or carry them out and lose or delay the answer, the fault that makes a
 * retried write meet its own earlier one.
 * GuardDuty, which the emulator lacks, the proxy answers itself
 * (guardduty-stand-in.ts), after the same delay, recorded like any call.
 */

export interface RecordedCall {
  readonly seq: number;
  /** e.g. `ModifyNetworkInterfaceAttribute`, `DynamoDB_20120810.PutItem`. */
  readonly operation: string;
  /** The IAM-style action, e.g. `ec2:ModifyNetworkInterfaceAttribute`, `s3:PutBucketPublicAccessBlock` (request-action.ts). */
  readonly action: string;
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
  /** Throttled by setThrottling's random share (never forwarded). */
  readonly throttled: boolean;
  /** A fault rule picked it (injectFaults / addFault). */
  readonly faulted: boolean;
  /** Which fault; lost-answer and late-answer were forwarded (the service carried the request out). */
  readonly fault: FaultKind | undefined;
  readonly status: number;
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
  /** Replaces every fault rule: each request `matches` picks is answered with a server error (HTTP 500) in its protocol's envelope; null: no rule. */
  injectFaults(matches: ((request: ProxiedRequest) => boolean) | null): void;
  /** Adds a fault rule (proxy-faults.ts); the first matching rule with faults left applies. */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
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

type Refusal = typeof serverErrorAnswer;

/** The answer of a request refused before the service sees it, or undefined when it is forwarded. */
function refusalOf(kind: FaultKind | undefined, throttled: boolean): Refusal | undefined {
  if (throttled || kind === 'throttling') return throttlingAnswer;
  if (kind === 'server-error') return serverErrorAnswer;
  if (kind === 'access-denied') return accessDeniedAnswer;
  return undefined;
}

/** Writes an answer the proxy made itself; returns its status. */
function send(response: ServerResponse, answer: ProxyAnswer): number {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
  return answer.status;
}

/** A held answer or a delay never keeps the process alive on its own: a test run ends while an answer is still held. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
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

/** Headers about one connection only, never passed on by a proxy (RFC 9110, section 7.6.1). */
const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'] as const;

export async function startLatencyProxy(options: ProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const calls: RecordedCall[] = [];
  let seq = 0;
  let throttleRate = 0;
  let random = seededRandom(1);
  const faults = new FaultRules();

  const guardDuty = createGuardDutyStandIn();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const sentAt = performance.now();
    const body = await readBody(request);
    const standIn = isGuardDutyRequest(request.headers.authorization, request.url ?? '');
    const guardDutyRequest = standIn ? guardDutyRequestOf(request.method ?? '', request.url ?? '', body) : undefined;
    const params = guardDutyRequest?.params ?? formParams(request, body);
    const operation = guardDutyRequest?.operation ?? operationOf(request, params);
    const action = requestAction({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: String(request.headers.authorization ?? ''),
      target: typeof request.headers['x-amz-target'] === 'string' ? request.headers['x-amz-target'] : undefined,
      formAction: params.Action,
    });
    const mine = (seq += 1);
    const rule = faults.take({ operation, params });
    const throttled = rule === undefined && throttleRate > 0 && random() < throttleRate;
    await delay(options.latencyMs);
    let status: number;
    let upstreamMs = 0;
    const refusal = refusalOf(rule?.kind, throttled);
    if (refusal) {
      status = send(response, refusal(request.headers, params, standIn));
    } else if (guardDutyRequest) {
      status = send(response, guardDuty.answer(guardDutyRequest));
    } else {
      const forwardedAt = performance.now();
      const upstream = await forward(target, request, body);
      upstreamMs = performance.now() - forwardedAt;
      status = upstream.status;
      if (rule?.kind === 'lost-answer') {
        // The service has carried the request out; the caller sees the connection drop (a socket hang-up).
        response.socket?.destroy();
      } else {
        if (rule?.kind === 'late-answer') await delay(rule.holdMs ?? DEFAULT_LATE_ANSWER_HOLD_MS);
        const headers = { ...upstream.headers };
        // Hop-by-hop headers are the emulator's connection's, not the caller's (RFC 9110, 7.6.1): its werkzeug answers
        // `Connection: close`, which would make every SDK call open a new connection, as no AWS endpoint makes it.
        for (const hop of HOP_BY_HOP_HEADERS) delete headers[hop];
        if (!response.destroyed) {
          response.writeHead(status, { ...headers, 'content-length': upstream.body.length });
          response.end(upstream.body);
        }
      }
    }
    calls.push({ seq: mine, operation, action, params, accessKeyId: accessKeyOf(request), sentAt, answeredAt: performance.now(), upstreamMs, throttled, faulted: rule !== undefined, fault: rule?.kind, status });
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
      faults.clear();
      if (matches) faults.add({ kind: 'server-error', matches });
    },
    addFault(rule) {
      faults.add(rule);
    },
    clearFaults() {
      faults.clear();
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
