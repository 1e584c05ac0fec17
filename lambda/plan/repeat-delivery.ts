import { CLAIM_UNAVAILABLE } from '../ledger/verdicts';
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
 * Whether the steps run for a delivery that cannot tell if another holds the incident: its claim could not be written
 * or answered (CLAIM_UNAVAILABLE), and no other blocking id says the change must not be made (the ledger's phase out of
 * time comes with it). Another delivery may have taken the claim over and be relying on the isolation this one sent.
 */
export function holderUnknown(blockedBy: readonly string[] | undefined): boolean {
  const ids = blockedBy ?? [];
  return ids.includes(CLAIM_UNAVAILABLE) && ids.every((id) => id === CLAIM_UNAVAILABLE || id === PHASE_OUT_OF_TIME.ledger);
}
