import { evaluateApproval } from '../approval/evaluate';
import { findingInstanceTags } from '../finding/accessors';
import { blockingGuardIds } from '../guards';
import type { EarlyMoveGate } from '../playbooks/types';
import { EARLY_CLAIM_GRACE_MS } from '../ledger/incident-ledger';
import type { Finding } from '../finding/schema';
import type { GuardVerdict } from '../guards/types';
import { guardsOf, type AccountReached, type ResponseStart, type Routed } from './begin';
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
    mayMoveByReadId: () => mayMoveByReadId(begun.opening).catch(() => false),
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
  return findingAllowsEarlyMove(begun, begun.planning.finding, options, begun.account.verdicts);
}

/**
 * Whether nothing known before any call stops a move before the reads: the finding's own guards (dry-run, sample,
 * archived, severity, the exempt tag as the finding shows it, the account), this container's memory of a full brake,
 * the approval policy, and the account's verdicts once it is reached (none before: the claim is sent then, marked
 * with this, lambda/respond/begin.ts reachAccount).
 */
export function findingAllowsEarlyMove(routed: Pick<Routed, 'route' | 'playbook'>, finding: Finding, options: RespondOptions, accountVerdicts: readonly GuardVerdict[] = []): boolean {
  if (!options.earlyMove || options.dryRun || !routed.playbook.discoverStaged) return false;
  // This container found the blast-radius brake full within its hour: no move before the brake is read (brake-memory.ts).
  if (brakeFullRecently(Date.now())) return false;
  const tags = findingInstanceTags(finding);
  if (blockingGuardIds(guardsOf({ planning: { finding }, route: routed.route, account: { verdicts: accountVerdicts } }, options, tags, [])).length > 0) return false;
  const policy = options.config.approval;
  if (!policy) return true;
  // Isolation must wait for no one; a rule on tags could make it wait once the instance's own tags are read: no early move then.
  if (policy.rules.some((rule) => rule.match?.tags !== undefined)) return false;
  return evaluateApproval(policy, { changeClass: 'isolate', accountId: finding.accountId ?? null, severity: finding.severity, tags }).mode === 'auto';
}

/**
 * Who sends moves by ENI id, beside the checks: only a delivery that no other can be moving the same interfaces
 * beside. Two deliveries of one finding read the instance at the same moment; if both moved, the second set of moves
 * would pass interfaces the first had isolated through the allow-all group again.
 * - With resource incidents: only the delivery that opened the incident (the pointer's conditional write, which one
 *   delivery alone wins), and only while it may hold the claim: its claim answered 'claimed', or not answered yet and
 *   sent less than half the grace ago. A delivery that joined one sends none, whatever it finds:
 *   it isolates on the normal path if it comes to act (after the holder's EARLY_CLAIM_GRACE_MS, when it takes an early
 *   claim over), and reads the interfaces' groups again before it moves them (steps/isolate.ts).
 * - Without them: only a delivery whose own claim was answered 'claimed' (the claim goes out with the reads).
 * - No ledger: no claim to decide, as for `ir respond`.
 * The pointer or the claim failed: no move (the gate blocks every change when the ledger cannot be written).
 */
async function mayMoveByReadId(opening: AccountReached['opening']): Promise<boolean> {
  const opened = await opening;
  if (!opened) return true;
  if (opened.resource !== undefined && !opened.openedHere) return false;
  // The claim, answered by now: this delivery moves only if it holds it (a joiner's claim may have landed before the opener's).
  const answer = opened.claimAnswer();
  if (answer) return answer.ok && answer.value.status === 'claimed';
  // The opener's claim still in flight, sent moments ago: no delivery may take it over before its grace
  // (EARLY_CLAIM_GRACE_MS) ends, and these moves are answered long before that. Sent longer ago (slow reads): its answer decides.
  if (opened.openedHere && Date.now() - opened.claimSentAtMs < EARLY_CLAIM_GRACE_MS / 2) return true;
  const claim = await opened.claim;
  return claim.ok && claim.value.status === 'claimed';
}
