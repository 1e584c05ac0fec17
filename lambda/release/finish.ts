import { toStepError } from '../aws/errors';
import { releaseEvidenceKey } from '../evidence/release-layout';
import type { ReleaseEntry, RestoreLedger, RestoreRecord } from '../ledger/restore-record';
import type { OperatorNote } from '../notify/operator-note';
import { publishOperatorNote, type NoteTopics } from '../notify/operator-note-publish';
import { closeResourceIncident } from './close-incident';
import { DRY_RUN_EVIDENCE, keepReleaseEvidence, type ReleaseEvidenceTarget } from './evidence';
import { instanceReleaseNote, type ReleaseNoteContext } from './note';
import type { RecordReleaseOutcome, ReleaseLedgerEntry, ReleaseReport } from './report';

/*
 * After the restores: the release is recorded in the ledger (who, when,
 * what; closed when the whole containment is undone, so a later finding
 * about the instance opens a new incident), its record kept in the stack's
 * evidence bucket (lambda/release/evidence.ts), then the team is told on the
 * stack's topic and chat topic (lambda/release/note.ts). The ledger write
 * is conditional on the record's revision, so two releases do not both
 * record (the second is reported as a conflict). An instance's release
 * (recordAndNotify) and a release made from a restore record only (an
 * access key, a function, a bucket, an object: finishResourceRelease, by
 * way of restore-record-release.ts) end this way.
 */

export interface FinishInput {
  /** `resource`: the instance's resource key (lambda/ledger/incident-resource.ts), whose incident a whole release closes. */
  readonly ledger: { readonly restore: RestoreLedger; readonly key: string; readonly revision: number; readonly resource: string } | null;
  readonly operator: string;
  /** The instance's account (the operator's credentials'); null when it could not be learned. */
  readonly accountId: string | null;
  /** The incident the restore record belongs to: the evidence folder and the chat thread. */
  readonly incidentId: string | null;
  /** The restore record as read from the ledger, kept with the evidence; null when restored from the tags. */
  readonly restoreRecord: RestoreRecord | null;
  readonly completes: boolean;
  readonly evidence: ReleaseEvidenceTarget;
  readonly notify: NoteTopics | null;
  readonly now: () => Date;
}

async function recordRelease(report: ReleaseReport, input: FinishInput): Promise<ReleaseLedgerEntry | null> {
  if (!input.ledger) return null;
  const { restore, key, revision, resource } = input.ledger;
  const done = report.steps.filter((s) => s.status === 'done').map((s) => s.id);
  const whole = input.completes && report.summary.failed === 0;
  // The incident first: if it cannot be closed, the record stays open too, so that running the release again closes both.
  const incident = whole ? await closeResourceIncident(restore, resource) : undefined;
  const close = whole && incident?.status !== 'failed';
  try {
    const result = await restore.recordRelease(key, { by: input.operator, restored: done, revision, close, resource: { kind: 'instance', resourceId: report.instanceId } });
    if (result.status === 'recorded') return { table: restore.tableName, key, status: 'recorded', closed: close, at: result.at, ...(incident ? { incident } : {}) };
    const other = result.record?.released ? ` (released at ${result.record.released.at} by ${result.record.released.by})` : '';
    return { table: restore.tableName, key, status: 'conflict', detail: `the record changed since it was read${other}: this release is not recorded; read it again with ir release --dry-run` };
  } catch (error) {
    return { table: restore.tableName, key, status: 'failed', error: toStepError(error) };
  }
}

/** The record kept in the evidence bucket: the release report (ledger entry included), the restore record it used, who and when. */
function evidenceRecord(report: ReleaseReport, ledger: ReleaseLedgerEntry | null, input: FinishInput, at: Date) {
  return {
    kind: 'instance-release',
    writtenAt: at.toISOString(),
    releasedBy: input.operator,
    accountId: input.accountId,
    region: report.region,
    instanceId: report.instanceId,
    incidentId: input.incidentId,
    restoreRecord: input.restoreRecord,
    release: { ...report, ledger },
    notification: input.notify ? 'sent after this record is written: the release report says whether it was' : 'none: the operator chose --no-notify',
  };
}

/** The ledger, then the evidence record (so the note can say where it is), then the note on the topic and the chat topic. */
export async function recordAndNotify(report: ReleaseReport, input: FinishInput): Promise<Pick<ReleaseReport, 'ledger' | 'evidence' | 'notification' | 'chatNotification'>> {
  const ledger = await recordRelease(report, input);
  const at = input.now();
  // The record's incident, else the one the whole release closed (a record written before records named theirs).
  const incidentId = input.incidentId ?? (ledger?.incident?.status === 'closed' ? ledger.incident.incidentId : null);
  const key = releaseEvidenceKey({ accountId: input.accountId, region: report.region, incidentId, resourceId: report.instanceId, at });
  const evidence = await keepReleaseEvidence(input.evidence, key, () => evidenceRecord(report, ledger, { ...input, incidentId }, at));
  if (!input.notify) return { ledger, evidence, notification: null, chatNotification: null };
  const note = instanceReleaseNote({ ...report, ledger, evidence }, { operator: input.operator, accountId: input.accountId, incidentId, at });
  const sent = await publishOperatorNote(input.notify, note);
  return { ledger, evidence, notification: sent.email, chatNotification: sent.chat };
}

