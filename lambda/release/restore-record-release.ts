import type { PendingApprovals } from '../approval/pending';
import type { AwsClients } from '../aws/clients';
import type { RestoreLedger, RestoreRecord } from '../ledger/restore-record';
import type { NoteTopics } from '../notify/operator-note-publish';
import { ReadLog } from '../plan/reads';
import type { PlannedStep } from '../plan/types';
import type { ReleaseEvidenceTarget } from './evidence';
import { finishResourceRelease, type ResourceFinishInput } from './finish';
import { readHeldContainment } from './held-containment';
import { readReleaser, refusedReleaseParts } from './refusal';
import type { RecordReleaseOutcome } from './report';
import { runReleaseSteps } from './run-steps';
import { READ_RESTORE_RECORD } from './specs';

/*
 * The releases made from a restore record alone (`ir release --access-key`,
 * `--bucket`, `--function`, `--object`) go the same way: learn who releases
 * and in which account (the record's key), read the record, refuse when it
 * cannot be read, is missing, was released already or holds a containment
 * that waited for a decision and was never made; then the resource plans
 * its steps from the record and what it reads now, the steps run (blocked
 * on a dry-run) and the release is recorded, kept and notified (finish.ts).
 * One flow, so that none of these guards can be kept by one release and
 * forgotten by another: each release gives only what is its own (its names,
 * its record, its steps, its note) as a RecordReleaseSpec.
 */

/** What every release from a restore record is given (the CLI's restoreRecordReleaseSetup). */
export interface RecordReleaseOptions {
  readonly clients: AwsClients;
  readonly ledger: RestoreLedger;
  readonly dryRun: boolean;
  /** The stack's topic (and chat topic): the release is notified there. */
  readonly notify?: NoteTopics;
  /** The stack's evidence bucket, where the release's record is kept. */
  readonly evidence?: ReleaseEvidenceTarget;
  /** The evidence folder's region when the record names none (written before records named theirs): the operator's. */
  readonly region?: string;
  readonly now?: () => Date;
  /** The incident ledger's pending approvals (the same table): a containment held for a decision and never made is not undone. */
  readonly approvals?: PendingApprovals;
}

/** The report of a release from a restore record: the resource's names, its record's key field, the record as the release reads it. */
export type RecordReleaseReport<Names, KeyField, Rec> = Names & KeyField & RecordReleaseOutcome & { readonly record: Rec | null };

/** What a resource plans from: its record as read from the ledger, in the operator's account; its reads go to the report. */
export interface RecordReleaseContext<Rec> {
  readonly accountId: string;
  readonly key: string;
  readonly restore: RestoreRecord;
  readonly record: Rec;
  readonly reads: ReadLog;
}

/** The steps that put the record back and why some are left out; or why the release is refused, with nothing changed. */
export type RecordReleasePlan = { readonly steps: readonly PlannedStep[]; readonly warnings: readonly string[] } | { readonly refused: string };

/** The record as this release reads it, or why it cannot be used; null: the ledger holds no record of this resource under the key. */
export type RecordOf<Rec> = { readonly record: Rec } | { readonly refused: string } | null;

/** What tells one release from a restore record from another; with what finish.ts names it by (the ledger's entry, the evidence record, the note). */
export interface RecordReleaseSpec<Names extends object, KeyField extends object, Rec>
  extends Pick<ResourceFinishInput<RecordReleaseReport<Names, KeyField, Rec>>, 'resource' | 'evidenceNames' | 'note'> {
  /** The report's first fields, naming the resource (in the order the JSON report shows them). */
  readonly names: Names;
  /** The report's field holding the record's ledger key: `key`, or `recordKey` where `key` is an object's. */
  readonly keyField: (key: string | null) => KeyField;
  /** What the account is said to be of when it cannot be learned: `key`, `bucket`, `function`. */
  readonly accountOf: string;
  /** The record's ledger key in the operator's account. */
  readonly restoreKey: (accountId: string) => string;
  /** The resource as the record's read and a missing record's refusal name it. */
  readonly subject: string;
  /** How a missing record's refusal names it instead (a function: with its account and region). */
  readonly missingSubject?: (accountId: string) => string;
  readonly recordOf: (restore: RestoreRecord, key: string) => RecordOf<Rec>;
  readonly plan: (context: RecordReleaseContext<Rec>) => Promise<RecordReleasePlan>;
  /** The evidence key's region whatever the record says (a function's, which its key names); else the record's, else the operator's. */
  readonly evidenceRegion?: string;
  /** The resource key of its incident (lambda/ledger/incident-resource.ts) in the operator's account: a whole release closes it. */
  readonly incidentResource: (accountId: string) => string;
}

