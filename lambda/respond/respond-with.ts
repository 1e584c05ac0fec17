import type { AccountAccess } from '../aws/account-access';
import type { AwsClients } from '../aws/clients';
import type { Finding } from '../finding/schema';
import type { Report } from '../plan/document';
import type { PlaybookCatalog } from '../playbooks/types';
import { planFromFacts } from './assemble';
import { begin } from './begin';
import { executePrepared } from './execute';
import { discoveryContextOf, type PreparedPlan, type RespondOptions } from './options';
import { respondStaged } from './staged';

/*
 * The one path from a finding to a report, shared by the Lambda handlers and
 * the `ir` CLI: route, reach the finding's account, read, guard, plan, then
 * (unless only planning) execute. Dry-run is this same path with every
 * mutating step blocked. The playbooks are the caller's: a Lambda passes its
 * own alone, so its bundle holds no other (respond.ts passes every one).
 */

/** The plan, from every read (or from the finding alone, offline), not executed. */
export async function preparePlanWith(playbooks: PlaybookCatalog, finding: Finding, options: RespondOptions): Promise<PreparedPlan> {
  const begun = await begin(playbooks, finding, options);
  const { clients } = begun.account;
  const facts = clients ? await begun.playbook.discover(finding, clients, begun.reads, discoveryContextOf(options)) : begun.playbook.offlineFacts(finding);
  return planFromFacts(begun, options, facts);
}

/** Runs the whole path. Needs a way to the finding's account: `clients`, or `access`. */
export async function respondWith(
  playbooks: PlaybookCatalog,
  finding: Finding,
  options: RespondOptions & ({ readonly clients: AwsClients } | { readonly access: AccountAccess }),
): Promise<Report> {
  const begun = await begin(playbooks, finding, options);
  const executionClients = begun.account.executionClients ?? options.clients;
  if (!executionClients) throw new Error('respond needs clients or access');
  const readClients = begun.account.clients;
  if (readClients && begun.playbook.discoverStaged) return respondStaged(begun, options, readClients, executionClients);
  const facts = readClients ? await begun.playbook.discover(finding, readClients, begun.reads, discoveryContextOf(options)) : begun.playbook.offlineFacts(finding);
  return executePrepared(await planFromFacts(begun, options, facts), executionClients, options.now, options.deadlineMs);
}
