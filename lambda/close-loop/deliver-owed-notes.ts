import type { BatchUpdateFindingsCommandInput, SecurityHubClient, WorkflowStatus } from '@aws-sdk/client-securityhub';
import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { ResponderError, toStepError } from '../aws/errors';
import { importedFindingsOf } from './imported-event';
import type { OwedNotes, TakenNote } from './owed-notes';

/*
 * The second half of the Security Hub note (security-hub-step.ts): when
 * Security Hub says it imported a GuardDuty finding, the note the ledger
 * owes for it (owed-notes.ts) is written, once. The event is only a wake-up,
 * and anyone allowed to invoke the function can forge one: it names the
 * finding to look up, nothing more. What is sent (the finding's identifier,
 * the note, the workflow status) is the ledger's, as the response built it.
 *
 * BatchUpdateFindings itself makes Security Hub emit another Imported event
 * for the finding: that one finds the note written and does nothing, so the
 * writer never feeds itself.
 */

/** Longer than the function's timeout (lib/owed-note-delivery.ts), so a live writer's claim never lapses under it. */
export const OWED_NOTE_LEASE_MS = 60_000;

export type NoteDelivery =
  | { readonly findingArn: string; readonly outcome: 'written'; readonly incidentId: string }
  | { readonly findingArn: string; readonly outcome: 'nothing-owed'; readonly reason: string }
  | { readonly outcome: 'ignored'; readonly reason: string };

export interface DeliverOwedNotesInput {
  readonly event: unknown;
  readonly notes: OwedNotes;
  readonly securityHub: () => Promise<SecurityHubClient>;
  readonly leaseMs?: number;
}

/** Security Hub answers findings it could not update in UnprocessedFindings: retried later unless the code says it cannot help. */
const LASTING_UNPROCESSED: ReadonlySet<string> = new Set(['InvalidInput', 'AccessDeniedException']);

function requestOf(taken: TakenNote): BatchUpdateFindingsCommandInput {
  const { identifier, text, author, status } = taken.note;
  return {
    FindingIdentifiers: [{ Id: identifier.Id, ProductArn: identifier.ProductArn }],
    Note: { Text: text, UpdatedBy: author },
    ...(status !== undefined ? { Workflow: { Status: status as WorkflowStatus } } : {}),
  };
}

async function write(taken: TakenNote, input: DeliverOwedNotesInput): Promise<void> {
  const securityHub = await input.securityHub();
  let unprocessed: { code: string; message: string } | undefined;
  try {
    const response = await securityHub.send(new BatchUpdateFindingsCommand(requestOf(taken)));
    const [first] = response.UnprocessedFindings ?? [];
    if (first) unprocessed = { code: first.ErrorCode ?? 'UnprocessedFinding', message: first.ErrorMessage ?? first.ErrorCode ?? 'unprocessed' };
  } catch (error) {
    // Owed again, for Lambda's retry of the invocation or the finding's next import event.
    await input.notes.giveBack(taken);
    const failure = toStepError(error);
    throw new ResponderError(failure.code, `Security Hub refused incident ${taken.incidentId}'s note on ${taken.note.identifier.Id}: ${failure.message}`, failure.retryable);
  }
  if (unprocessed) {
    await input.notes.giveBack(taken);
    // FindingNotFound right after an import event: Security Hub's own read lagging its write; a retry gets past it.
    throw new ResponderError(
      unprocessed.code,
      `Security Hub did not update ${taken.note.identifier.Id} with incident ${taken.incidentId}'s note: ${unprocessed.message}`,
      !LASTING_UNPROCESSED.has(unprocessed.code),
    );
  }
  await input.notes.markWritten(taken);
}

/**
 * Writes every note the ledger owes for the GuardDuty findings of an Imported
 * event. Resolves with what became of each finding; rejects (with the AWS
 * code) when a note could not be written, after trying the others: the
 * invocation fails, Lambda retries it, and a lasting failure lands in the
 * function's on-failure queue, the note still owed.
 */
export async function deliverOwedNotes(input: DeliverOwedNotesInput): Promise<NoteDelivery[]> {
  const deliveries: NoteDelivery[] = [];
  let failure: ResponderError | undefined;
  for (const finding of importedFindingsOf(input.event)) {
    if ('ignored' in finding) {
      deliveries.push({ outcome: 'ignored', reason: finding.ignored });
      continue;
    }
    const { findingArn } = finding;
    try {
      const incidentId = await input.notes.incidentOwing(findingArn);
      if (incidentId === undefined) {
        deliveries.push({ findingArn, outcome: 'nothing-owed', reason: 'the ledger owes no Security Hub note for this finding' });
        continue;
      }
      const taken = await input.notes.take(incidentId, findingArn, input.leaseMs ?? OWED_NOTE_LEASE_MS);
      if (!taken) {
        deliveries.push({ findingArn, outcome: 'nothing-owed', reason: `incident ${incidentId}'s note for this finding is written, or being written` });
        continue;
      }
      await write(taken, input);
      deliveries.push({ findingArn, outcome: 'written', incidentId });
    } catch (error) {
      // Typed, with the AWS code (a DynamoDB error of the ledger included); the other findings are still tried.
      if (failure === undefined) {
        const known = toStepError(error);
        failure = error instanceof ResponderError ? error : new ResponderError(known.code, known.message, known.retryable);
      }
    }
  }
  if (failure) throw failure;
  return deliveries;
}
