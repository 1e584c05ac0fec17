import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { ResponderError, toStepError } from '../../aws/errors';
import { planStep, type PlannedStep } from '../../plan/types';
import type { ObjectTarget } from '../s3/target';
import { headCopyInput, removeVersionInput, SOURCE_VERSION_META } from './copy-request';
import { COPY_OBJECT_STEP_ID, type VerifiedCopy } from './copy-step';
import { REMOVE_OBJECT_VERSION } from './specs';

/*
 * Copy mode, second change: the version is removed from its bucket (DeleteObject
 * with its VersionId: that version only, permanently; the other versions and
 * the key stay). It requires the copy step done (its verified copy), and
 * looks at the copy once more right before: a copy removed in between means
 * the version stays. Deleting a version already deleted is no error in S3, so
 * a retry after a lost answer changes nothing more.
 */

export const REMOVE_OBJECT_STEP_ID = 'remove-object-version';

export function removeObjectVersionStep(target: ObjectTarget & { readonly versionId: string }, because: string): PlannedStep {
  const where = `s3://${target.bucket}/${target.key} (version ${target.versionId})`;
  return planStep(REMOVE_OBJECT_VERSION, {
    id: REMOVE_OBJECT_STEP_ID,
    title: `Remove ${where} from its bucket, once its copy is verified`,
    action: 's3:DeleteObjectVersion',
    target: `${where} (account ${target.accountId})`,
    parameters: { ...removeVersionInput(target) },
    why: `${because}; the version is removed only after its copy in the quarantine bucket was verified, so that nobody reads it from its bucket again`,
    stage: 2,
    requires: [COPY_OBJECT_STEP_ID],
    run: async (ctx) => {
      const copy = ctx.outputs.get(COPY_OBJECT_STEP_ID) as VerifiedCopy | undefined;
      if (copy === undefined) throw new ResponderError('CopyNotVerified', `no verified copy of ${where} is known: the version is NOT removed`, false);
      const s3 = await ctx.clients.load('s3');
      try {
        const head = await s3.send(new HeadObjectCommand(headCopyInput(copy, target.accountId, copy.versionId)));
        if (head.Metadata?.[SOURCE_VERSION_META] !== target.versionId || head.ContentLength !== copy.contentLength) {
          throw new ResponderError('CopyNotVerified', `s3://${copy.bucket}/${copy.key} version ${copy.versionId} is not the copy verified a moment ago: ${where} is NOT removed`, false);
        }
      } catch (error) {
        if (error instanceof ResponderError) throw error;
        const { code, retryable } = toStepError(error);
        throw new ResponderError(code, `the copy s3://${copy.bucket}/${copy.key} version ${copy.versionId} could not be read again (${code}): ${where} is NOT removed`, retryable);
      }
      await s3.send(new DeleteObjectCommand(removeVersionInput(target)));
      return {
        status: 'done',
        detail: `${where} removed; its copy is s3://${copy.bucket}/${copy.key} version ${copy.versionId} (${copy.verifiedBy})`,
        evidence: { contained: true },
      };
    },
  });
}
