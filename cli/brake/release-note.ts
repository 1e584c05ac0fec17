import { noteStepLine, type OperatorNote } from '../../lambda/notify/operator-note';
import type { StepReport } from '../../lambda/plan/document';
import type { BrakeState } from './brake-state';
import type { ReleaseRecord } from './release-latch';

/*
 * The note of `ir brake release` (the operator note,
 * lambda/notify/operator-note.ts, rendered as the email and the chat
 * message): who released the brake, when and why, what had latched it, how
 * many slots the hour still holds, and where the release is recorded and
 * kept. The subject stays what runbooks and mail filters know:
 * "[GuardDuty IR BRAKE RELEASED] containments resume in <region>".
 */

export function brakeReleaseNote(record: ReleaseRecord, state: BrakeState, evidence: StepReport): OperatorNote {
  const { latch } = record;
  const kept = evidence.status === 'done' ? (evidence.detail ?? evidence.target) : evidence.status === 'skipped' ? `not kept: ${evidence.reason ?? ''}` : `NOT KEPT (${evidence.error?.code ?? 'UnknownError'}: ${evidence.error?.message ?? ''})`;
  const lead = evidence.status === 'failed' ? `ATTENTION: the brake is released and recorded in the ledger, but its record could NOT be kept in the evidence bucket (${evidence.error?.code ?? 'UnknownError'}).` : undefined;
  const thread = `brake/${state.region}/${latch.engagementId}`;
  return {
    subject: `[GuardDuty IR BRAKE RELEASED] containments resume in ${state.region}`,
    outcome: 'BRAKE RELEASED',
    attention: lead !== undefined,
    summary: `The blast-radius brake in ${state.region} was released at ${record.releasedAt} by ${record.releasedBy}: containments resume`,
    about: `containments resume in ${state.region}`,
    ...(lead ? { lead } : {}),
    factsHeading: 'The release',
    facts: [
      { label: 'Reason given', value: record.reason },
      { label: 'Released by', value: record.releasedBy },
      { label: 'At', value: record.releasedAt },
      { label: 'It had latched at', value: `${latch.engagedAt}: ${latch.reason}` },
      { label: 'Latched by', value: `finding ${latch.findingId} (${latch.playbook}, incident ${latch.incidentId})` },
      { label: 'Slots held within the hour', value: `${record.slotsHeld} of ${state.limit}` },
      { label: 'Ledger', value: `${state.table} (${state.region}), key pk = "${record.key}"` },
      { label: 'Evidence', value: kept },
    ],
    steps: [noteStepLine(evidence)],
    nextSteps: [`Once the ${state.limit - record.slotsHeld > 0 ? `${state.limit - record.slotsHeld} free` : 'no free'} slot(s) of the hour are used, the next containment latches the brake again: watch it with ir brake status --region ${state.region}`],
    warnings: [],
    id: `${thread}/release`,
    threadId: thread,
    eventType: 'GuardDutyBrakeRelease',
    relatedResources: [state.table],
    context: { region: state.region, engagementId: latch.engagementId, releasedBy: record.releasedBy, ledgerKey: record.key },
  };
}
