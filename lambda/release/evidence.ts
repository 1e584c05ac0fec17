import { toStepError } from '../aws/errors';
import { JSON_CONTENT_TYPE, putEvidence, putRequest, type EvidenceDestination } from '../evidence/destination';
import { WRITE_EVIDENCE } from '../evidence/specs';
import { stepDocument, type StepReport } from '../plan/document';
import { planStep } from '../plan/types';
import { safeJson } from '../text/untrusted';

/*
 * The record a manual release keeps in the stack's evidence bucket, written
 * as the Lambdas write theirs (lambda/evidence/destination.ts: SSE-KMS under
 * the stack's key, a SHA-256 checksum, the bucket's default Object Lock
 * retention) with the operator's own credentials of the security account.
 * It is written once the release is done and recorded in the ledger, and
 * before the team is told, so the notification can say where it is, or
 * that it could not be kept. Keeping it is a step of the release report:
 * done (with the object's version), skipped (with the reason) or failed
 * (with the AWS error code); a failure undoes nothing (the release stands)
 * and is exit code 3 (cli/exit-codes.ts) when nothing else failed.
 */

export const RELEASE_EVIDENCE_STEP_ID = 'evidence:release.json';

/**
 * Where the record goes (the stack's bucket, with the security account's S3
 * client), and why none is written when `skip` is set (a dry-run shows the
 * bucket and key it would write; a refused release keeps none). Neither: no
 * bucket was given.
 */
export interface ReleaseEvidenceTarget {
  readonly destination?: EvidenceDestination;
  readonly skip?: string;
}

export const NO_EVIDENCE_BUCKET = 'no evidence bucket was given (the stack was not read): the release is recorded in the ledger only';
export const DRY_RUN_EVIDENCE = 'dry-run: nothing is recorded';

/** The step as the report shows it (the Lambda's evidence steps' shape: lambda/evidence/steps.ts). */
function documentOf(target: ReleaseEvidenceTarget, key: string) {
  const { destination } = target;
  return stepDocument(
    planStep(WRITE_EVIDENCE, {
      id: RELEASE_EVIDENCE_STEP_ID,
      title: 'Keep the record of the release',
      action: 's3:PutObject',
      target: destination ? `s3://${destination.bucket}/${key}` : '(no evidence kept)',
      parameters: destination ? { ...putRequest(destination, key, JSON_CONTENT_TYPE), Body: '<the release report, the restore record it used, the operator>' } : {},
      why: 'every manual action leaves a locked record beside the incident, as the Lambda does',
      stage: 1,
      run: () => Promise.reject(new Error('run by keepReleaseEvidence')),
    }),
  );
}

/** Writes the record (or says why not): never throws, a failure is the step's. */
export async function keepReleaseEvidence(target: ReleaseEvidenceTarget, key: string, record: () => unknown): Promise<StepReport> {
  const document = documentOf(target, key);
  const started = Date.now();
  const ended = () => ({ durationMs: Date.now() - started });
  const { destination, skip } = target;
  if (skip !== undefined || !destination) return { ...document, status: 'skipped', reason: skip ?? NO_EVIDENCE_BUCKET, ...ended() };
  try {
    const detail = await putEvidence(destination, key, JSON_CONTENT_TYPE, `${safeJson(record(), 2)}\n`);
    return { ...document, status: 'done', detail, ...ended() };
  } catch (error) {
    return { ...document, status: 'failed', error: toStepError(error), ...ended() };
  }
}
