import type { CloudTrailClient, LookupEventsCommandInput, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { toStepError } from '../aws/errors';
import { isBudgetExceeded, type TimeBudget } from './budget';
import { summarizeEvents, trailEventOf, type TrailEvent } from './cloudtrail-summary';
import type { CloudTrailEvidence } from './evidence';
import { INVESTIGATION_LIMITS, type InvestigationLimits } from './limits';

/*
 * The management events made with one access key in the last hours
 * (CloudTrail LookupEvents by AccessKeyId), page after page until the last
 * one, the page cap or the time budget. A page that fails after the first
 * one keeps what was read and says why it stopped.
 */

export type CloudTrailLimits = Pick<InvestigationLimits, 'maxCloudTrailPages' | 'cloudTrailPageSize' | 'cloudTrailWindowHours' | 'maxNamesListed'>;

export interface LookupWindow {
  readonly startTime: Date;
  readonly endTime: Date;
}

export function lookupWindow(now: Date, hours: number): LookupWindow {
  return { startTime: new Date(now.getTime() - hours * 3_600_000), endTime: now };
}

/** The request of the first page; the plan shows it as the step's parameters. */
export function lookupEventsInput(accessKeyId: string, window: LookupWindow, pageSize: number): LookupEventsCommandInput {
  return {
    LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: accessKeyId }],
    StartTime: window.startTime,
    EndTime: window.endTime,
    MaxResults: pageSize,
  };
}

type Stop = Pick<CloudTrailEvidence, 'stoppedBy' | 'stopError'>;

const READ_TO_THE_END: Stop = { stoppedBy: null, stopError: null };

function stopOf(error: unknown): Stop {
  if (isBudgetExceeded(error)) return { stoppedBy: 'time-budget', stopError: null };
  const { code, message } = toStepError(error);
  return { stoppedBy: 'error', stopError: { code, message } };
}

export async function readKeyEvents(
  cloudTrail: CloudTrailClient,
  accessKeyId: string,
  region: string | null,
  window: LookupWindow,
  budget: TimeBudget,
  limits: CloudTrailLimits = INVESTIGATION_LIMITS,
): Promise<CloudTrailEvidence> {
  const input = lookupEventsInput(accessKeyId, window, limits.cloudTrailPageSize);
  // The command from the same chunk as the deferred client class (lambda/runtime/investigation-cloudtrail.ts): none of CloudTrail's code is loaded at cold start.
  const { LookupEventsCommand } = await import('./cloudtrail-sdk');
  const events: TrailEvent[] = [];
  let pagesRead = 0;
  let nextToken: string | undefined;
  let stop = READ_TO_THE_END;
  do {
    if (pagesRead >= limits.maxCloudTrailPages) {
      stop = { stoppedBy: 'page-cap', stopError: null };
      break;
    }
    let page: LookupEventsCommandOutput;
    try {
      const request = nextToken ? { ...input, NextToken: nextToken } : input;
      page = await budget.call(`LookupEvents (page ${pagesRead + 1})`, (abortSignal) => cloudTrail.send(new LookupEventsCommand(request), { abortSignal }));
    } catch (error) {
      // Nothing read yet: the step fails with the error. Otherwise what was read is evidence.
      if (pagesRead === 0) throw error;
      stop = stopOf(error);
      break;
    }
    pagesRead += 1;
    events.push(...(page.Events ?? []).map(trailEventOf));
    nextToken = page.NextToken;
  } while (nextToken);

  return {
    kind: 'cloudtrail-events',
    accessKeyId,
    region,
    startTime: window.startTime.toISOString(),
    endTime: window.endTime.toISOString(),
    pagesRead,
    complete: stop.stoppedBy === null,
    ...stop,
    ...summarizeEvents(events, limits.maxNamesListed),
  };
}
