import { noteStepLine, type OperatorNote } from '../notify/operator-note';
import type { BucketReleaseReport } from './bucket';
import { evidenceFact, leadOf, ledgerFact, threadOf, type ReleaseNoteContext } from './note';

/** The note of `ir release --bucket`: the same parts as the other releases' notes (note.ts). */
export function bucketReleaseNote(report: BucketReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const { done, skipped, failed } = report.summary;
  const account = context.accountId ?? 'unknown account';
  const what = `bucket ${report.bucket}`;
  const lead = leadOf(failed, report.ledger, report.evidence, what);
  return {
    subject: `[GuardDuty IR] ${failed > 0 ? 'INCOMPLETE release' : 'Released'}: ${what}`,
    outcome: failed > 0 ? 'INCOMPLETE RELEASE' : 'RELEASED',
    attention: lead !== undefined,
    summary: `${what} in ${account} released by ${context.operator}: ${done} done, ${skipped} skipped, ${failed} failed`,
    about: `${what} in ${account}`,
    ...(lead ? { lead } : {}),
    factsHeading: 'The release',
    facts: [
      { label: 'Bucket', value: report.bucket },
      { label: 'Account', value: account },
      { label: 'Incident', value: context.incidentId ?? 'none named by the record' },
      { label: 'Released by', value: context.operator },
      { label: 'At', value: context.at.toISOString() },
      { label: 'Restored from', value: `the ledger's restore record (${report.key ?? 'unknown key'})` },
      ...ledgerFact(report.ledger),
      ...evidenceFact(report.evidence),
    ],
    steps: [...report.steps, ...(report.evidence ? [report.evidence] : [])].map(noteStepLine),
    nextSteps: failed > 0 ? [`See what is left: ir release --bucket ${report.bucket} --dry-run; then run it again once the failures are fixed`] : [],
    warnings: report.warnings,
    id: `${threadOf(context, report.bucket)}/release/${context.at.toISOString()}`,
    threadId: threadOf(context, report.bucket),
    eventType: 'GuardDutyIncidentRelease',
    relatedResources: [report.bucket],
    context: { bucket: report.bucket, account, incidentId: context.incidentId ?? 'none', releasedBy: context.operator },
  };
}
