import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PLAYBOOK_NAMES, type PlaybookName } from '../routing/playbook-names';

/*
 * After a decision is recorded, the waiting playbook is woken with
 * {"kind": "approval-decided", "incidentId": ...}, asynchronously: the
 * channel answers the person at once, and the playbook's own retries and
 * on-failure queue cover a failed resumption. The playbook trusts nothing in
 * the event but the incident id: it reads the ledger item.
 *
 * Which function: the approval item names the playbook; the stack hands the
 * decision functions the name of each playbook's function
 * (IR_PLAYBOOK_FUNCTIONS). A playbook name that is not one of ours is
 * refused, never turned into a function name.
 */

export const APPROVAL_DECIDED_EVENT = 'approval-decided';

export type PlaybookFunctions = Readonly<Partial<Record<PlaybookName, string>>>;

export class UnknownPlaybookError extends Error {
  constructor(readonly playbook: string | undefined) {
    super(`the approval names playbook ${JSON.stringify(playbook ?? null)}, which this stack has no function for`);
    this.name = 'UnknownPlaybookError';
  }
}

export function playbookFunctionOf(functions: PlaybookFunctions, playbook: string | undefined): string {
  const known = (PLAYBOOK_NAMES as readonly string[]).includes(playbook ?? '') ? functions[playbook as PlaybookName] : undefined;
  if (!known) throw new UnknownPlaybookError(playbook);
  return known;
}

export function resumeRequest(functionName: string, incidentId: string) {
  return {
    FunctionName: functionName,
    InvocationType: 'Event' as const,
    Payload: new TextEncoder().encode(JSON.stringify({ kind: APPROVAL_DECIDED_EVENT, incidentId })),
  };
}

/** Queues the playbook's resumption; the detail names the function. */
export async function resumePlaybook(lambda: LambdaClient, functions: PlaybookFunctions, playbook: string | undefined, incidentId: string): Promise<string> {
  const functionName = playbookFunctionOf(functions, playbook);
  const answer = await lambda.send(new InvokeCommand(resumeRequest(functionName, incidentId)));
  return `queued ${APPROVAL_DECIDED_EVENT} for ${functionName} (HTTP ${answer.StatusCode ?? 'unknown'})`;
}
