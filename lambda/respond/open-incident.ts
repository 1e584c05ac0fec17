import type { Finding } from '../finding/schema';
import { joinableAnswer } from '../ledger/answered';
import { answersLevel, claimTokenOf, EARLY_CLAIM_GRACE_MS, INCIDENT_KEY_PREFIX, isIncidentFinding, type Claim } from '../ledger/incident-ledger';
import { incidentResourceOf } from '../ledger/incident-resource';
import { resourceKey, type ResourceIncident } from '../ledger/resource-incidents';
import { CLAIM_INCIDENT } from '../ledger/specs';
import type { PhaseBound } from '../plan/pre-plan-budget';
import { ReadLog, type ReadResult } from '../plan/reads';
import type { PlaybookName } from '../routing/playbook-names';
import type { LedgerOptions } from './gate';
import { incidentIdOf } from './incident-id';

/*
 * Which incident a delivery belongs to, and its claim: the first thing the
 * ledger is asked, before planning (the plan tags snapshots and files evidence
 * under the incident's id).
 *
 * A finding about a resource opens that resource's incident or joins the one
 * open for it (lambda/ledger/resource-incidents.ts), then claims it like any
 * incident: a joined incident nobody has answered yet is claimed and answered
 * by this delivery, as the first would. One answered with no change needed
 * (lambda/ledger/answered.ts: a guard decided, say the severity floor of a
 * low finding) is not joined by another finding: the resource gets a new
 * incident and the finding is decided on its own, so no finding, of whatever
 * severity, can spare a later one about the same resource its response.
 */

export interface OpenedIncident {
  readonly incidentId: string;
  /** The resource the incident is about; undefined: the finding's own incident (notify, no resource). */
  readonly resource: string | undefined;
  /** The claim's reads (the resource's pointer, the claim): reported with the response's other reads. */
  readonly reads: ReadLog;
  /** The claim, still in flight where nothing waits for it (the brake's reservation starts alongside). */
  readonly claim: Promise<ReadResult<Claim>>;
  /** False: known already that this delivery does not hold the claim (it joins an incident), so it reserves nothing. */
  readonly mayHold: boolean;
  /**
   * This delivery opened its resource's incident (the pointer's conditional write made it, so no other delivery did):
   * it alone may move the resource before its claim is answered (the moves by ENI id, early-move-allowed.ts). False
   * for one that joined an incident, and without resource incidents, where the claim's answer decides.
   */
  readonly openedHere: boolean;
  /**
   * The claim's answer if it is in by now (undefined: still in flight), and when it was sent: the opener moves beside a
   * claim not yet answered only while no other delivery can have taken the incident over (early-move-allowed.ts).
   */
  readonly claimAnswer: () => ReadResult<Claim> | undefined;
  readonly claimSentAtMs: number;
  /**
   * For a delivery that joined an incident another opened: until when the opener may still be moving the resource beside
   * its claim (the incident's opening and EARLY_CLAIM_GRACE_MS, on the opener's clock, never more than the grace from now).
   */
  readonly othersMoveUntilMs?: number;
  /** The token of the claim this delivery sent (absent: none sent): a claim not answered in time may have landed, and is given back with it. */
  readonly claimToken?: string;
}

/** `phase` bounds the ledger's calls (lambda/plan/pre-plan-budget.ts): a pointer or claim not answered by its cut-off fails as a read. */
/**
 * `movesEarly`: this delivery may move the resource beside its claim (nothing known from the finding alone stops it:
 * early-move-allowed.ts findingAllowsEarlyMove). The claim of an opener that may is marked so (ClaimInput.movesEarly);
 * one that never will (below the severity floor, a dry-run) leaves a claim any acting delivery takes over at once.
 */
