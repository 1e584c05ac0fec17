import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { Finding } from '../finding/schema';
import type { Report } from '../plan/document';
import type { PlaybookCatalog } from '../playbooks/types';
import type { PreparedPlan, RespondOptions } from './options';
import { prepareInPhases, respondInPhases } from './phases';

/*
 * The one path from a finding to a report, shared by the Lambda handlers and
 * the `ir` CLI: the phases of lambda/respond/phases.ts. Dry-run is this same
 * path with every mutating step blocked. The playbooks are the caller's: a
 * Lambda passes its own alone, so its bundle holds no other (respond.ts
 * passes every one).
 */

/** The plan, from every read (or from the finding alone, offline), not executed. */
export function preparePlanWith(playbooks: PlaybookCatalog, finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  return prepareInPhases(playbooks, finding, options);
}

/** Runs the whole path. Needs a way to the finding's account: `clients`, or `access`. */
export function respondWith(
  playbooks: PlaybookCatalog,
  finding: Finding,
  options: RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess }),
): Promise<Report> {
  return respondInPhases(playbooks, finding, options);
}
