import type { BatchUpdateFindingsCommandInput, BatchUpdateFindingsResponse } from '@aws-sdk/client-securityhub';
import { ResponderError, toStepError } from '../aws/errors';
import type { WorkflowStatus } from '../config/schema';
import type { CloseLoopStepContext } from './step-context';
import { planStep, type PlannedStep, type StepRunResult } from '../plan/types';
import { actsInFindingAccount, type PlaybookName } from '../routing/playbook-names';
import { containmentOf } from './containment';
import { securityHubIdentifierOf, type FindingIdentifier } from './finding-identifier';
import { SECURITY_HUB_STEP_ID } from './ids';
import { localEmulatorGapOf } from '../aws/local-emulator-gaps';
import { noteAuthorOf, noteTextOf } from './note-text';
import type { OweOutcome, OwedNotes } from './owed-notes';
import { UPDATE_SECURITY_HUB_FINDING } from './specs';

/*
 * The finding's Security Hub counterpart gets a note with the incident id
 * and the outcome, and (when the response changed something) the configured
 * workflow status, with BatchUpdateFindings in the security account: as
 * Security Hub's administrator it updates its member accounts' findings,
 * which the product ARN and the finding's ARN name (finding-identifier.ts).
 * The member role is never used for it: the attacker may hold the member
 * account, and that account's Security Hub is not where the analysts work.
 */

/** What Security Hub answers when it is not enabled in the account and region. */
const NOT_ENABLED_CODES: ReadonlySet<string> = new Set(['InvalidAccessException']);

/** Unprocessed-finding codes a later attempt can get past. */
const TRANSIENT_UNPROCESSED: ReadonlySet<string> = new Set(['ConcurrentUpdateError', 'InternalFailure']);

export interface SecurityHubStepInput extends CloseLoopStepContext {
  readonly playbook: PlaybookName;
  readonly incidentId: string;
  /** The step bounds its call to this (the notification waits for it). */
  readonly callLimitMs: number;
  /**
   * Where a note Security Hub cannot take yet is recorded as owed (the incident ledger), to be written when Security Hub
   * imports the finding (deliver-owed-notes.ts). Absent (no ledger: a dry-run `ir respond`, a test): the note is only skipped.
   */
  readonly owedNotes?: OwedNotes;
}

function identifierOrError(input: SecurityHubStepInput): { identifier: FindingIdentifier | undefined } | { error: unknown } {
  try {
    return { identifier: securityHubIdentifierOf(input.finding, input.region) };
  } catch (error) {
    return { error };
  }
}

/** The request as it will be sent, with the note and the status as the outcome will have them. */
function requestOf(identifier: FindingIdentifier, text: string, author: string, status: WorkflowStatus | undefined): BatchUpdateFindingsCommandInput {
  return { FindingIdentifiers: [identifier], Note: { Text: text, UpdatedBy: author }, ...(status ? { Workflow: { Status: status } } : {}) };
}

/*
 * GuardDuty sends a new finding to Security Hub within about 5 minutes, and
 * the responder answers within seconds: on a finding's first response
 * Security Hub usually does not hold it yet. That is the expected race, not
 * a change that could not be made, so it is a skip that says so (in the
 * report and the email), never a FAILED in every fresh finding's subject,
 * which would teach people to ignore the word.
 */
const NOT_IMPORTED_YET = 'FindingNotFound';

function unprocessedOutcome(response: BatchUpdateFindingsResponse): { notImported: string } | { error: ResponderError } | undefined {
  const [first] = response.UnprocessedFindings ?? [];
  if (!first) return undefined;
  const code = first.ErrorCode ?? 'UnprocessedFinding';
  if (code === NOT_IMPORTED_YET) return { notImported: `${code}: ${first.ErrorMessage ?? code}` };
  return { error: new ResponderError(code, `Security Hub did not update the finding: ${first.ErrorMessage ?? code}`, TRANSIENT_UNPROCESSED.has(code)) };
}

const NOT_HELD_YET = 'Security Hub does not hold the finding yet';
const IMPORT_DELAY = 'GuardDuty sends a new finding to Security Hub within about 5 minutes, and only with the GuardDuty integration on';

/**
 * The note Security Hub could not take yet: recorded as owed in the ledger, so that it is written when Security Hub
 * imports the finding. A skip either way (the expected race); a failed record fails the step, with the AWS code:
 * without it the note would never arrive.
 */
