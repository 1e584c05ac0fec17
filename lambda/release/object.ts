import { CopyObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../aws/clients';
import { toStepError } from '../aws/errors';
import { DEFAULT_QUARANTINE_TAG_KEY, QUARANTINE_TAG_VALUE } from '../config/s3-quarantine';
import { objectResource } from '../ledger/incident-resource';
import { objectName, objectRestoreKey, type RecordedObjectQuarantine } from '../ledger/restore-record';
import type { OperatorNote } from '../notify/operator-note';
import type { ReadLog } from '../plan/reads';
import { planStep, type PlannedStep } from '../plan/types';
import { SOURCE_VERSION_META } from '../playbooks/quarantine-object/copy-request';
import { restoreRecordReleaseNote, type ReleaseNoteContext } from './note';
import { releaseFailed, type RecordReleaseOutcome } from './report';
import { releaseFromRestoreRecord, type RecordReleaseOptions, type RecordReleasePlan } from './restore-record-release';
import { READ_OBJECT_STATE, RESTORE_OBJECT_COPY, RESTORE_OBJECT_TAGS } from './specs';

/*
 * `ir release --object`: undoes quarantine-object from its restore record in
 * the ledger, and from nothing else.
 *  - tag mode: the version gets back its recorded tags without the
 *    quarantine tag (tags someone added since are kept), and only while it
 *    still carries the quarantine tag: a version someone untagged since is
 *    left as it is.
 *  - copy mode: the version was removed; its quarantine copy is copied back
 *    under the same key, with the recorded tags. S3 cannot bring a version id
 *    back: the object returns as a NEW version, and the report names both
 *    ids. The quarantine copy is kept (it is the evidence). Nothing is copied
 *    back while the original version is still there, nor from a copy that
 *    does not say it is of that version.
 * Every call names ExpectedBucketOwner, the operator's account.
 */

export type ObjectReleaseOptions = RecordReleaseOptions;

export interface ObjectReleaseReport extends RecordReleaseOutcome {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  /** The restore record's ledger key. */
  readonly recordKey: string | null;
  readonly record: { readonly quarantine: RecordedObjectQuarantine; readonly objectTags: readonly { Key: string; Value: string }[] } | null;
}

type Tag = { readonly Key: string; readonly Value: string };

interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  readonly accountId: string;
}

const where = (o: Pick<ObjectRef, 'bucket' | 'key'>, versionId: string | null) => `s3://${o.bucket}/${o.key} (version ${versionId ?? 'current'})`;
const versioned = (o: ObjectRef) => ({ Bucket: o.bucket, Key: o.key, ExpectedBucketOwner: o.accountId, ...(o.versionId ? { VersionId: o.versionId } : {}) });

/**
 * Tag mode: the tags to write back, from those the version has now: without the quarantine tag, with every
 * recorded tag (one may have been left out to make room) unless its key is set again since. null: more than S3's 10.
 */
export function releasedTagSet(current: readonly Tag[], recorded: readonly Tag[], tagKey: string): Tag[] | null {
  const kept = current.filter((tag) => tag.Key !== tagKey);
  const back = recorded.filter((tag) => tag.Key !== tagKey && !kept.some((k) => k.Key === tag.Key));
  const set = [...back, ...kept];
  return set.length <= 10 ? set : null;
}

export function restoreTagsStep(object: ObjectRef, tagSet: readonly Tag[], tagKey: string): PlannedStep {
  const parameters = { ...versioned(object), Tagging: { TagSet: tagSet.map((t) => ({ ...t })) } };
  return planStep(RESTORE_OBJECT_TAGS, {
    id: 'remove-quarantine-tag',
    title: `Remove ${tagKey}=${QUARANTINE_TAG_VALUE} from ${where(object, object.versionId)}, its recorded tags back`,
    action: object.versionId ? 's3:PutObjectVersionTagging' : 's3:PutObjectTagging',
    target: `s3://${object.bucket}/${object.key}`,
    parameters,
    why: 'the ledger records the tags the version had before the quarantine tag was added',
    stage: 1,
    run: async (ctx) => {
      const s3 = await ctx.clients.load('s3');
      await s3.send(new PutObjectTaggingCommand(parameters));
      return { status: 'done', detail: `the version carries ${tagSet.length} tag(s), not ${tagKey}: readable again wherever the bucket policy allows` };
    },
  });
}

