import type { CloseLoopStepContext } from './step-context';
import type { PlannedStep } from '../plan/types';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import { archiveStep } from './archive-step';
import type { FindingArchiver } from './archiver-type';
import type { OwedNotes } from './owed-notes';
import { securityHubStep } from './security-hub-step';

/*
 * Closing the loop where the analysts work: the steps that follow the
 * playbook's own, in the stage after its last, so they see every change's
 * real outcome (the executor starts a stage once every earlier one has
 * finished). The notification and the evidence come in the stage after
 * them, so the email and the report list them too.
 */

/**
 * How long each may take: the notification waits for them. Within the
 * deadline's overrun (lambda/plan/end-of-response.ts), since neither starts
 * after the deadline; up to three calls for the archive (ListDetectors first;
 * or a stale configured detector refused, ListDetectors, the archive again).
 */
export const CLOSE_LOOP_CALL_LIMIT_MS = 8_000;

export interface CloseLoopInput extends CloseLoopStepContext {
  readonly playbook: PlaybookName;
  readonly incidentId: string;
  readonly playbookSteps: readonly PlannedStep[];
  /** GuardDuty's archive (archiver.ts), from the caller: absent where the code carries none (notify's bundle). */
  readonly archiver: FindingArchiver | undefined;
  /** Where a note Security Hub cannot take yet is recorded as owed (owed-notes.ts); absent without a ledger. */
  readonly owedNotes?: OwedNotes | undefined;
}

/** The close-the-loop steps the configuration asks for: by default the Security Hub note (the GuardDuty archive is opt-in). */
export function closeLoopSteps(input: CloseLoopInput): PlannedStep[] {
  const playbookSteps = input.playbookSteps.map((s) => ({ id: s.id, mutating: s.mutating }));
  const { owedNotes, ...context } = input;
  const common = { ...context, playbookSteps, callLimitMs: CLOSE_LOOP_CALL_LIMIT_MS };
  const archives = input.config.guardDuty.archiveAfterContainment && actsInFindingAccount(input.playbook);
  // A packaging error, never a silent skip: an acting playbook's code must carry the archive the configuration asks for.
  if (archives && !input.archiver) throw new Error(`guardDuty.archiveAfterContainment is on, but this code carries no GuardDuty archive for ${input.playbook} (RespondOptions.archiveFinding)`);
  return [
    ...(input.config.securityHub.updateFindings ? [securityHubStep({ ...common, ...(owedNotes ? { owedNotes } : {}) })] : []),
    ...(archives && input.archiver ? [archiveStep({ ...common, archiver: input.archiver })] : []),
  ];
}
