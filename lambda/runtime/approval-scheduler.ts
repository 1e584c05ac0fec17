import type { DeferredClientClass } from '../aws/clients';

/**
 * The acting playbooks' Scheduler client class, imported on first use: only a
 * response that waits for a decision writes schedules, after its evidence.
 */
export const APPROVAL_SCHEDULER: DeferredClientClass<'scheduler'> = {
  deferred: () => import('../approval/scheduler-sdk').then((sdk) => sdk.SchedulerClient),
};