/** S3's x-amz-tagging: URL-encoded key=value pairs. */
function taggingHeader(tags: readonly Tag[]): string {
  return tags.map((t) => `${encodeURIComponent(t.Key)}=${encodeURIComponent(t.Value)}`).join('&');
}

export function restoreCopyStep(object: ObjectRef, copy: { bucket: string; key: string; versionId: string }, tags: readonly Tag[]): PlannedStep {
  const parameters = {
    Bucket: object.bucket,
    Key: object.key,
    CopySource: `${copy.bucket}/${copy.key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(copy.versionId)}`,
    ExpectedBucketOwner: object.accountId,
    ExpectedSourceBucketOwner: object.accountId,
    MetadataDirective: 'REPLACE' as const,
    Metadata: { 'ir-restored-from-version-id': object.versionId ?? 'none' },
    TaggingDirective: 'REPLACE' as const,
    ...(tags.length > 0 ? { Tagging: taggingHeader(tags) } : {}),
  };
  return planStep(RESTORE_OBJECT_COPY, {
    id: 'restore-object-copy',
    title: `Copy s3://${copy.bucket}/${copy.key} (version ${copy.versionId}) back to s3://${object.bucket}/${object.key}`,
    action: 's3:PutObject',
    target: `s3://${object.bucket}/${object.key}`,
    parameters,
    why: `the ledger records that quarantine-object copied ${where(object, object.versionId)} there and removed it; the copy stays as evidence`,
    stage: 1,
    run: async (ctx) => {
      const s3 = await ctx.clients.load('s3');
      const out = await s3.send(new CopyObjectCommand(parameters));
      return {
        status: 'done',
        detail: `s3://${object.bucket}/${object.key} is back as a NEW version ${out.VersionId ?? '(unversioned)'}: the version id changed from ${object.versionId ?? 'none'}; the quarantine copy is kept`,
      };
    },
  });
}

const GONE = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion']);

async function planTagRelease(clients: AwsClients, reads: ReadLog, object: ObjectRef, recorded: readonly Tag[], tagKey: string): Promise<RecordReleasePlan> {
  const read = await reads.read(READ_OBJECT_STATE, `Read the tags of ${where(object, object.versionId)}`, `s3://${object.bucket}/${object.key}`, async () =>
    (await (await clients.load('s3')).send(new GetObjectTaggingCommand(versioned(object)))).TagSet ?? [],
  );
  if (!read.ok) return { refused: `the tags of ${where(object, object.versionId)} could not be read (${read.error.code}): nothing was changed` };
  const current = read.value.flatMap((t) => (t.Key !== undefined ? [{ Key: t.Key, Value: t.Value ?? '' }] : []));
  if (!current.some((t) => t.Key === tagKey && t.Value === QUARANTINE_TAG_VALUE)) {
    return { steps: [], warnings: [`${where(object, object.versionId)} no longer carries ${tagKey}=${QUARANTINE_TAG_VALUE}: it was changed since the response, and is left as it is.`] };
  }
  const tagSet = releasedTagSet(current, recorded, tagKey);
  if (tagSet === null) return { refused: `the recorded tags and those added since make more than the 10 S3 allows: put them back by hand (the record holds ${recorded.length})` };
  return { steps: [restoreTagsStep(object, tagSet, tagKey)], warnings: [] };
}

