import { noteStepLine, type OperatorNote } from '../notify/operator-note';
import type { Fact } from '../notify/resources';
import type { StepReport } from '../plan/document';
import type { KeyReleaseReport } from './access-key';
import type { FunctionReleaseReport } from './function';
import { releasedIncidentLine } from './close-incident';
import type { ReleaseLedgerEntry, ReleaseReport } from './report';

/*
 * The notes of `ir release` and `ir release --access-key` (the operator
 * note, lambda/notify/operator-note.ts, rendered as the email and the chat
 * message): what was released, by whom, from which record, what the ledger
 * and the evidence bucket now hold, every step, and what is left to do.
 * The subjects stay what runbooks and mail filters know:
 * "[GuardDuty IR] Released: instance i-... (region)".
 */

export interface ReleaseNoteContext {
  /** The operator's ARN (sts:GetCallerIdentity), as recorded in the ledger. */
  readonly operator: string;
  readonly accountId: string | null;
  /** The incident the restore record belongs to; null when it names none. */
  readonly incidentId: string | null;
  readonly at: Date;
}

export function ledgerFact(ledger: ReleaseLedgerEntry | null): Fact[] {
  if (!ledger) return [{ label: 'Ledger', value: 'none: the release is not recorded in the incident ledger' }];
  const status = ledger.status === 'recorded' ? `recorded${ledger.closed ? ', closed (the next finding opens a new incident)' : ', still open (a partial release)'}` : ledger.status.toUpperCase();
  const tail = ledger.error ? ` (${ledger.error.code}: ${ledger.error.message})` : ledger.detail ? ` (${ledger.detail})` : '';
  const incident = releasedIncidentLine(ledger.incident);
  return [{ label: 'Ledger', value: `${ledger.table}, ${ledger.key}: ${status}${tail}` }, ...(incident ? [{ label: 'Incident', value: incident }] : [])];
}

export function evidenceFact(evidence: StepReport | null): Fact[] {
  if (!evidence) return [];
  if (evidence.status === 'done') return [{ label: 'Evidence', value: evidence.detail ?? evidence.target }];
  if (evidence.status === 'skipped') return [{ label: 'Evidence', value: `not kept: ${evidence.reason ?? ''}` }];
  return [{ label: 'Evidence', value: `NOT KEPT (${evidence.error?.code ?? 'UnknownError'}: ${evidence.error?.message ?? ''}): ${evidence.target}` }];
}

/** What must not be missed: a failed step, a release not recorded, an incident left open, evidence not kept. */
export function leadOf(failedSteps: number, ledger: ReleaseLedgerEntry | null, evidence: StepReport | null, what: string): string | undefined {
  const parts: string[] = [];
  if (failedSteps > 0) parts.push(`${failedSteps} step(s) of the release of ${what} FAILED: it is only partly released`);
  if (ledger && ledger.status !== 'recorded') parts.push(`the release is NOT recorded in the ledger (${ledger.status})`);
  if (ledger?.incident?.status === 'failed') parts.push("the resource's incident could NOT be closed: run the release again");
  if (evidence?.status === 'failed') parts.push(`its record could NOT be kept in the evidence bucket (${evidence.error?.code ?? 'UnknownError'})`);
  return parts.length > 0 ? `ATTENTION: ${parts.join('; ')}.` : undefined;
}

export function threadOf(context: ReleaseNoteContext, resourceId: string): string {
  return context.incidentId ?? `release/${resourceId}`;
}

export function instanceReleaseNote(report: ReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const { done, skipped, failed } = report.summary;
  const where = `${context.accountId ?? 'unknown account'}/${report.region}`;
  const lead = leadOf(failed, report.ledger, report.evidence, report.instanceId);
  const source = report.recordSource === 'ledger' ? `the ledger's restore record (${report.record?.ledger?.key ?? 'unknown key'})` : "the instance's ir:original-* tags (anyone who can tag the instance can write them)";
  return {
    subject: `[GuardDuty IR] ${failed > 0 ? 'INCOMPLETE release' : 'Released'}: instance ${report.instanceId} (${report.region})`,
    outcome: failed > 0 ? 'INCOMPLETE RELEASE' : 'RELEASED',
    attention: lead !== undefined,
    summary: `${report.instanceId} in ${where} released by ${context.operator}, from ${report.recordSource === 'ledger' ? 'the ledger' : "the instance's tags"}: ${done} done, ${skipped} skipped, ${failed} failed`,
    about: `instance ${report.instanceId} in ${where}`,
    ...(lead ? { lead } : {}),
    factsHeading: 'The release',
    facts: [
      { label: 'Instance', value: report.instanceId },
      { label: 'Account and region', value: where },
      { label: 'Incident', value: context.incidentId ?? 'none named by the record' },
      { label: 'Released by', value: context.operator },
      { label: 'At', value: context.at.toISOString() },
      { label: 'Restored from', value: source },
      ...ledgerFact(report.ledger),
      ...evidenceFact(report.evidence),
      ...(report.snapshotsKept && report.snapshotsKept.length > 0 ? [{ label: 'Evidence snapshots kept', value: report.snapshotsKept.join(', ') }] : []),
    ],
    steps: [...report.steps, ...(report.evidence ? [report.evidence] : [])].map(noteStepLine),
    nextSteps: [
      ...(failed > 0 ? [`See what is left: ir release ${report.instanceId} --region ${report.region} --dry-run; then run it again once the failures are fixed`] : []),
      ...(report.snapshotsKept && report.snapshotsKept.length > 0 ? ['Delete the evidence snapshots once the investigation is closed'] : []),
    ],
    warnings: report.warnings,
    id: `${threadOf(context, report.instanceId)}/release/${context.at.toISOString()}`,
    threadId: threadOf(context, report.instanceId),
    eventType: 'GuardDutyIncidentRelease',
    relatedResources: [report.instanceId],
    context: { instanceId: report.instanceId, region: report.region, account: context.accountId ?? 'unknown', incidentId: context.incidentId ?? 'none', releasedBy: context.operator },
  };
}

