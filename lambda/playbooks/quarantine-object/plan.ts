import { block, pass, type GuardVerdict } from '../../guards/types';
import { OBJECT_UNVERIFIED } from '../../guards/unreadable';
import type { PlanningInput, PlaybookPlan } from '../types';
import { foundValue } from '../s3/lookup';
import { QUARANTINE_TAG_VALUE } from '../../config/s3-quarantine';
import type { QuarantineObjectFacts } from './facts';
import { policyHonoursQuarantineTag } from './policy-statement';
import { objectRestoreRecordStep } from './restore-record-step';
import { tagObjectVersionStep } from './tag-step';

/*
 * Malware in an S3 object: the exact version GuardDuty scanned is tagged so
 * the bucket policy's Deny statement makes it unreadable to everyone but the
 * security team. Never deleted, never overwritten: it is evidence. The
 * version must be read (it exists, in a bucket of the finding's account)
 * before it is changed.
 */

/** Blocks when the read of the version failed (a retry may read it): the retry policy knows it (lambda/guards/unreadable.ts). */
export const OBJECT_VERIFIED = OBJECT_UNVERIFIED;

function verification(facts: QuarantineObjectFacts, where: string, accountId: string): GuardVerdict {
  const { tags } = facts;
  if (tags.state === 'missing') return block(OBJECT_VERIFIED, `${where} does not exist (GetObjectTagging: ${tags.error.code}): nothing to quarantine`);
  if (tags.state === 'failed') {
    return block(
      OBJECT_VERIFIED,
      `${where} could not be verified in a bucket of account ${accountId} (GetObjectTagging with ExpectedBucketOwner: ${tags.error.code}): nothing is changed`,
    );
  }
  return pass(OBJECT_VERIFIED, tags.state === 'not-read' ? `${where} is verified when the plan runs (planned offline)` : `${where} exists in a bucket of account ${accountId}`);
}

export function planQuarantineObject(input: PlanningInput<QuarantineObjectFacts>): PlaybookPlan {
  const { facts, finding, config } = input;
  const { target } = facts;
  if (target.kind === 'untargeted') {
    return { steps: [], warnings: [`${target.why}. Quarantine the object by hand (docs/playbooks-s3.md).`], verdicts: [], resourceTags: {}, resource: { bucket: null } };
  }
  const { tagKey, securityTeamRoleArn } = config.s3Quarantine;
  const where = `s3://${target.bucket}/${target.key} (version ${target.versionId ?? 'current'})`;
  if (facts.tags.state === 'missing') {
    // Nothing left to quarantine: the plan has no change to make, and says where to look.
    return {
      steps: [],
      warnings: [`${where} does not exist (${facts.tags.error.code}): there is nothing to quarantine. Find out in CloudTrail who deleted it, and whether it was copied elsewhere first.`],
      verdicts: [],
      resourceTags: target.tags,
      resource: { bucket: target.bucket, key: target.key, versionId: target.versionId, accountId: target.accountId, state: 'missing' },
    };
  }
  const tags = foundValue(facts.tags) ?? null;
  const policy = facts.bucketPolicy;
  const object = { bucket: target.bucket, key: target.key, accountId: target.accountId, tagKey, exemptRoleArns: securityTeamRoleArn ? [securityTeamRoleArn] : [] };
  const verdict = policy.state === 'found' ? policyHonoursQuarantineTag(policy.value, object) : null;
  const record = objectRestoreRecordStep({ target, incidentId: input.incidentId, findingId: finding.id, region: finding.region ?? null, tags });
  const change = tagObjectVersionStep({ target, tagKey, tagsAtPlanning: tags, because: `GuardDuty found malware in ${where} (${finding.type})`, policy: verdict });
  const warnings: string[] = [];
  if (facts.tags.state === 'not-read') warnings.push(`planned from the finding alone: ${where}, its tags and the bucket policy were not read.`);
  if (target.versionId === null) {
    warnings.push(`the finding names no version of ${target.key} (a bucket without versioning?): the object under the key when the step runs is tagged, which may have been replaced since the scan.`);
  }
  if (verdict !== null && !verdict.honours) {
    warnings.push(
      `the policy of bucket ${target.bucket} does not deny reading versions tagged ${tagKey}=${QUARANTINE_TAG_VALUE} (${verdict.why}): the tag alone does NOT stop anyone reading the object, ` +
        'so the version is tagged but NOT quarantined. Add the statement from docs/playbooks-s3.md to the bucket policy now.',
    );
  } else if (policy.state === 'failed' || policy.state === 'missing') {
    warnings.push(`the policy of bucket ${target.bucket} could not be read (${policy.error.code}): the version is tagged but NOT known to be quarantined; check that the policy denies reading versions tagged ${tagKey}=${QUARANTINE_TAG_VALUE}.`);
  }
  warnings.push(
    `only ${securityTeamRoleArn ?? 'the role the bucket policy exempts'} and principals of account ${target.accountId} the policy exempts can read the version once tagged; it is never deleted. Find who uploaded it (CloudTrail data events) and whether it was read before.`,
  );
  return {
    steps: [record, change],
    warnings,
    verdicts: [verification(facts, where, target.accountId)],
    resourceTags: target.tags,
    resource: {
      bucket: target.bucket,
      key: target.key,
      versionId: target.versionId,
      eTag: target.eTag,
      threatHash: target.hash,
      accountId: target.accountId,
      quarantineTag: `${tagKey}=${QUARANTINE_TAG_VALUE}`,
      policyHonoursTag: verdict === null ? null : verdict.honours,
    },
  };
}
