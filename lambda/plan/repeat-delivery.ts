import { LEDGER_UNAVAILABLE } from '../ledger/verdicts';
import { PHASE_OUT_OF_TIME } from './phase-verdicts';

/*
 * The blocking id under which a delivery that lost the incident's claim (or
 * found it answered) runs the steps of the changes it sent before the claim
 * was answered (PlannedStep.earlyChange; lambda/respond/phases.ts). Such a
 * step must never undo what the holder of the claim relies on: it leaves the
 * resource to the holder, closed, and never puts it back as it was found.
 */
export const REPEAT_DELIVERY = 'incident-already-answered';

/** Whether the steps run for a delivery that does not hold the incident (REPEAT_DELIVERY among the blocking ids). */
export function isRepeatDelivery(blockedBy: readonly string[] | undefined): boolean {
  return blockedBy?.includes(REPEAT_DELIVERY) ?? false;
}

/**
 * Whether the steps run for a delivery that cannot tell if another holds the incident: every blocking id says the ledger
 * could not be written or read in time (LEDGER_UNAVAILABLE, the ledger phase out of its time), none says the change
 * must not be made. Another delivery may have taken the claim over and be relying on the isolation this one sent; an
 * early change is then left as the holder would want it (closed), never put back, as for REPEAT_DELIVERY.
 */
export function holderUnknown(blockedBy: readonly string[] | undefined): boolean {
  return (blockedBy ?? []).length > 0 && (blockedBy ?? []).every((id) => id === LEDGER_UNAVAILABLE || id === PHASE_OUT_OF_TIME.ledger);
}
