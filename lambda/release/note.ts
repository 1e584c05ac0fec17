import { noteStepLine, type OperatorNote } from '../notify/operator-note';
import type { Fact } from '../notify/resources';
import type { StepReport } from '../plan/document';
import type { KeyReleaseReport } from './access-key';
import type { BucketReleaseReport } from './bucket';
import type { FunctionReleaseReport } from './function';
import { releasedIncidentLine } from './close-incident';
import type { ReleaseLedgerEntry, ReleaseReport } from './report';

/*
 * The notes of `ir release` (an instance, --access-key, --function, --bucket; the operator
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

/** What tells one restore-record release's note (an access key, a function, a bucket) from another's. */
export interface RestoreRecordNoteShape {
  /** The resource as the subject, the lead and `about` name it, e.g. `bucket b`. */
  readonly what: string;
  /** The subject's tail after `what` (a function's region). */
  readonly subjectTail: string;
  /** The summary's tail after `what` (an access key's IAM user). */
  readonly summaryTail: string;
  /** The account, or the account and region, the resource is in. */
  readonly where: string;
  /** The first two facts: the resource, and where it is. */
  readonly facts: readonly Fact[];
  /** The resource's id: the chat thread when the record names no incident. */
  readonly resourceId: string;
  /** The `ir release` options that name the resource, for the dry-run of what is left. */
  readonly releaseOptions: string;
  readonly relatedResources: readonly string[];
  /** The fields of the note's context before account, incident and operator, in this order. */
  readonly contextNames: Readonly<Record<string, string>>;
  readonly contextAccount: string;
}

export type RestoreRecordRelease = Pick<KeyReleaseReport, 'summary' | 'ledger' | 'evidence' | 'key' | 'steps' | 'warnings'>;

/** The note of a release made from its restore record only: the same parts for every kind of resource. */
export function restoreRecordReleaseNote(report: RestoreRecordRelease, context: ReleaseNoteContext, shape: RestoreRecordNoteShape): OperatorNote {
  const { done, skipped, failed } = report.summary;
  const lead = leadOf(failed, report.ledger, report.evidence, shape.what);
  const thread = threadOf(context, shape.resourceId);
  return {
    subject: `[GuardDuty IR] ${failed > 0 ? 'INCOMPLETE release' : 'Released'}: ${shape.what}${shape.subjectTail}`,
    outcome: failed > 0 ? 'INCOMPLETE RELEASE' : 'RELEASED',
    attention: lead !== undefined,
    summary: `${shape.what}${shape.summaryTail} in ${shape.where} released by ${context.operator}: ${done} done, ${skipped} skipped, ${failed} failed`,
    about: `${shape.what} in ${shape.where}`,
    ...(lead ? { lead } : {}),
    factsHeading: 'The release',
    facts: [
      ...shape.facts,
      { label: 'Incident', value: context.incidentId ?? 'none named by the record' },
      { label: 'Released by', value: context.operator },
      { label: 'At', value: context.at.toISOString() },
      { label: 'Restored from', value: `the ledger's restore record (${report.key ?? 'unknown key'})` },
      ...ledgerFact(report.ledger),
      ...evidenceFact(report.evidence),
    ],
    steps: [...report.steps, ...(report.evidence ? [report.evidence] : [])].map(noteStepLine),
    nextSteps: failed > 0 ? [`See what is left: ir release ${shape.releaseOptions} --dry-run; then run it again once the failures are fixed`] : [],
    warnings: report.warnings,
    id: `${thread}/release/${context.at.toISOString()}`,
    threadId: thread,
    eventType: 'GuardDutyIncidentRelease',
    relatedResources: [...shape.relatedResources],
    context: { ...shape.contextNames, account: shape.contextAccount, incidentId: context.incidentId ?? 'none', releasedBy: context.operator },
  };
}

export function keyReleaseNote(report: KeyReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const account = context.accountId ?? 'unknown account';
  const user = report.record?.accessKey?.userName;
  return restoreRecordReleaseNote(report, context, {
    what: `access key ${report.accessKeyId}`,
    subjectTail: '',
    summaryTail: user ? ` of IAM user ${user}` : '',
    where: account,
    facts: [
      { label: 'Access key', value: `${report.accessKeyId}${user ? ` (IAM user ${user})` : ''}` },
      { label: 'Account', value: account },
    ],
    resourceId: report.accessKeyId,
    releaseOptions: `--access-key ${report.accessKeyId}`,
    relatedResources: [report.accessKeyId, ...(user ? [user] : [])],
    contextNames: { accessKeyId: report.accessKeyId },
    contextAccount: account,
  });
}

export function functionReleaseNote(report: FunctionReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const where = `${context.accountId ?? 'unknown account'}/${report.region}`;
  return restoreRecordReleaseNote(report, context, {
    what: `Lambda function ${report.functionName}`,
    subjectTail: ` (${report.region})`,
    summaryTail: '',
    where,
    facts: [
      { label: 'Function', value: report.functionName },
      { label: 'Account and region', value: where },
    ],
    resourceId: report.functionName,
    releaseOptions: `--function ${report.functionName} --region ${report.region}`,
    relatedResources: [report.functionName],
    contextNames: { functionName: report.functionName, region: report.region },
    contextAccount: context.accountId ?? 'unknown',
  });
}

/** The note of `ir release --bucket`. */
export function bucketReleaseNote(report: BucketReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const account = context.accountId ?? 'unknown account';
  return restoreRecordReleaseNote(report, context, {
    what: `bucket ${report.bucket}`,
    subjectTail: '',
    summaryTail: '',
    where: account,
    facts: [
      { label: 'Bucket', value: report.bucket },
      { label: 'Account', value: account },
    ],
    resourceId: report.bucket,
    releaseOptions: `--bucket ${report.bucket}`,
    relatedResources: [report.bucket],
    contextNames: { bucket: report.bucket },
    contextAccount: account,
  });
}
