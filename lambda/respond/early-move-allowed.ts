import { evaluateApproval } from '../approval/evaluate';
import { findingInstanceTags } from '../finding/accessors';
import { blockingGuardIds } from '../guards';
import { guardsOf, type Begun } from './begin';
import type { RespondOptions } from './options';

/*
 * Whether a response may send a change before any read (contain-instance's
 * early move, lambda/playbooks/contain-instance/early/): only when nothing
 * known before any call says stop. Everything else (GuardDuty's
 * confirmation, the ledger's claim and brake, the instance's own tags,
 * the restore record) is checked beside the moves, and undoes them if it
 * says stop; what is checked here would have stopped them anyway, so it is
 * never left to an undo.
 */
export function earlyMoveAllowed(begun: Begun, options: RespondOptions): boolean {
  if (!options.earlyMove || options.dryRun || !begun.playbook.discoverStaged) return false;
  const { finding } = begun.planning;
  const tags = findingInstanceTags(finding);
  // The finding's own guards (dry-run, sample, archived, severity, the exempt tag as the finding shows it, the account) and the account's.
  if (blockingGuardIds(guardsOf(begun, options, tags, [])).length > 0) return false;
  const policy = options.config.approval;
  if (!policy) return true;
  // Isolation must wait for no one; a rule on tags could make it wait once the instance's own tags are read: no early move then.
  if (policy.rules.some((rule) => rule.match?.tags !== undefined)) return false;
  return evaluateApproval(policy, { changeClass: 'isolate', accountId: finding.accountId ?? null, severity: finding.severity, tags }).mode === 'auto';
}
