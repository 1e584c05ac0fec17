import type { TimeBudget } from '../../../investigation/budget';
import { lookupEventsInput, lookupWindow, readKeyEvents } from '../../../investigation/cloudtrail-events';
import { INVESTIGATION_LIMITS } from '../../../investigation/limits';
import { planStep, type PlannedStep } from '../../../plan/types';
import { INVESTIGATE_KEY_EVENTS } from '../specs';

export const KEY_EVENTS_STEP_ID = 'investigate-key-events';

export interface KeyEventsArgs {
  readonly accessKeyId: string;
  /** The finding's region, where the lookup runs. */
  readonly region: string | null;
  readonly planningTime: Date;
  readonly stage: number;
  readonly budget: TimeBudget;
}

/** The CloudTrail management events made with the key in the last hours: which calls, when, from where. */
export function keyEventsStep(args: KeyEventsArgs): PlannedStep {
  const { accessKeyId, region, budget } = args;
  const { cloudTrailWindowHours: hours, cloudTrailPageSize, maxCloudTrailPages } = INVESTIGATION_LIMITS;
  const planned = lookupEventsInput(accessKeyId, lookupWindow(args.planningTime, hours), cloudTrailPageSize);
  return planStep(INVESTIGATE_KEY_EVENTS, {
    id: KEY_EVENTS_STEP_ID,
    title: `Look up the CloudTrail events made with access key ${accessKeyId} in the last ${hours} hours`,
    action: 'cloudtrail:LookupEvents',
    target: `access key ${accessKeyId} (CloudTrail of ${region ?? 'the function region'})`,
    parameters: { ...planned, StartTime: planned.StartTime?.toISOString(), EndTime: planned.EndTime?.toISOString() },
    why:
      `what was done with the key: the calls, when, and from which addresses; at most ${maxCloudTrailPages} pages within the time budget, ` +
      'and the window ends when the step runs (the document above shows the planning time); read-only, after containment',
    stage: args.stage,
    run: async (ctx) => {
      const evidence = await readKeyEvents(await ctx.clients.load('cloudTrail'), accessKeyId, region, lookupWindow(ctx.now(), hours), budget);
      return { status: 'done', detail: evidence.complete ? `${evidence.eventsRead} events` : `partial: ${evidence.eventsRead} events read`, evidence };
    },
  });
}
