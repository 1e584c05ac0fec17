import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { sdkLinkMaker } from '../approval/sdk-link-maker';
import { sdkScheduleWriter } from '../approval/scheduler-writer';
import { archiveGuardDutyFinding } from '../close-loop/archiver';
import { startConfirmation } from '../confirm/confirmation';
import { APPROVAL_LINK_LAMBDA, APPROVAL_SCHEDULER } from './approval-scheduler';
import { SECURITY_HUB_CLIENT } from './security-hub-client';

/*
 * What the entry point of every playbook that acts carries besides its own
 * clients: the finding confirmed with GuardDuty before acting, the response
 * noted in Security Hub and the finding archived after it, and the approval
 * wait's schedules and decision links. Those loaded on first use (Security
 * Hub, Scheduler, Lambda) stay out of the bundle's init as before
 * (test/support/playbook-entries.ts FIRST_USE_SERVICES).
 */

export const ACTING_CLIENTS = {
  // Confirms the finding before acting (lambda/confirm/).
  guardDuty: GuardDutyClient,
  // Notes the response on the finding in Security Hub, after containment (lambda/close-loop/).
  securityHub: SECURITY_HUB_CLIENT,
  // Writes the schedules of a response that waits for a decision (lambda/approval/scheduler-writer.ts), on first use.
  scheduler: APPROVAL_SCHEDULER,
  // Finds the approval link function's URL for the decision links (lambda/approval/link-url.ts), on first use.
  lambda: APPROVAL_LINK_LAMBDA,
} as const;

export const ACTING_HOOKS = {
  confirmFinding: startConfirmation,
  archiveFinding: archiveGuardDutyFinding,
  scheduleWriter: sdkScheduleWriter,
  linkMaker: sdkLinkMaker,
} as const;
