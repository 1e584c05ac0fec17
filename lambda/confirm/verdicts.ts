/* The guard verdicts of the GuardDuty confirmation (ids only: the retry policy and the notification read them too). */

/**
 * Whether GuardDuty holds the finding as delivered: a pass names what was
 * compared, a block what differs. A block is lasting: a retry asks the same
 * question and gets the same answer.
 */
export const FINDING_CONFIRMATION = 'finding-confirmation';

/** GuardDuty could not be asked (a failed read): nothing changes, and a retry may ask again. */
export const CONFIRMATION_UNAVAILABLE = 'confirmation-unavailable';

/** The confirmation's verdict among a response's guards, for the line every report and notification shows; absent when none was due (notify). */
export function confirmationVerdict<V extends { readonly id: string }>(guards: readonly V[]): V | undefined {
  return guards.find((g) => g.id === FINDING_CONFIRMATION || g.id === CONFIRMATION_UNAVAILABLE);
}

/** How the reason of a confirmed finding begins: every other verdict says why the finding is not confirmed. */
export const CONFIRMED_PREFIX = 'confirmed by GuardDuty';

export function isConfirmed(verdict: { readonly id: string; readonly blocks: boolean; readonly reason: string }): boolean {
  return verdict.id === FINDING_CONFIRMATION && !verdict.blocks && verdict.reason.startsWith(CONFIRMED_PREFIX);
}

/**
 * GuardDuty did not confirm this delivery: it blocked (FINDING_CONFIRMATION)
 * or could not be asked (CONFIRMATION_UNAVAILABLE). Such a delivery may be a
 * forged copy of a real finding (same id, sent by a direct Invoke or
 * PutEvents): it must not write the incident's record, its evidence or its
 * REPEAT note, which belong to the genuine delivery.
 */
export function isUnconfirmedDelivery(blockedBy: readonly string[]): boolean {
  return blockedBy.includes(FINDING_CONFIRMATION) || blockedBy.includes(CONFIRMATION_UNAVAILABLE);
}
