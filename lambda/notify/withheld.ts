import { isAwaitingApproval, isRefusedByPolicy } from '../approval/held';
import type { PlanDocument } from '../plan/document';
import type { StepOutcome } from '../plan/types';

/*
 * The changes a person's decision (or its absence) kept from being made, and
 * the outcome word that says so. A response whose changes needed approval
 * still runs its evidence steps (snapshots, termination protection), which
 * change the account: without this, a denial, a stand-down, an approved
 * change the policy now says `never` to, or a run that could not wait would
 * read DONE. The word names why the changes were not made, then whether any
 * change of a class the policy governs was made all the same (PARTLY
 * CONTAINED: an isolation it lets run at once, say) or none (NOT CONTAINED).
 */

type Withheld = 'DENIED' | 'STOOD DOWN' | 'POLICY SAYS NEVER' | 'NEEDS APPROVAL';
export type WithheldOutcome = `${Withheld} - ${'NOT' | 'PARTLY'} CONTAINED`;

/** The ids of the changes that were not made for want of an approval: awaiting one, denied, stood down, refused by the policy. */
export function withheldChanges(doc: Pick<PlanDocument, 'approval'>, outcomes: readonly StepOutcome[]): ReadonlySet<string> {
  const decided = doc.approval && doc.approval.status !== 'approved' && doc.approval.status !== 'timed-out-acted' ? new Set(doc.approval.steps) : new Set<string>();
  return new Set(outcomes.filter((o) => o.status === 'skipped' && (decided.has(o.id) || isAwaitingApproval(o.reason) || isRefusedByPolicy(o.reason))).map((o) => o.id));
}

function whyWithheld(doc: Pick<PlanDocument, 'approval'>, outcomes: readonly StepOutcome[]): Withheld | undefined {
  switch (doc.approval?.status) {
    case 'denied':
      return 'DENIED';
    case 'timed-out-stood-down':
      return 'STOOD DOWN';
    case 'cannot-wait':
      return 'NEEDS APPROVAL';
    case 'approved':
    case 'timed-out-acted': {
      // An approved change the policy now says `never` to (lambda/respond/resume.ts): not made.
      const decided = new Set(doc.approval.steps);
      return outcomes.some((o) => decided.has(o.id) && o.status === 'skipped' && isRefusedByPolicy(o.reason)) ? 'POLICY SAYS NEVER' : undefined;
    }
    default:
      return undefined;
  }
}

/** The outcome of a response whose changes needing approval were not made; undefined when they were (or none needed one). */
export function withheldOutcome(doc: Pick<PlanDocument, 'approval' | 'steps'>, outcomes: readonly StepOutcome[]): WithheldOutcome | undefined {
  const why = whyWithheld(doc, outcomes);
  if (!why) return undefined;
  // A change of a class the policy governs carries its decision (lambda/approval/annotate.ts); evidence and bookkeeping carry none.
  const governed = new Set(doc.steps.filter((s) => s.approval !== undefined).map((s) => s.id));
  const made = outcomes.some((o) => o.status === 'done' && governed.has(o.id));
  return `${why} - ${made ? 'PARTLY' : 'NOT'} CONTAINED`;
}
