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


/** The finding as GetFindings returns it: the API's PascalCase shape of the fields a confirmation compares. */
export function heldFinding(finding: Finding, overrides: Partial<HeldFinding> = {}): HeldFinding {
  const instance = finding.resource?.instanceDetails;
  const key = finding.resource?.accessKeyDetails;
  const fn = finding.resource?.lambdaDetails;
  return {
    AccountId: finding.accountId ?? undefined,
    Arn: `arn:aws:guardduty:${finding.region}:${finding.accountId}:detector/${DETECTOR_ID}/finding/${finding.id}`,
    CreatedAt: '2026-11-22T07:55:00.000Z',
    Id: finding.id,
    Partition: 'aws',
    Region: finding.region ?? undefined,
    SchemaVersion: '2.0',
    Severity: finding.severity,
    Type: finding.type,
    UpdatedAt: '2026-11-22T07:55:00.000Z',
    Resource: {
      ResourceType: finding.resource?.resourceType ?? undefined,
      ...(instance ? { InstanceDetails: { InstanceId: instance.instanceId ?? undefined } } : {}),
      ...(key
        ? {
            AccessKeyDetails: {
              AccessKeyId: key.accessKeyId ?? undefined,
              PrincipalId: key.principalId ?? undefined,
              UserName: key.userName ?? undefined,
              UserType: key.userType ?? undefined,
            },
          }
        : {}),
      ...(fn
        ? { LambdaDetails: { FunctionName: fn.functionName ?? undefined, FunctionArn: fn.functionArn ?? undefined, FunctionVersion: fn.functionVersion ?? undefined } }
        : {}),
    },
    Service: { Archived: false, ResourceRole: finding.service?.resourceRole ?? undefined, Count: 1 },
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
