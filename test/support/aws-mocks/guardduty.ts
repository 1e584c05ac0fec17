import { GetFindingsCommand, GuardDutyClient, ListDetectorsCommand, type Finding as HeldFinding } from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import type { Finding } from '../../../lambda/finding/schema';

/*
 * GuardDuty as the security account's detector sees it, for the
 * confirmation every acting response asks for (lambda/confirm/). The local
 * emulator (moto) has no GuardDuty findings API, so the confirmation is
 * covered here, with mocked clients, and never against the emulator.
 */

export const DETECTOR_ID = '12abc34d567e8fa901bc2d34e56789f0';


function upperFirst(key: string): string {
  return key.length === 0 ? key : key[0]!.toUpperCase() + key.slice(1);
}

/** The delivered (camelCase) JSON in the SDK's PascalCase member names, as GetFindings' answer is parsed. */
function pascalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalized);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [upperFirst(key), pascalized(inner)]));
}

type HeldSequenceResource = NonNullable<NonNullable<NonNullable<NonNullable<HeldFinding['Service']>['Detection']>['Sequence']>['Resources']>[number];

/**
 * The finding as GetFindings returns it: every field of the delivery under
 * the SDK's name (the confirmation compares the fields a playbook acts on,
 * lambda/confirm/compared-fields.ts), not archived. The real SDK's reading
 * of the wire form is proven on every fixture in test/unit/confirm/wire-round-trip.test.ts;
 * here, an attack sequence's resource named only by its Security Hub
 * spelling (`type`) is held under GuardDuty's member (ResourceType), the
 * only one the SDK has.
 */
export function heldFinding(finding: Finding, overrides: Partial<HeldFinding> = {}): HeldFinding {
  const all = pascalized(finding) as HeldFinding;
  const sequence = all.Service?.Detection?.Sequence;
  const resources = sequence?.Resources?.map((r) => {
    const spelled = r as HeldSequenceResource & { Type?: string };
    return { ...spelled, ResourceType: spelled.ResourceType ?? spelled.Type } as HeldSequenceResource;
  });
  return {
    ...all,
    Arn: `arn:aws:guardduty:${finding.region}:${finding.accountId}:detector/${DETECTOR_ID}/finding/${finding.id}`,
    CreatedAt: '2026-11-22T07:55:00.000Z',
    Partition: 'aws',
    SchemaVersion: '2.0',
    UpdatedAt: '2026-11-22T07:55:00.000Z',
    Resource: all.Resource ?? {},
    Service: {
      ...all.Service,
      ...(sequence ? { Detection: { ...all.Service?.Detection, Sequence: { ...sequence, Resources: resources } } } : {}),
      Archived: false,
      ResourceRole: finding.service?.resourceRole ?? undefined,
      Count: 1,
    },
    ...overrides,
  };
}

/** Mocks the GuardDuty client class for a test file; restore it in afterAll. */
export function mockGuardDuty() {
  return mockClient(GuardDutyClient);
}

export type GuardDutyMock = ReturnType<typeof mockGuardDuty>;

/**
 * The security account's one detector holds exactly these findings:
 * GetFindings answers those of the ids asked for, as GuardDuty does (an
 * unknown id is simply not in the answer).
 */
export function guardDutyHolds(mock: GuardDutyMock, findings: readonly HeldFinding[], detectorId = DETECTOR_ID): void {
  mock.reset();
  mock.on(ListDetectorsCommand).resolves({ DetectorIds: [detectorId] });
  // A promise either way, as the SDK's send returns.
  mock.on(GetFindingsCommand).callsFake((input: { DetectorId?: string; FindingIds?: string[] }) => {
    if (input.DetectorId !== detectorId) {
      return Promise.reject(Object.assign(new Error('The request is rejected because the input detectorId is not owned by the current account.'), {
        name: 'BadRequestException',
        $metadata: { httpStatusCode: 400 },
      }));
    }
    return Promise.resolve({ Findings: findings.filter((f) => input.FindingIds?.includes(f.Id ?? '')) });
  });
}

export interface GuardDutyHarness {
  readonly mock: GuardDutyMock;
  /** The detector holds exactly these findings, as delivered (unchanged, not archived). */
  holds(...findings: readonly Finding[]): void;
}

/** The GuardDuty mock of one test file, restored after it. */
export function useGuardDuty(): GuardDutyHarness {
  const mock = mockGuardDuty();
  afterAll(() => mock.restore());
  return { mock, holds: (...findings) => guardDutyHolds(mock, findings.map((finding) => heldFinding(finding))) };
}
