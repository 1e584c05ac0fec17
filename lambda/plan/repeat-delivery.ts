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