async function oweNote(input: SecurityHubStepInput, request: BatchUpdateFindingsCommandInput, answer: string): Promise<StepRunResult> {
  if (!input.owedNotes) {
    return { status: 'skipped', reason: `${NOT_HELD_YET} (${answer}): ${IMPORT_DELAY}; add the incident id to it there by hand if the analysts need it` };
  }
  const [identifier] = request.FindingIdentifiers ?? [];
  const note = request.Note;
  if (!identifier?.Id || !identifier.ProductArn || !note?.Text || !note.UpdatedBy) throw new Error('the Security Hub request has no finding or note to record');
  const status = request.Workflow?.Status;
  let outcome: OweOutcome;
  try {
    outcome = await input.owedNotes.owe(
      input.incidentId,
      { identifier: { Id: identifier.Id, ProductArn: identifier.ProductArn }, text: note.Text, author: note.UpdatedBy, ...(status ? { status } : {}) },
      actsInFindingAccount(input.playbook) ? undefined : input.playbook,
    );
  } catch (error) {
    const failure = toStepError(error);
    throw new ResponderError(failure.code, `${NOT_HELD_YET} (${answer}), and the ledger could not record the note as owed: ${failure.message}`, failure.retryable);
  }
  if (outcome === 'refused') {
    return { status: 'skipped', reason: `${NOT_HELD_YET} (${answer}); the incident's ledger record is an acting playbook's, so this report-only response owes no note there` };
  }
  return {
    status: 'skipped',
    reason: `${NOT_HELD_YET} (${answer}): ${IMPORT_DELAY}; the note is owed in the ledger and is written when Security Hub imports the finding`,
  };
}

export function securityHubStep(input: SecurityHubStepInput): PlannedStep {
  const { config, playbook, incidentId } = input;
  const hub = config.securityHub;
  const named = identifierOrError(input);
  const identifier = 'identifier' in named ? named.identifier : undefined;
  const author = noteAuthorOf(playbook);
  return planStep(UPDATE_SECURITY_HUB_FINDING, {
    id: SECURITY_HUB_STEP_ID,
    title: 'Note the response on the finding in Security Hub',
    action: 'securityhub:BatchUpdateFindings',
    target: identifier?.Id ?? `finding ${input.finding.id} (no ARN)`,
    // The note's text and whether the status is set are only known once the playbook's steps have run.
    parameters: identifier
      ? {
          ...requestOf(identifier, `<incident ${incidentId} and its outcome>`, author, undefined),
          Workflow: { Status: `<${hub.workflowStatusWhenActed} if the response changed something, else unchanged>` },
        }
      : {},
    why: 'the analysts work in Security Hub: the finding there says it was answered, by which incident, and how it went',
    stage: input.stage,
    ownTimeLimitMs: input.callLimitMs,
    run: async (ctx): Promise<StepRunResult> => {
      if ('error' in named) throw named.error;
      if (!identifier) return { status: 'skipped', reason: 'the finding carries no ARN: its Security Hub counterpart cannot be named' };
      const document = input.document();
      const failedReads = document.reads.filter((r) => r.status === 'failed').map((r) => r.id);
      const containment = containmentOf(input.playbookSteps, ctx.outcomes, failedReads);
      if (!containment.acted && hub.whenNothingChanged === 'nothing') {
        return { status: 'skipped', reason: 'the response changed nothing, and securityHub.whenNothingChanged is "nothing"' };
      }
      // A change moto cannot make: never tried on an emulator run, rather than relabelled after it failed (lambda/aws/local-emulator-gaps.ts).
      const notInEmulator = localEmulatorGapOf(config.localEmulator, 'securityhub:BatchUpdateFindings');
      if (notInEmulator) return { status: 'skipped', reason: notInEmulator };
      if (!input.home) return { status: 'skipped', reason: 'planned offline: Security Hub is not reached' };
      const status = containment.acted ? hub.workflowStatusWhenActed : undefined;
      const request = requestOf(identifier, noteTextOf({ incidentId, playbook, containment }), author, status);
      const securityHub = await input.home.load('securityHub');
      const { BatchUpdateFindingsCommand } = await import('./security-hub-sdk');
      let response: BatchUpdateFindingsResponse;
      try {
        response = await securityHub.send(new BatchUpdateFindingsCommand(request));
      } catch (error) {
        const failure = toStepError(error);
        if (NOT_ENABLED_CODES.has(failure.code)) {
          return { status: 'skipped', reason: `Security Hub is not enabled in the security account${input.region ? ` in ${input.region}` : ''} (${failure.code}: ${failure.message})` };
        }
        throw error;
      }
      const unprocessed = unprocessedOutcome(response);
      if (unprocessed && 'notImported' in unprocessed) return oweNote(input, request, unprocessed.notImported);
      if (unprocessed) throw unprocessed.error;
      return { status: 'done', detail: `note by ${author}${status ? `, workflow status ${status}` : ', workflow status unchanged'}` };
    },
  });
}