/** The key field of most of these reports: the record's ledger key as `key`. */
export function keyAsKey(key: string | null): { readonly key: string | null } {
  return { key };
}

/** Reads the record, refuses or plans, runs the plan and finishes the release: the report says every read, step and refusal. */
export async function releaseFromRestoreRecord<Names extends object, KeyField extends object, Rec>(
  spec: RecordReleaseSpec<Names, KeyField, Rec>,
  options: RecordReleaseOptions,
): Promise<RecordReleaseReport<Names, KeyField, Rec>> {
  type Report = RecordReleaseReport<Names, KeyField, Rec>;
  const now = options.now ?? (() => new Date());
  const reads = new ReadLog();
  const base = { ...spec.names, dryRun: options.dryRun, ledger: null, notification: null, chatNotification: null, steps: [], summary: { done: 0, skipped: 0, failed: 0 } };
  const evidenceTarget = options.evidence ?? {};
  const refuse = async (refused: string, key: string | null = null, record: Rec | null = null): Promise<Report> => ({
    ...base,
    ...spec.keyField(key),
    record,
    ...(await refusedReleaseParts(refused, reads, evidenceTarget)),
  });
  const table = options.ledger.tableName;
  const caller = await readReleaser(reads, options.clients);
  if (!caller.ok || !caller.value.Account) return refuse(`the account of the ${spec.accountOf} could not be learned (sts:GetCallerIdentity): nothing was changed`);
  const accountId = caller.value.Account;
  const key = spec.restoreKey(accountId);
  const read = await reads.read(READ_RESTORE_RECORD, `Read the restore record of ${spec.subject} from the ledger ${table}`, key, () => options.ledger.read(key));
  if (!read.ok) return refuse(`the restore record ${key} could not be read from the ledger ${table} (${read.error.code}): nothing was changed`, key);
  const restore = read.value;
  const usable = restore ? spec.recordOf(restore, key) : null;
  if (!restore || !usable) return refuse(`the ledger ${table} holds no restore record of ${spec.missingSubject?.(accountId) ?? spec.subject} (${key}): nothing was changed`, key);
  if ('refused' in usable) return refuse(usable.refused, key);
  const { record } = usable;
  if (restore.closedAt) return refuse(`the restore record ${key} was released at ${restore.closedAt}: nothing to release, nothing was changed`, key, record);
  const held = await readHeldContainment(options.approvals, restore, reads);
  if (held) return refuse(held, key, record);

  const planned = await spec.plan({ accountId, key, restore, record, reads });
  if ('refused' in planned) return refuse(planned.refused, key, record);
  const ran = await runReleaseSteps(planned.steps, { clients: options.clients, now, dryRun: options.dryRun });
  const report: Report = { ...base, refused: null, ...spec.keyField(key), record, warnings: planned.warnings, reads: reads.outcomes, ...ran, evidence: null };
  return finishResourceRelease(report, {
    ledger: options.ledger,
    key,
    restore,
    operator: caller.value.Arn ?? 'unknown',
    accountId,
    region: spec.evidenceRegion ?? restore.region ?? options.region ?? null,
    resource: spec.resource,
    incidentResource: spec.incidentResource(accountId),
    // The evidence record's kind names the resource's kind as the ledger's release entry does: `bucket-release`.
    evidenceKind: `${spec.resource.kind}-release`,
    evidenceNames: spec.evidenceNames,
    dryRun: options.dryRun,
    evidence: evidenceTarget,
    notify: options.notify,
    note: spec.note,
    now,
  });
}
