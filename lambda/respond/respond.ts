import type { AccountAccess } from '../aws/account-access';
import { archiveGuardDutyFinding } from '../close-loop/archiver';
import { startConfirmation } from '../confirm/confirmation';
import type { AwsClients } from '../aws/clients';
import type { Finding } from '../finding/schema';
import type { Report } from '../plan/document';
import { PLAYBOOKS } from '../playbooks/registry';
import type { PreparedPlan, RespondOptions } from './options';
import { preparePlanWith, respondWith } from './respond-with';

export type { PreparedPlan, RespondOptions } from './options';
export { executePrepared } from './execute';

/* The response path (respond-with.ts) with every playbook, GuardDuty's confirmation and its archive: for `ir`, the demo and the tests. */

export function preparePlan(finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  return preparePlanWith(PLAYBOOKS, finding, { confirmFinding: startConfirmation, archiveFinding: archiveGuardDutyFinding, ...options });
}

export function respond(finding: Finding, options: RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess })): Promise<Report> {
  return respondWith(PLAYBOOKS, finding, { confirmFinding: startConfirmation, archiveFinding: archiveGuardDutyFinding, ...options });
}