export function keyReleaseNote(report: KeyReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const { done, skipped, failed } = report.summary;
  const account = context.accountId ?? 'unknown account';
  const lead = leadOf(failed, report.ledger, report.evidence, `access key ${report.accessKeyId}`);
  const user = report.record?.accessKey?.userName;
  return {
    subject: `[GuardDuty IR] ${failed > 0 ? 'INCOMPLETE release' : 'Released'}: access key ${report.accessKeyId}`,
    outcome: failed > 0 ? 'INCOMPLETE RELEASE' : 'RELEASED',
    attention: lead !== undefined,
    summary: `access key ${report.accessKeyId}${user ? ` of IAM user ${user}` : ''} in ${account} released by ${context.operator}: ${done} done, ${skipped} skipped, ${failed} failed`,
    about: `access key ${report.accessKeyId} in ${account}`,
    ...(lead ? { lead } : {}),
    factsHeading: 'The release',
    facts: [
      { label: 'Access key', value: `${report.accessKeyId}${user ? ` (IAM user ${user})` : ''}` },
      { label: 'Account', value: account },
      { label: 'Incident', value: context.incidentId ?? 'none named by the record' },
      { label: 'Released by', value: context.operator },
      { label: 'At', value: context.at.toISOString() },
      { label: 'Restored from', value: `the ledger's restore record (${report.key ?? 'unknown key'})` },
      ...ledgerFact(report.ledger),
      ...evidenceFact(report.evidence),
    ],
    steps: [...report.steps, ...(report.evidence ? [report.evidence] : [])].map(noteStepLine),
    nextSteps: failed > 0 ? [`See what is left: ir release --access-key ${report.accessKeyId} --dry-run; then run it again once the failures are fixed`] : [],
    warnings: report.warnings,
    id: `${threadOf(context, report.accessKeyId)}/release/${context.at.toISOString()}`,
    threadId: threadOf(context, report.accessKeyId),
    eventType: 'GuardDutyIncidentRelease',
    relatedResources: [report.accessKeyId, ...(user ? [user] : [])],
    context: { accessKeyId: report.accessKeyId, account, incidentId: context.incidentId ?? 'none', releasedBy: context.operator },
  };
}

export function functionReleaseNote(report: FunctionReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const { done, skipped, failed } = report.summary;
  const where = `${context.accountId ?? 'unknown account'}/${report.region}`;
  const what = `Lambda function ${report.functionName}`;
  const lead = leadOf(failed, report.ledger, report.evidence, what);
  return {
    subject: `[GuardDuty IR] ${failed > 0 ? 'INCOMPLETE release' : 'Released'}: ${what} (${report.region})`,
    outcome: failed > 0 ? 'INCOMPLETE RELEASE' : 'RELEASED',
    attention: lead !== undefined,
    summary: `${what} in ${where} released by ${context.operator}: ${done} done, ${skipped} skipped, ${failed} failed`,
    about: `${what} in ${where}`,
    ...(lead ? { lead } : {}),
    factsHeading: 'The release',
    facts: [
      { label: 'Function', value: report.functionName },
      { label: 'Account and region', value: where },
      { label: 'Incident', value: context.incidentId ?? 'none named by the record' },
      { label: 'Released by', value: context.operator },
      { label: 'At', value: context.at.toISOString() },
      { label: 'Restored from', value: `the ledger's restore record (${report.key ?? 'unknown key'})` },
      ...ledgerFact(report.ledger),
      ...evidenceFact(report.evidence),
    ],
    steps: [...report.steps, ...(report.evidence ? [report.evidence] : [])].map(noteStepLine),
    nextSteps: failed > 0 ? [`See what is left: ir release --function ${report.functionName} --region ${report.region} --dry-run; then run it again once the failures are fixed`] : [],
    warnings: report.warnings,
    id: `${threadOf(context, report.functionName)}/release/${context.at.toISOString()}`,
    threadId: threadOf(context, report.functionName),
    eventType: 'GuardDutyIncidentRelease',
    relatedResources: [report.functionName],
    context: { functionName: report.functionName, region: report.region, account: context.accountId ?? 'unknown', incidentId: context.incidentId ?? 'none', releasedBy: context.operator },
  };
}
