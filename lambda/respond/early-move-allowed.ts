import { evaluateApproval } from '../approval/evaluate';
import { findingInstanceTags } from '../finding/accessors';
import { blockingGuardIds } from '../guards';
import type { EarlyMoveGate } from '../playbooks/types';
import { answersLevel } from '../ledger/incident-ledger';
import { guardsOf, type AccountReached, type ResponseStart } from './begin';
import { brakeFullRecently } from './brake-memory';
import type { RespondOptions } from './options';

/*
 * Whether a response may send a change before any read (contain-instance's
 * early move, lambda/playbooks/contain-instance/early/): only when nothing
 * known before any call says stop. What is checked here would have stopped
 * the moves anyway, so it is never left to an undo. Once the first reads are
 * in, the gate is asked again (GuardDuty's confirmation, answered beside
 * them, and the guards on the instance's own tags): no further move goes out
 * if it says stop. The ledger's claim and brake and the restore record are
 * answered beside the moves, and undo them if they say stop.
 */
export function earlyMoveAllowed(begun: ResponseStart & Pick<AccountReached, 'opening'>, options: RespondOptions): EarlyMoveGate | undefined {
  return mayMoveEarly(begun, options) ? gateOf(begun, options) : undefined;
}

/** GuardDuty's answer and the guards on the resource's own tags, once the first reads are in. */
function gateOf(begun: ResponseStart & Pick<AccountReached, 'opening'>, options: RespondOptions): EarlyMoveGate {
  return {
    mayMoveByReadId: () => mayMoveByReadId(begun.opening, options).catch(() => false),
    respondingAt: begun.planning.now,
    isolationSent: () => begun.isolationFirst.movesSent(),
    afterIsolationSent: begun.isolationFirst.cleared,
    async mayContinue(resourceTags) {
      const confirmation = (await begun.confirmation) ?? [];
      return blockingGuardIds([...guardsOf(begun, options, resourceTags, []), ...confirmation]).length === 0;
    },
  };
}

function mayMoveEarly(begun: ResponseStart, options: RespondOptions): boolean {
  if (!options.earlyMove || options.dryRun || !begun.playbook.discoverStaged) return false;
  // This container found the blast-radius brake full within its hour: no move before the brake is read (brake-memory.ts).
  if (brakeFullRecently(Date.now())) return false;
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

/**
 * The resource's pointer answers beside the instance's read, and a delivery that joins an incident has its claim's
 * answer by then too (open-incident.ts awaits it). The moves by ENI id are not sent when the incident is answered at
 * this level, or held by a delivery that acts on it (claimActing: GuardDuty confirmed it): that delivery isolates the
 * instance, and a second set of moves would pass an isolated interface through the allow-all group. An early claim
 * that is not acting does not hold them back: it may be a forged copy's, which the gate takes over (gate.ts
 * holdToAct), and it must not cost the genuine delivery its moves. The pointer failed: no move (the gate blocks every
 * change when the ledger cannot be written).
 */
async function mayMoveByReadId(opening: AccountReached['opening'], options: RespondOptions): Promise<boolean> {
  const opened = await opening;
  if (!opened || opened.mayHold) return true;
  const claim = await opened.claim;
  if (!claim.ok) return false;
  if (claim.value.status === 'claimed') return true;
  const { record } = claim.value;
  return !(options.ledger && answersLevel(record, options.ledger.level)) && !record.claimActing;
}
