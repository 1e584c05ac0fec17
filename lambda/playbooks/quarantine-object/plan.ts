import { block, pass, type GuardVerdict } from '../../guards/types';
import { OBJECT_UNVERIFIED } from '../../guards/unreadable';
import type { PlanningInput, PlaybookPlan } from '../types';
import { foundValue } from '../s3/lookup';
import { policyGuardsQuarantineTag, policyHonoursQuarantineTag, quarantineExemptions } from './policy-statement';
import { objectRestoreRecordStep } from './restore-record-step';
import { tagObjectVersionStep } from './tag-step';
import { QUARANTINE_TAG_VALUE, quarantineBucketName, type S3QuarantineConfig } from '../../config/s3-quarantine';
import type { ObjectTarget } from '../s3/target';
import { quarantineCopyKey, type QuarantineCopyPlace } from './copy-request';
import { copyObjectVersionStep } from './copy-step';
import { removeObjectVersionStep } from './remove-step';
import type { ObjectTag, QuarantineObjectFacts } from './facts';

/*
 * Malware in an S3 object, as s3Quarantine.mode says. Tag mode: the exact
 * version GuardDuty scanned is tagged so the bucket policy's Deny statement
 * makes it unreadable to everyone but the security team; never deleted,
 * never overwritten. Copy mode: the version is copied to the quarantine
 * bucket, the copy verified, and only then that version removed: the copy
 * is the evidence. Either way the version must be read (it exists, in a
 * bucket of the finding's account) before it is changed.
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

/** Copy mode: the quarantine bucket of the finding's account and region, and the key the version is copied to; null without a bucket or a region. */
function copyPlaceOf(quarantine: S3QuarantineConfig, target: ObjectTarget, region: string | null): QuarantineCopyPlace | null {
  if (quarantine.mode !== 'copy' || quarantine.quarantineBucket === undefined || region === null) return null;
  return { bucket: quarantineBucketName(quarantine.quarantineBucket, target.accountId, region), key: quarantineCopyKey(target) };
}

interface CopyPlanning {
  readonly input: PlanningInput<QuarantineObjectFacts>;
  readonly target: ObjectTarget;
  readonly where: string;
  readonly tags: readonly ObjectTag[] | null;
  readonly place: QuarantineCopyPlace | null;
}

/**
 * Copy mode: record (where the copy goes, the version's tags), copy and
 * verify, then remove that version. A finding without a version id gets the
 * copy but no removal: a delete without a VersionId would remove whatever is
 * under the key now, which may not be what was scanned.
 */
function planCopy({ input, target, where, tags, place }: CopyPlanning): PlaybookPlan {
  const { finding, facts } = input;
  const resource = { bucket: target.bucket, key: target.key, versionId: target.versionId, eTag: target.eTag, threatHash: target.hash, accountId: target.accountId, quarantine: 'copy' };
  if (place === null) {
    return {
      steps: [],
      warnings: [`the finding names no region, so the quarantine bucket of ${target.accountId} cannot be named: nothing is copied. Quarantine ${where} by hand (docs/playbooks-s3.md).`],
      verdicts: [verification(facts, where, target.accountId)],
      resourceTags: target.tags,
      resource,
    };
  }
  if (target.bucket === place.bucket) {
    // Malware Protection may scan the quarantine bucket too: its own copies are the evidence, never copied again nor removed.
    return {
      steps: [],
      warnings: [`${where} is in the quarantine bucket itself: it is a quarantined copy (the evidence), so it is neither copied again nor removed.`],
      verdicts: [verification(facts, where, target.accountId)],
      resourceTags: target.tags,
      resource,
    };
  }
  const because = `GuardDuty found malware in ${where} (${finding.type})`;
  const record = objectRestoreRecordStep({ target, incidentId: input.incidentId, findingId: finding.id, region: finding.region ?? null, tags, quarantine: { mode: 'copy', ...place } });
  const copy = copyObjectVersionStep({ target, place, incidentId: input.incidentId, because });
  const warnings: string[] = [];
  if (facts.tags.state === 'not-read') warnings.push(`planned from the finding alone: ${where} and its tags were not read.`);
  const steps = [record, copy];
  if (target.versionId !== null) {
    steps.push(removeObjectVersionStep({ ...target, versionId: target.versionId }, because));
  } else {
    warnings.push(
      `the finding names no version of ${target.key} (a bucket without versioning?): the object is copied but NOT removed, since a delete without a version id would remove whatever is under the key now. Remove it by hand once the copy is checked.`,
    );
  }
  warnings.push(
    `the version is copied to s3://${place.bucket}/${place.key} (the copy is the evidence; its tags are in the restore record) and removed from ${target.bucket} only once the copy is verified. Find who uploaded it (CloudTrail data events) and whether it was read before.`,
  );
  return { steps, warnings, verdicts: [verification(facts, where, target.accountId)], resourceTags: target.tags, resource: { ...resource, quarantineCopy: `s3://${place.bucket}/${place.key}` } };
}

