import { ResponderError, toStepError } from '../../aws/errors';
import { objectName, objectRestoreKey, type RecordedObjectQuarantine } from '../../ledger/restore-record';
import { planStep, type PlannedStep } from '../../plan/types';
import type { ObjectTarget } from '../s3/target';
import type { ObjectTag } from './facts';
import { RECORD_OBJECT_RESTORE_STATE } from './specs';

/*
 * The restore record of an object version: its tags as discovery read them
 * a moment before (PutObjectTagging replaces the whole set, so the tag step
 * writes exactly these plus the quarantine tag), first record wins. The tag
 * step requires this one: without the record, nothing is changed.
 */

export const RECORD_OBJECT_ID = 'record-restore:object';

export interface ObjectRecordArgs {
  readonly target: ObjectTarget;
  readonly incidentId: string;
  readonly findingId: string;
  readonly region: string | null;
  /** The version's tags as GetObjectTagging gave them; null when they were not read (offline). */
  readonly tags: readonly ObjectTag[] | null;
  /** How the version is quarantined, and in copy mode where the copy goes: a release reads it. */
  readonly quarantine: RecordedObjectQuarantine;
}

const NO_LEDGER = 'not written: this response has no incident ledger (ir respond, or a stack without one)';

export function objectRestoreRecordStep(args: ObjectRecordArgs): PlannedStep {
  const { target, tags } = args;
  const key = objectRestoreKey(target.accountId, target.bucket, target.key, target.versionId);
  return planStep(RECORD_OBJECT_RESTORE_STATE, {
    id: RECORD_OBJECT_ID,
    title: `Record the tags of s3://${target.bucket}/${target.key} (version ${target.versionId ?? 'current'}) in the ledger`,
    action: 'dynamodb:UpdateItem',
    target: key,
    parameters: { Key: key, record: { objectTags: tags ?? '<GetObjectTagging of the version>', objectQuarantine: args.quarantine } },
    why:
      args.quarantine.mode === 'tag'
        ? 'before the change: the tag step keeps exactly these tags, and a release puts them back without the quarantine tag'
        : 'before the change: where the copy goes and the version\'s tags (the copy does not carry them), for a release to copy it back',
    stage: 0,
    run: async (ctx) => {
      if (!ctx.restoreLedger) return { status: 'done', detail: NO_LEDGER };
      if (tags === null) throw new ResponderError('OriginalNotRead', 'the tags of the object version were not read, so they cannot be recorded: nothing is changed', false);
      try {
        await ctx.restoreLedger.record({
          key,
          kind: 'object',
          resourceId: objectName(target.bucket, target.key, target.versionId),
          accountId: target.accountId,
          region: args.region ?? 'global',
          incidentId: args.incidentId,
          findingId: args.findingId,
          facts: { objectTags: tags, objectQuarantine: args.quarantine },
        });
      } catch (error) {
        const { code, message, retryable } = toStepError(error);
        throw new ResponderError(code, `the restore record could not be written, so nothing is changed: ${message}`, retryable);
      }
      return { status: 'done', detail: `${ctx.restoreLedger.tableName} ${key}: originals recorded where not recorded before` };
    },
  });
}
