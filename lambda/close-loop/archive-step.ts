import type { CloseLoopStepContext } from './step-context';
import type { FindingArchiver } from './archiver-type';
import { planStep, type PlannedStep, type StepRunResult } from '../plan/types';
import { containmentOf, type Containment } from './containment';
import { ARCHIVE_STEP_ID } from './ids';
import { localEmulatorGapOf } from '../aws/local-emulator-gaps';
import { ARCHIVE_GUARDDUTY_FINDING } from './specs';
import { configuredDetector, firstDetector } from '../confirm/detector';

/*
 * GuardDuty's finding archived once its containment is complete
 * (guardDuty.archiveAfterContainment, off by default): the analysts' queue
 * of active findings then holds what still needs a person. Never after a
 * partial containment: a failed change, a change not run, or a plan made
 * without one of its reads leaves the finding active, for people to see.
 * A failed read-only investigation after the changes does not: the
 * containment is done, and the notification names what could not be read.
 * In the security account, with the responder's own credentials: only
 * GuardDuty's administrator can archive a finding, its members cannot.
 */

export interface ArchiveStepInput extends CloseLoopStepContext {
  readonly callLimitMs: number;
  /** The archive's code, from the caller (archiver.ts): only the acting playbooks' bundles carry GuardDuty's. */
  readonly archiver: FindingArchiver;
}

function incompleteReason(containment: Containment): string {
  const parts = [
    ...(containment.failedChanges.length > 0 ? [`failed: ${containment.failedChanges.join(', ')}`] : []),
    ...(containment.notRun.length > 0 ? [`not run: ${containment.notRun.join(', ')}`] : []),
    ...(containment.failedReads.length > 0 ? [`failed reads: ${containment.failedReads.join(', ')}`] : []),
  ];
  const why = parts.length > 0 ? parts.join('; ') : 'the playbook planned no change';
  return `the containment is not complete (${why}): the finding stays active for the analysts`;
}

export function archiveStep(input: ArchiveStepInput): PlannedStep {
  const { finding, config, region } = input;
  const configured = configuredDetector(config.guardDuty, input.stackRegion, region ?? undefined);
  // As planned: the configured id where it applies and this container has not found it stale; the run may still find it
  // stale and archive in the one ListDetectors names (its detail says so).
  const first = configured && input.home && region ? firstDetector(input.home.guardDuty, region, configured) : undefined;
  const planned = first ? (first.source === 'configured' ? first.id : undefined) : configured?.id;
  return planStep(ARCHIVE_GUARDDUTY_FINDING, {
    id: ARCHIVE_STEP_ID,
    title: 'Archive the GuardDuty finding after a completed containment',
    action: 'guardduty:ArchiveFindings',
    target: `finding ${finding.id}`,
    parameters: {
      DetectorId: planned ?? `<the security account's detector in ${region ?? 'the region'} (ListDetectors)>`,
      FindingIds: [finding.id],
    },
    why: 'guardDuty.archiveAfterContainment: a contained finding leaves the queue of active findings; a partial containment never does',
    stage: input.stage,
    ownTimeLimitMs: input.callLimitMs,
    run: async (ctx): Promise<StepRunResult> => {
      const failedReads = input.document().reads.filter((r) => r.status === 'failed').map((r) => r.id);
      const containment = containmentOf(input.playbookSteps, ctx.outcomes, failedReads);
      if (!containment.complete) return { status: 'skipped', reason: incompleteReason(containment) };
      // A change moto cannot make: never tried on an emulator run, rather than relabelled after it failed (lambda/aws/local-emulator-gaps.ts).
      const notInEmulator = localEmulatorGapOf(config.localEmulator, 'guardduty:ArchiveFindings');
      if (notInEmulator) return { status: 'skipped', reason: notInEmulator };
      if (!input.home || !region) return { status: 'skipped', reason: 'planned offline: GuardDuty is not reached' };
      const archived = await input.archiver({ guardDuty: input.home.guardDuty, region, findingId: finding.id, configured });
      return { status: 'done', detail: `archived in detector ${archived.detectorId} (${region})${archived.staleNote ? `; ${archived.staleNote}` : ''}` };
    },
  });
}