async function planCopyRelease(clients: AwsClients, reads: ReadLog, object: ObjectRef, copyPlace: { bucket: string; key: string }, recorded: readonly Tag[]): Promise<RecordReleasePlan> {
  const s3 = await clients.load('s3');
  const original = await reads.read(READ_OBJECT_STATE, `Whether ${where(object, object.versionId)} is still in its bucket`, `s3://${object.bucket}/${object.key}`, async () => {
    try {
      await s3.send(new HeadObjectCommand(versioned(object)));
      return true;
    } catch (error) {
      if (GONE.has(toStepError(error).code)) return false;
      throw error;
    }
  });
  if (!original.ok) return { refused: `${where(object, object.versionId)} could not be read (${original.error.code}): nothing was changed` };
  if (original.value) return { steps: [], warnings: [`${where(object, object.versionId)} is still in its bucket (it was never removed): nothing is copied back.`] };
  const copy = await reads.read(READ_OBJECT_STATE, `Read the quarantine copy s3://${copyPlace.bucket}/${copyPlace.key}`, `s3://${copyPlace.bucket}/${copyPlace.key}`, () =>
    s3.send(new HeadObjectCommand({ Bucket: copyPlace.bucket, Key: copyPlace.key, ExpectedBucketOwner: object.accountId })),
  );
  if (!copy.ok) return { refused: `the quarantine copy s3://${copyPlace.bucket}/${copyPlace.key} could not be read (${copy.error.code}): nothing was changed` };
  const from = copy.value.Metadata?.[SOURCE_VERSION_META];
  if (from !== (object.versionId ?? 'none') || !copy.value.VersionId) {
    return { refused: `s3://${copyPlace.bucket}/${copyPlace.key} says it is a copy of version ${from ?? '(none)'}, not ${object.versionId ?? 'none'}: nothing was changed` };
  }
  return {
    steps: [restoreCopyStep(object, { ...copyPlace, versionId: copy.value.VersionId }, recorded)],
    warnings: [`S3 cannot bring version ${object.versionId ?? 'none'} back: the object returns as a new version with a new id (the report names it). Anything that refers to the old version id must be told.`],
  };
}

export async function releaseObject(target: { bucket: string; key: string; versionId: string | null }, options: ObjectReleaseOptions): Promise<ObjectReleaseReport> {
  return releaseFromRestoreRecord(
    {
      names: target,
      keyField: (recordKey: string | null) => ({ recordKey }),
      accountOf: 'bucket',
      restoreKey: (accountId) => objectRestoreKey(accountId, target.bucket, target.key, target.versionId),
      subject: where(target, target.versionId),
      // Records written before the mode was recorded are of the tag mode, with the default key.
      recordOf: (restore) =>
        restore.objectTags === undefined ? null : { record: { quarantine: restore.objectQuarantine ?? { mode: 'tag', tagKey: DEFAULT_QUARANTINE_TAG_KEY }, objectTags: restore.objectTags } },
      plan: async ({ accountId, restore, record, reads }) => {
        const object: ObjectRef = { ...target, accountId };
        const { quarantine, objectTags } = record;
        const planned =
          quarantine.mode === 'tag'
            ? await planTagRelease(options.clients, reads, object, objectTags, quarantine.tagKey)
            : await planCopyRelease(options.clients, reads, object, quarantine, objectTags);
        if ('refused' in planned) return planned;
        const unsaid = restore.objectQuarantine === undefined ? [`the record does not say how the version was quarantined: taken as the tag mode with ${DEFAULT_QUARANTINE_TAG_KEY}.`] : [];
        return { steps: planned.steps, warnings: [...unsaid, ...planned.warnings] };
      },
      resource: { kind: 'object', resourceId: objectName(target.bucket, target.key, target.versionId) },
      incidentResource: (accountId) => objectResource(accountId, target.bucket, target.key, target.versionId),
      evidenceNames: { bucket: target.bucket, key: target.key, versionId: target.versionId ?? 'none' },
      note: objectReleaseNote,
    },
    options,
  );
}

export function objectReleaseNote(report: ObjectReleaseReport, context: ReleaseNoteContext): OperatorNote {
  const account = context.accountId ?? 'unknown account';
  const what = `object s3://${report.bucket}/${report.key} (version ${report.versionId ?? 'none'})`;
  return restoreRecordReleaseNote({ ...report, key: report.recordKey }, context, {
    what,
    subjectTail: '',
    summaryTail: '',
    where: account,
    facts: [
      { label: 'Object', value: `s3://${report.bucket}/${report.key}` },
      { label: 'Version', value: report.versionId ?? 'none' },
      { label: 'Account', value: account },
    ],
    resourceId: objectName(report.bucket, report.key, report.versionId),
    releaseOptions: `--object ${report.bucket}/${report.key}${report.versionId ? ` --version-id ${report.versionId}` : ''}`,
    relatedResources: [`arn:aws:s3:::${report.bucket}/${report.key}`],
    contextNames: { bucket: report.bucket, key: report.key, versionId: report.versionId ?? 'none' },
    contextAccount: account,
  });
}

/** Refused, a failed read or step, a release not recorded or not notified: the same rule as the other releases. */
export function objectReleaseFailed(report: ObjectReleaseReport): boolean {
  return releaseFailed(report);
}
