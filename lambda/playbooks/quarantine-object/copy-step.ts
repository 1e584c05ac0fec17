import { CopyObjectCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, HeadObjectCommand, type HeadObjectCommandOutput, type PublicAccessBlockConfiguration, type S3Client } from '@aws-sdk/client-s3';
import { ResponderError, toStepError } from '../../aws/errors';
import { planStep, type PlannedStep } from '../../plan/types';
import type { ObjectTarget } from '../s3/target';
import { checkCopy, copyObjectInput, headCopyInput, SOURCE_VERSION_META, NO_VERSION, type QuarantineCopyPlace, type SourceVersion } from './copy-request';
import { RECORD_OBJECT_ID } from './restore-record-step';
import { COPY_OBJECT_VERSION } from './specs';
import { versionRequest } from './tag-request';

/*
 * Copy mode, first change: the version is copied to the quarantine bucket of
 * its own account and the copy verified (copy-request.ts checkCopy). The
 * removal (remove-step.ts) requires this step done, so a version is never
 * removed unless its verified copy exists. Run again (a retry after a lost
 * answer), it copies again: the quarantine bucket is versioned, so a second
 * copy is one more version of the same bytes, never a loss.
 */

export const COPY_OBJECT_STEP_ID = 'copy-object-version';

/** What the removal needs from the copy: where the verified copy is. */
export interface VerifiedCopy {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  readonly contentLength: number;
  readonly verifiedBy: string;
}

export interface CopyObjectArgs {
  readonly target: ObjectTarget;
  readonly place: QuarantineCopyPlace;
  readonly incidentId: string;
  readonly because: string;
}

const GONE = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion']);

function headOf(out: HeadObjectCommandOutput): SourceVersion & { encrypted: 'kms' | 'customer' | 'none' } {
  const sse = out.ServerSideEncryption ?? '';
  return {
    eTag: out.ETag ?? null,
    contentLength: out.ContentLength ?? null,
    contentType: out.ContentType ?? null,
    encrypted: out.SSECustomerAlgorithm ? 'customer' : sse.startsWith('aws:kms') ? 'kms' : 'none',
  };
}

/** The quarantine bucket must be versioned (a copy is never overwritten) and closed to the public before anything goes in. */
async function checkQuarantineBucket(s3: S3Client, place: QuarantineCopyPlace, accountId: string): Promise<void> {
  const fail = (why: string) => new ResponderError('QuarantineBucketUnfit', `the quarantine bucket ${place.bucket} ${why}: nothing is copied, the version stays where it is`, false);
  let versioning: string | undefined;
  try {
    versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket: place.bucket, ExpectedBucketOwner: accountId }))).Status;
  } catch (error) {
    const { code, retryable } = toStepError(error);
    throw new ResponderError(code, `the quarantine bucket ${place.bucket} could not be read in account ${accountId} (GetBucketVersioning: ${code}): nothing is copied`, retryable);
  }
  if (versioning !== 'Enabled') throw fail(`does not have versioning enabled (${versioning ?? 'never enabled'})`);
  let block: PublicAccessBlockConfiguration | undefined;
  try {
    block = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: place.bucket, ExpectedBucketOwner: accountId }))).PublicAccessBlockConfiguration;
  } catch (error) {
    const { code, retryable } = toStepError(error);
    if (code === 'NoSuchPublicAccessBlockConfiguration') throw fail('has no public access block of its own');
    throw new ResponderError(code, `the public access block of the quarantine bucket ${place.bucket} could not be read (${code}): nothing is copied`, retryable);
  }
  const settings = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
  const open = settings.filter((name) => block?.[name] !== true);
  if (open.length > 0) throw fail(`does not block public access (${open.join(', ')} off)`);
}

/** The source version is gone: copied and removed by an earlier run of this step (its copy says so), or by someone else. */
async function earlierCopy(s3: S3Client, args: CopyObjectArgs): Promise<string | null> {
  try {
    const head = await s3.send(new HeadObjectCommand(headCopyInput(args.place, args.target.accountId)));
    return head.Metadata?.[SOURCE_VERSION_META] === (args.target.versionId ?? NO_VERSION) ? (head.VersionId ?? 'null') : null;
  } catch {
    // Not there (or not readable: without s3:ListBucket S3 answers a missing key with AccessDenied): no earlier copy is known.
    return null;
  }
}

export function copyObjectVersionStep(args: CopyObjectArgs): PlannedStep {
  const { target, place } = args;
  const where = `s3://${target.bucket}/${target.key} (version ${target.versionId ?? 'current'})`;
  const to = `s3://${place.bucket}/${place.key}`;
  return planStep(COPY_OBJECT_VERSION, {
    id: COPY_OBJECT_STEP_ID,
    title: `Copy ${where} to ${to} and verify the copy`,
    action: 's3:PutObject',
    target: `${to} (account ${target.accountId})`,
    parameters: { ...copyObjectInput(target, place, { eTag: '<the version\'s ETag>', contentLength: null, contentType: '<the version\'s Content-Type>' }, args.incidentId) },
    why: `${args.because}; the verified copy is the evidence, kept in a versioned quarantine bucket closed to the public, before the version is removed from its bucket`,
    stage: 1,
    requires: [RECORD_OBJECT_ID],
    run: async (ctx) => {
      const s3 = await ctx.clients.load('s3');
      await checkQuarantineBucket(s3, place, target.accountId);
      let source: ReturnType<typeof headOf>;
      try {
        source = headOf(await s3.send(new HeadObjectCommand(versionRequest(target))));
      } catch (error) {
        const { code, retryable } = toStepError(error);
        if (!GONE.has(code)) throw new ResponderError(code, `${where} could not be read (HeadObject: ${code}): nothing is copied`, retryable);
        const copied = await earlierCopy(s3, args);
        if (copied !== null) return { status: 'skipped', reason: `${where} is no longer there and ${to} (version ${copied}) is its copy: quarantined by an earlier run` };
        throw new ResponderError('SourceGone', `${where} is gone (${code}) and ${to} holds no copy of it: find out who removed it (CloudTrail)`, false);
      }
      const copy = await s3.send(new CopyObjectCommand(copyObjectInput(target, place, source, args.incidentId)));
      if (!copy.VersionId) throw new ResponderError('CopyNotVersioned', `S3 gave no version id for the copy at ${to}: it cannot be verified, so ${where} is NOT removed`, false);
      const head = await s3.send(new HeadObjectCommand(headCopyInput(place, target.accountId, copy.VersionId)));
      const check = checkCopy({
        findingSha256: target.hash,
        source,
        copySha256: copy.CopyObjectResult?.ChecksumSHA256 ?? null,
        copyETag: copy.CopyObjectResult?.ETag ?? null,
        copyLength: head.ContentLength ?? null,
        copyMetadata: head.Metadata ?? {},
        sourceVersionId: target.versionId ?? NO_VERSION,
      });
      if (!check.verified) {
        throw new ResponderError('CopyNotVerified', `${to} (version ${copy.VersionId}) could not be verified: ${check.why}. ${where} is NOT removed: compare them by hand`, false);
      }
      const verified: VerifiedCopy = { bucket: place.bucket, key: place.key, versionId: copy.VersionId, contentLength: head.ContentLength!, verifiedBy: check.by };
      return {
        status: 'done',
        detail: `copied to ${to} version ${copy.VersionId}, verified by ${check.by}`,
        output: verified,
        evidence: { quarantineCopy: { bucket: place.bucket, key: place.key, versionId: copy.VersionId, verifiedBy: check.by } },
      };
    },
  });
}
