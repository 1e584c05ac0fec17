/*
 * The phases of a response before its plan runs, and the blocking verdict
 * each gives when it runs out of its time (lambda/plan/pre-plan-budget.ts).
 * Ids only, apart from the budget's code: the retry policy, the ledger's
 * answer and the notification read them too.
 */

export const PRE_PLAN_PHASES = ['ledger', 'assume-role', 'confirmation', 'discovery'] as const;
export type PrePlanPhase = (typeof PRE_PLAN_PHASES)[number];

/** The verdict of a phase that ran out of time: not lasting (a retry acts), and nothing was decided (the incident stays open). */
export const PHASE_OUT_OF_TIME: Readonly<Record<PrePlanPhase, string>> = {
  ledger: 'ledger-out-of-time',
  'assume-role': 'assume-role-out-of-time',
  confirmation: 'confirmation-out-of-time',
  discovery: 'discovery-out-of-time',
};

export const PHASE_OUT_OF_TIME_VERDICTS: ReadonlySet<string> = new Set(Object.values(PHASE_OUT_OF_TIME));

/** The phases whose out-of-time verdict is among these ids, in phase order. */
export function phasesOutOfTime(verdictIds: readonly string[]): PrePlanPhase[] {
  return PRE_PLAN_PHASES.filter((phase) => verdictIds.includes(PHASE_OUT_OF_TIME[phase]));
}
