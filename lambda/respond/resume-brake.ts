import { block, type GuardVerdict } from '../guards/types';
import { changedAccount } from '../ledger/answered';
import type { ContainmentBrake, Reservation } from '../ledger/brake';
import { brakeVerdictReason } from '../ledger/brake-verdict';
import { RESERVE_CONTAINMENT } from '../ledger/specs';
import { BLAST_RADIUS_BRAKE, LEDGER_UNAVAILABLE } from '../ledger/verdicts';
import type { Report } from '../plan/document';
import { ReadLog } from '../plan/reads';
import type { StepOutcome } from '../plan/types';
import type { PlaybookName } from '../routing/playbook-names';

/*
 * The blast-radius brake (lambda/ledger/brake.ts) for the act a decision or a
 * deadline resumes (lambda/respond/resume.ts). The first act's brake is the
 * incident gate's (lambda/respond/gate.ts); the resume has no incident claim
 * (the request, taken once, is its right to act), so it takes the brake here.
 * Without it a flood of approvals (one person rubber-stamping every request,
 * perhaps about forged findings) or of deadlines set to act would change more
 * resources an hour than blastRadius.maxContainmentsPerHour, or act while the
 * brake is latched.
 *
 * - A latched brake refuses the resumed act, even when the incident still holds
 *   the slot of its first act (reserve's latchBindsOwn): the approved changes
 *   are new ones, decided by one person, and the latch is the stop for exactly
 *   that. The caller gives the request back to the people (PendingApprovals.reopenAfterBrake), as a
 *   new wait with a new deadline and escalation (resume.ts reopenHeld).
 * - Not latched: the incident's own slot of the hour, when its first act holds
 *   one, is taken over (one incident is never counted twice); else a new slot is
 *   reserved. No slot left: the brake latches, as for any acting response.
 * - A brake that cannot be read refuses too (fail closed).
 * - A new slot is given back when none of the resumed changes ran.
 */

export interface ResumeBrakeHold {
  /** BLAST_RADIUS_BRAKE or LEDGER_UNAVAILABLE when the brake refuses the act; empty when it may act. */
  readonly verdicts: GuardVerdict[];
  /** The reservation's call, for the report's reads. */
  readonly reads: StepOutcome[];
  /** The brake refused: nothing may change, and the request waits for a person again. */
  readonly refused: boolean;
  /** After the report: a slot this act reserved itself goes back when none of the given steps changed the account. */
  readonly settle: (report: Report, resumedStepIds: ReadonlySet<string>) => Promise<void>;
}

export async function holdResumeBrake(brake: ContainmentBrake, holder: { readonly incidentId: string; readonly findingId: string; readonly playbook: PlaybookName }): Promise<ResumeBrakeHold> {
  const reads = new ReadLog();
  const reserved = await reads.read(RESERVE_CONTAINMENT, `Reserve one of the ${brake.maxPerHour} containments of the hour for the approved changes (blast-radius brake)`, brake.tableName, () =>
    brake.reserve(holder, { latchBindsOwn: true }),
  );
  const nothingToSettle = async (): Promise<void> => undefined;
  if (!reserved.ok) {
    const verdict = block(LEDGER_UNAVAILABLE, `the blast-radius brake could not be checked (${reserved.error.code}): the approved changes are not made until it can`);
    return { verdicts: [verdict], reads: reads.outcomes, refused: true, settle: nothingToSettle };
  }
  const reservation: Reservation = reserved.value;
  if (reservation.status === 'full') {
    const engagement = await brake.engage(reservation, holder);
    return { verdicts: [block(BLAST_RADIUS_BRAKE, brakeVerdictReason(reservation, engagement))], reads: reads.outcomes, refused: true, settle: nothingToSettle };
  }
  const settle = async (report: Report, resumedStepIds: ReadonlySet<string>): Promise<void> => {
    if (reservation.reusedOwn) return;
    const resumed = { ...report, steps: report.steps.filter((s) => resumedStepIds.has(s.id)) };
    if (!changedAccount(resumed)) await brake.release(reservation);
  };
  return { verdicts: [], reads: reads.outcomes, refused: false, settle };
}