/** What a release from a restore record (an access key, a function, a bucket, an object) has planned and run, before it is finished. */
type ResourceReleaseReport = Pick<RecordReleaseOutcome, 'steps' | 'summary' | 'ledger' | 'evidence' | 'notification' | 'chatNotification'>;

export interface ResourceFinishInput<R extends ResourceReleaseReport> {
  readonly ledger: RestoreLedger;
  readonly key: string;
  /** The restore record as read from the ledger: its revision guards the write, its incident names the evidence folder and thread. */
  readonly restore: RestoreRecord;
  readonly operator: string;
  readonly accountId: string;
  /** The region in the evidence key (null: none known). */
  readonly region: string | null;
  /** The resource as the ledger's release entry names it. */
  readonly resource: ReleaseEntry['resource'];
  /** The resource key of its incident (lambda/ledger/incident-resource.ts), which a whole release closes. */
  readonly incidentResource: string;
  /** The evidence record's kind, and the fields that name the resource (after the account, in this order). */
  readonly evidenceKind: string;
  readonly evidenceNames: Readonly<Record<string, string>>;
  readonly dryRun: boolean;
  readonly evidence: ReleaseEvidenceTarget;
  readonly notify: NoteTopics | undefined;
  readonly note: (report: R, context: ReleaseNoteContext) => OperatorNote;
  readonly now: () => Date;
}

/**
 * The end of an access key's, a function's, a bucket's or an object's release, after its
 * steps ran: on a dry-run only the evidence step (skipped); else the
 * resource's incident is closed when nothing failed (first: if it cannot be
 * closed the record stays open, and a second release closes both), the
 * release recorded in the ledger against the revision read, its record kept
 * in the evidence bucket, then the team told on the stack's topics.
 */
export async function finishResourceRelease<R extends ResourceReleaseReport>(report: R, input: ResourceFinishInput<R>): Promise<R> {
  const { ledger: restoreLedger, key, restore, operator, accountId } = input;
  const incidentOf = (closed?: ReleaseLedgerEntry['incident']) => restore.incidentId ?? (closed?.status === 'closed' ? closed.incidentId : null);
  const evidenceKeyAt = (at: Date, incidentId: string | null) => releaseEvidenceKey({ accountId, region: input.region, incidentId, resourceId: input.resource.resourceId, at });
  if (input.dryRun) return { ...report, evidence: await keepReleaseEvidence({ ...input.evidence, skip: DRY_RUN_EVIDENCE }, evidenceKeyAt(input.now(), incidentOf()), () => null) };
  const failed = report.summary.failed > 0;
  const incident = failed ? undefined : await closeResourceIncident(restoreLedger, input.incidentResource);
  const close = !failed && incident?.status !== 'failed';
  let ledger: ReleaseLedgerEntry;
  try {
    const result = await restoreLedger.recordRelease(key, {
      by: operator,
      restored: report.steps.filter((s) => s.status === 'done').map((s) => s.id),
      revision: restore.revision,
      close,
      resource: input.resource,
    });
    ledger =
      result.status === 'recorded'
        ? { table: restoreLedger.tableName, key, status: 'recorded', closed: close, at: result.at, ...(incident ? { incident } : {}) }
        : { table: restoreLedger.tableName, key, status: 'conflict', detail: 'the record changed since it was read: this release is not recorded' };
  } catch (error) {
    ledger = { table: restoreLedger.tableName, key, status: 'failed', error: toStepError(error) };
  }
  const at = input.now();
  const incidentId = incidentOf(ledger.incident);
  const evidence = await keepReleaseEvidence(input.evidence, evidenceKeyAt(at, incidentId), () => ({
    kind: input.evidenceKind,
    writtenAt: at.toISOString(),
    releasedBy: operator,
    accountId,
    ...input.evidenceNames,
    incidentId,
    restoreRecord: restore,
    release: { ...report, ledger },
    notification: input.notify ? 'sent after this record is written: the release report says whether it was' : 'none: the operator chose --no-notify',
  }));
  const finished = { ...report, ledger, evidence };
  if (!input.notify) return finished;
  const sent = await publishOperatorNote(input.notify, input.note(finished, { operator, accountId, incidentId, at }));
  return { ...finished, notification: sent.email, chatNotification: sent.chat };
}
