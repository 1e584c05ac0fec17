/*
 * The part of GuardDuty the responder's confirmation calls (lambda/confirm/:
 * ListDetectors, then GetFindings through the security account's detector),
 * answered by the latency proxy itself: the emulator behind it (moto) has no
 * GuardDuty findings API. Without it the benchmark could only run with
 * confirmFindings off, and would not show what the confirmation costs on the
 * way to isolation.
 *
 * The answers are GuardDuty's REST-JSON wire form (camelCase members, as the
 * SDK's deserializer in @aws-sdk/client-guardduty reads them): ListDetectors
 * `{"detectorIds":[...]}`, GetFindings `{"findings":[...]}` with only the
 * findings held under the ids asked for (GuardDuty leaves an id it does not
 * hold out of the answer: no error). A finding is held as the `detail` of the
 * EventBridge event that delivered it, which is GuardDuty's finding in that
 * same JSON form; test/unit/bench/guardduty-stand-in.test.ts proves with the
 * real GuardDutyClient that what it answers is what the SDK parses and the
 * confirmation accepts.
 */

/** The one detector of the stand-in's account and region (the id the fixtures' findings name). */
export const STAND_IN_DETECTOR_ID = '12abc34d567e8fa901bc2d34e56789f0';

/** A finding in GuardDuty's JSON form (an EventBridge event's `detail`): the id is what GetFindings looks it up by. */
export interface GuardDutyFindingJson {
  readonly id: string;
  readonly [member: string]: unknown;
}

export type GuardDutyOperation = 'ListDetectors' | 'GetFindings';

export interface StandInAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface GuardDutyRequest {
  /** ListDetectors, GetFindings, or `METHOD /path` for an operation the stand-in does not answer. */
  readonly operation: string;
  /** The detector of the path and the finding ids asked for, named as a query-protocol form would name them (DetectorId, FindingIds.N). */
  readonly params: Readonly<Record<string, string>>;
}

export interface GuardDutyStandIn {
  readonly detectorId: string;
  /** GuardDuty holds this finding from now on (replacing one of the same id), until forgetAll. */
  hold(finding: GuardDutyFindingJson): void;
  forgetAll(): void;
  /** The answer GuardDuty would send to this request, from what is held. */
  answer(request: GuardDutyRequest): StandInAnswer;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The SigV4 credential scope's service (`Credential=AKID/date/region/service/aws4_request`), '' when unsigned. */
export function signedService(authorization: string | undefined): string {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1] ?? '';
}

function pathOf(url: string): string {
  return url.split('?')[0] ?? '';
}

const FINDINGS_GET = /^\/detector\/([^/]+)\/findings\/get$/;

/** A GuardDuty request: signed for the guardduty service, or (unsigned) on one of the two paths the stand-in answers. */
export function isGuardDutyRequest(authorization: string | undefined, url: string): boolean {
  const service = signedService(authorization);
  if (service) return service === 'guardduty';
  const path = pathOf(url);
  return path === '/detector' || FINDINGS_GET.test(path);
}

/** The operation and its parameters, from the REST route (GET /detector, POST /detector/{DetectorId}/findings/get). */
export function guardDutyRequestOf(method: string, url: string, body: Buffer): GuardDutyRequest {
  const path = pathOf(url);
  if (method === 'GET' && path === '/detector') return { operation: 'ListDetectors', params: {} };
  const findingsGet = FINDINGS_GET.exec(path);
  if (method === 'POST' && findingsGet) {
    let ids: unknown;
    try {
      ids = (JSON.parse(body.toString('utf8') || '{}') as { findingIds?: unknown }).findingIds;
    } catch {
      ids = undefined;
    }
    const findingIds = Array.isArray(ids) ? ids.map(String) : [];
    return {
      operation: 'GetFindings',
      params: { DetectorId: decodeURIComponent(findingsGet[1]!), ...Object.fromEntries(findingIds.map((id, i) => [`FindingIds.${i + 1}`, id])) },
    };
  }
  return { operation: `${method} ${path}`, params: {} };
}

/** A REST-JSON error as GuardDuty sends it: the code in x-amzn-ErrorType (what the SDK reads it from), the message in the body. */
function errorAnswer(status: number, code: string, message: string): StandInAnswer {
  return { status, headers: { ...JSON_HEADERS, 'x-amzn-errortype': code }, body: JSON.stringify({ message, __type: code }) };
}

/** The throttling answer of a REST-JSON service (HTTP 429), which the SDK recognises and retries. */
export function guardDutyThrottlingAnswer(): StandInAnswer {
  return errorAnswer(429, 'TooManyRequestsException', 'Rate exceeded');
}

/** GuardDuty's server error (HTTP 500), which the SDK retries as a transient error. */
export function guardDutyServerErrorAnswer(): StandInAnswer {
  return errorAnswer(500, 'InternalServerErrorException', 'An internal error has occurred (injected by the proxy).');
}

function findingIdsOf(params: Readonly<Record<string, string>>): string[] {
  return Object.entries(params)
    .filter(([key]) => key.startsWith('FindingIds.'))
    .map(([, id]) => id);
}

export function createGuardDutyStandIn(detectorId: string = STAND_IN_DETECTOR_ID): GuardDutyStandIn {
  const held = new Map<string, GuardDutyFindingJson>();
  return {
    detectorId,
    hold(finding) {
      held.set(finding.id, structuredClone(finding));
    },
    forgetAll() {
      held.clear();
    },
    answer({ operation, params }) {
      if (operation === 'ListDetectors') return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ detectorIds: [detectorId] }) };
      if (operation === 'GetFindings') {
        if (params.DetectorId !== detectorId) {
          return errorAnswer(400, 'BadRequestException', 'The request is rejected because the input detectorId is not owned by the current account.');
        }
        const findings = findingIdsOf(params).flatMap((id) => {
          const finding = held.get(id);
          return finding ? [finding] : [];
        });
        return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ findings }) };
      }
      // Loud, so a responder calling more of GuardDuty than the stand-in knows fails the benchmark instead of passing it.
      return errorAnswer(400, 'BadRequestException', `the benchmark's GuardDuty stand-in answers ListDetectors and GetFindings only, not ${operation}`);
    },
  };
}