export async function openIncident(options: LedgerOptions, finding: Finding, playbook: PlaybookName, phase?: PhaseBound, movesEarly = false): Promise<OpenedIncident> {
  const reads = new ReadLog(phase);
  const ownId = incidentIdOf(finding);
  const resource = options.incidents ? incidentResourceOf(finding, playbook) : undefined;
  if (!options.incidents || resource === undefined) {
    // Without resource incidents, the holder of this claim moves beside it (early-move-allowed.ts).
    return inFlight(ownId, undefined, reads, claimOf(options, reads, finding, ownId, undefined, movesEarly), false);
  }
  const { store, joinWindowMs } = options.incidents;
  const target = resourceKey(resource).pk!.S!;
  const pointer = (replacing?: string) =>
    reads.read(CLAIM_INCIDENT, `Open the incident of ${resource}, or join the one open for it`, target, () =>
      store.open({ resource, findingId: finding.id, proposedId: ownId, windowMs: joinWindowMs, ...(replacing ? { replacing } : {}) }),
    );
  const failed = (result: ReadResult<unknown> & { ok: false }): OpenedIncident => ({
    incidentId: ownId,
    resource,
    reads,
    claim: Promise.resolve(result),
    mayHold: false,
    openedHere: false,
    claimAnswer: () => result,
    claimSentAtMs: Date.now(),
  });
  const opened = await pointer();
  if (!opened.ok) return failed(opened);
  const known = (incidentId: string, claim: ReadResult<Claim>, sent: SentClaim, pointer: ResourceIncident): OpenedIncident => ({
    incidentId,
    resource,
    reads,
    claim: Promise.resolve(claim),
    mayHold: claim.ok && claim.value.status === 'claimed',
    openedHere: pointer.opened,
    claimToken: sent.token,
    claimAnswer: () => claim,
    claimSentAtMs: sent.sentAtMs,
    ...(pointer.opened ? {} : { othersMoveUntilMs: othersMoveUntil(pointer) }),
  });
  // This finding opened the incident: there is nothing to decide about joining, the claim runs beside the brake.
  if (opened.value.opened) {
    return inFlight(opened.value.incidentId, resource, reads, claimOf(options, reads, finding, opened.value.incidentId, resource, movesEarly), true);
  }
  const first = claimOf(options, reads, finding, opened.value.incidentId, resource, false);
  const claim = await first.claim;
  if (!mustNotJoin(options, finding, opened.value, claim)) return known(opened.value.incidentId, claim, first, opened.value);
  const replaced = await pointer(opened.value.incidentId);
  if (!replaced.ok) return failed(replaced);
  const again = claimOf(options, reads, finding, replaced.value.incidentId, resource, replaced.value.opened && movesEarly);
  return known(replaced.value.incidentId, await again.claim, again, replaced.value);
}

/** A claim sent and not awaited: the brake's reservation and the moves go beside it. */
function inFlight(incidentId: string, resource: string | undefined, reads: ReadLog, sent: SentClaim, openedHere: boolean): OpenedIncident {
  return { incidentId, resource, reads, claim: sent.claim, mayHold: true, openedHere, claimToken: sent.token, claimAnswer: sent.answer, claimSentAtMs: sent.sentAtMs };
}

/** A claim sent: its answer (and, peeked, once in), its token and when it went out. */
interface SentClaim {
  readonly claim: Promise<ReadResult<Claim>>;
  readonly token: string;
  readonly sentAtMs: number;
  readonly answer: () => ReadResult<Claim> | undefined;
}

/** The claim, sent with a token chosen here: known even when no answer comes. */
function claimOf(
  options: LedgerOptions,
  reads: ReadLog,
  finding: Finding,
  incidentId: string,
  resource: string | undefined,
  movesEarly: boolean,
): SentClaim {
  const token = claimTokenOf(options.deliveryId);
  const claim = reads.read(CLAIM_INCIDENT, `Claim incident ${incidentId} in the ledger`, `${INCIDENT_KEY_PREFIX}${incidentId}`, () =>
    options.ledger.claim({
      finding,
      incidentId,
      level: options.level,
      leaseMs: options.leaseMs,
      token,
      ...(movesEarly ? { movesEarly } : {}),
      ...(options.deliveryId ? { deliveryId: options.deliveryId } : {}),
      ...(resource !== undefined ? { resource } : {}),
    }),
  );
  let answer: ReadResult<Claim> | undefined;
  void claim.then((result) => {
    answer = result;
  });
  return { claim, token, sentAtMs: Date.now(), answer: () => answer };
}

/** Until when the delivery that opened the incident may still be moving beside its claim: its opening plus the grace, capped. */
function othersMoveUntil(pointer: ResourceIncident): number {
  const openedAtMs = Date.parse(pointer.openedAt ?? '');
  const nowMs = Date.now();
  if (!Number.isFinite(openedAtMs)) return nowMs + EARLY_CLAIM_GRACE_MS;
  return Math.min(nowMs + EARLY_CLAIM_GRACE_MS, openedAtMs + EARLY_CLAIM_GRACE_MS);
}

/**
 * The joined incident was answered, at this level, with no change needed (or before answers were recorded
 * with their kind), and this finding is not one of its own: it gets an incident of its own instead.
 */
function mustNotJoin(options: LedgerOptions, finding: Finding, opened: ResourceIncident, claim: ReadResult<Claim>): boolean {
  if (opened.opened || !claim.ok || claim.value.status !== 'already-claimed') return false;
  const { record } = claim.value;
  if (!answersLevel(record, options.level) || isIncidentFinding(record, finding.id)) return false;
  return !joinableAnswer(record.answerKind);
}