export function planQuarantineObject(input: PlanningInput<QuarantineObjectFacts>): PlaybookPlan {
  const { facts, finding, config } = input;
  const { target } = facts;
  if (target.kind === 'untargeted') {
    return { steps: [], warnings: [`${target.why}. Quarantine the object by hand (docs/playbooks-s3.md).`], verdicts: [], resourceTags: {}, resource: { bucket: null } };
  }
  const { tagKey, securityTeamRoleArn } = config.s3Quarantine;
  const where = `s3://${target.bucket}/${target.key} (version ${target.versionId ?? 'current'})`;
  const place = copyPlaceOf(config.s3Quarantine, target, finding.region ?? null);
  if (facts.tags.state === 'missing') {
    // Nothing left to quarantine: the plan has no change to make, and says where to look.
    const copied = place ? ` In copy mode an earlier response may have quarantined it already: look for s3://${place.bucket}/${place.key}.` : '';
    return {
      steps: [],
      warnings: [`${where} does not exist (${facts.tags.error.code}): there is nothing to quarantine.${copied} Find out in CloudTrail who deleted it, and whether it was copied elsewhere first.`],
      verdicts: [],
      resourceTags: target.tags,
      resource: { bucket: target.bucket, key: target.key, versionId: target.versionId, accountId: target.accountId, state: 'missing' },
    };
  }
  const tags = foundValue(facts.tags) ?? null;
  if (config.s3Quarantine.mode === 'copy') return planCopy({ input, target, where, tags, place });
  const policy = facts.bucketPolicy;
  const exemptRoleArns = quarantineExemptions({ partition: finding.partition, accountId: target.accountId, memberRoleName: config.memberRoleName, securityTeamRoleArn });
  const object = { bucket: target.bucket, key: target.key, accountId: target.accountId, tagKey, exemptRoleArns };
  const verdict = policy.state === 'found' ? policyHonoursQuarantineTag(policy.value, object) : null;
  const record = objectRestoreRecordStep({ target, incidentId: input.incidentId, findingId: finding.id, region: finding.region ?? null, tags, quarantine: { mode: 'tag', tagKey } });
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
  } else if (verdict !== null && policy.state === 'found' && !policyGuardsQuarantineTag(policy.value, object)) {
    warnings.push(
      `the policy of bucket ${target.bucket} does not deny changing the tags of a version tagged ${tagKey}=${QUARANTINE_TAG_VALUE}: anyone allowed s3:PutObjectTagging on it can take the quarantine off. ` +
        'Add the tagging statement from docs/playbooks-s3.md, or deny it by SCP.',
    );
  } else if (policy.state === 'failed' || policy.state === 'missing') {
    warnings.push(`the policy of bucket ${target.bucket} could not be read (${policy.error.code}): the version is tagged but NOT known to be quarantined; check that the policy denies reading versions tagged ${tagKey}=${QUARANTINE_TAG_VALUE}.`);
  }
  warnings.push(
    `once tagged, the version is readable only by ${exemptRoleArns.join(' and ')} (the bucket policy may exempt no one else)${securityTeamRoleArn === undefined ? '; s3Quarantine.securityTeamRoleArn is not set, so only the member role' : ''}; it is never deleted. Find who uploaded it (CloudTrail data events) and whether it was read before.`,
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
