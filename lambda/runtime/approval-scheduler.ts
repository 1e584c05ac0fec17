import type { DeferredClientClass } from '../aws/clients';

/**
 * The acting playbooks' Scheduler client class, imported on first use: only a
 * response that waits for a decision writes schedules, after its evidence.
 */
export const APPROVAL_SCHEDULER: DeferredClientClass<'scheduler'> = {
  deferred: () => import('../approval/scheduler-sdk').then((sdk) => sdk.SchedulerClient),
};

/** The acting playbooks' Lambda client class, imported on first use: only the decision links of a waiting response look up the link function's URL. */
export const APPROVAL_LINK_LAMBDA: DeferredClientClass<'lambda'> = {
  deferred: () => import('../approval/lambda-sdk').then((sdk) => sdk.LambdaClient),
};
