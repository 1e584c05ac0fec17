import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { GenerateServiceLastAccessedDetailsCommand, GetAccessKeyLastUsedCommand, GetServiceLastAccessedDetailsCommand } from '@aws-sdk/client-iam';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { Clock } from '../../../lambda/investigation/budget';
import type { IamAction } from '../../../lambda/plan/types';
import type { IamStub } from './revoke-iam';

/* The investigation's reads as the tests see them: IAM's last-used and last-accessed data, CloudTrail's event history. */

export type CloudTrailStub = AwsClientStub<CloudTrailClient>;

export const JOB_ID = 'b1f2c3d4-0000-4000-8000-00000000abcd';

/** What a quiet principal shows: the key never used, no service accessed, no CloudTrail event. */
export function givenQuietInvestigation(iam: IamStub, cloudTrail: CloudTrailStub): void {
  iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'deploy-bot', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
  iam.on(GenerateServiceLastAccessedDetailsCommand).resolves({ JobId: JOB_ID });
  iam.on(GetServiceLastAccessedDetailsCommand).resolves({
    JobStatus: 'COMPLETED',
    JobCreationDate: new Date('2026-11-22T10:00:08Z'),
    JobCompletionDate: new Date('2026-11-22T10:00:09Z'),
    ServicesLastAccessed: [],
    IsTruncated: false,
  });
  cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });
}

export interface TrailEventSetup {
  readonly name: string;
  readonly time: string;
  readonly ip?: string;
  readonly errorCode?: string;
}

/** One LookupEvents result, with the CloudTrail record as the JSON string CloudTrail sends. */
export function trailEvent(setup: TrailEventSetup, accessKeyId = 'AKIA2EXAMPLEKEY00001'): Event {
  const record = {
    eventVersion: '1.09',
    eventTime: setup.time,
    eventName: setup.name,
    userIdentity: { type: 'IAMUser', accessKeyId },
    ...(setup.ip ? { sourceIPAddress: setup.ip } : {}),
    ...(setup.errorCode ? { errorCode: setup.errorCode, errorMessage: 'denied (test)' } : {}),
  };
  return { EventName: setup.name, EventTime: new Date(setup.time), AccessKeyId: accessKeyId, ReadOnly: 'true', CloudTrailEvent: JSON.stringify(record) };
}

/** The CloudTrail action of every command the stub received: LookupEventsCommand -> cloudtrail:LookupEvents. */
export function cloudTrailActionsReceived(cloudTrail: CloudTrailStub): IamAction[] {
  return cloudTrail.calls().map((call) => `cloudtrail:${call.args[0].constructor.name.replace(/Command$/, '')}` as IamAction);
}

/**
 * A clock that only moves when told: sleeping advances it at once, and a
 * mocked call can advance it to play a slow answer. Records every sleep.
 */
export interface FakeClock extends Clock {
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = Date.parse('2026-11-22T10:00:08Z')): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
