import type { Engagement, FullBrake } from './brake';

/*
 * The reason of the BLAST_RADIUS_BRAKE verdict: the first line of every
 * refused response's notification (lambda/notify/message.ts). It says that
 * the brake is latched, since when and why, and how an operator releases it.
 */

export const RELEASE_COMMAND = 'ir brake release --reason "<why>"';

export function brakeVerdictReason(full: FullBrake, engagement: Engagement | undefined): string {
  const latch = engagement?.status === 'latched' ? engagement.latch : full.latch;
  const refusal = 'A flood of findings must not isolate a fleet, so this one is planned but not executed.';
  const byHand = 'To act on this one by hand: ir respond <finding> --execute.';
  if (!latch) {
    // The latch could not be written: the hour's limit still refuses this one, and says so.
    const why = engagement?.status === 'failed' ? ` The brake could not be latched (${engagement.code}: ${engagement.message}).` : '';
    const frees = full.freesAt ? ` The next containment is possible from ${full.freesAt}.` : '';
    return `${full.limit} containments already started in the last hour (blastRadius.maxContainmentsPerHour). ${refusal}${why}${frees} ${byHand}`;
  }
  const announced =
    engagement?.status === 'latched' && engagement.engagedNow
      ? engagement.announcement?.status === 'failed'
        ? ` This response engaged it; the notification saying so could not be published (${engagement.announcement.code}).`
        : ' This response engaged it.'
      : '';
  return (
    `The blast-radius brake is LATCHED since ${latch.engagedAt}: ${latch.reason}.${announced} ${refusal} ` +
    `It stays engaged, whatever the hour, until an operator checks the incidents (ir brake status) and releases it: ${RELEASE_COMMAND}. ` +
    `Responses already holding a slot may finish. ${byHand}`
  );
}
