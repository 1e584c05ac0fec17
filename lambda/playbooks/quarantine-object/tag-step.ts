import { PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { ResponderError } from '../../aws/errors';
import { planStep, type PlannedStep, type StepEvidence } from '../../plan/types';
import type { ObjectTarget } from '../s3/target';
import { QUARANTINE_TAG_VALUE } from '../../config/s3-quarantine';
import { MAX_OBJECT_TAGS, type ObjectTag } from './facts';
import { RECORD_OBJECT_ID } from './restore-record-step';
import type { PolicyVerdict } from './policy-statement';
import { TAG_OBJECT_VERSION } from './specs';
import { quarantineTagSet, tagObjectInput } from './tag-request';

export const TAG_OBJECT_STEP_ID = 'tag-object-version';

export interface TagObjectArgs {
  readonly target: ObjectTarget;
  readonly tagKey: string;
  /** The version's tags as discovery read them: written back with the quarantine tag; null when not read (offline). */
  readonly tagsAtPlanning: readonly ObjectTag[] | null;
  readonly because: string;
  /** Whether the bucket policy makes the tag effective (policy-statement.ts); null: the policy was not read. */
  readonly policy: PolicyVerdict | null;
}

/** What the tag achieves, in the step's own words: a tag the policy does not honour is said NOT to quarantine (the summary and subject say it too). */
function effectOf(policy: PolicyVerdict | null, bucket: string): { said: string; evidence: StepEvidence } {
  if (policy === null) return { said: `tagged, NOT known to be quarantined: the policy of bucket ${bucket} was not read`, evidence: { contained: false } };
  if (!policy.honours) return { said: `tagged, NOT quarantined: the policy of bucket ${bucket} does not deny reading it (${policy.why})`, evidence: { contained: false } };
  return { said: `quarantined: the policy of bucket ${bucket} denies reading it`, evidence: { contained: true } };
}

export function tagObjectVersionStep(args: TagObjectArgs): PlannedStep {
  const { target, tagKey } = args;
  const shown = args.tagsAtPlanning === null ? { ...tagObjectInput(target, [], tagKey), Tagging: `<the version's tags when the step runs, plus ${tagKey}=${QUARANTINE_TAG_VALUE}>` } : tagObjectInput(target, args.tagsAtPlanning, tagKey);
  return planStep(TAG_OBJECT_VERSION, {
    id: TAG_OBJECT_STEP_ID,
    title: `Tag s3://${target.bucket}/${target.key} (version ${target.versionId ?? 'current'}) ${tagKey}=${QUARANTINE_TAG_VALUE}`,
    action: target.versionId ? 's3:PutObjectVersionTagging' : 's3:PutObjectTagging',
    target: `s3://${target.bucket}/${target.key} (account ${target.accountId})`,
    parameters: { ...shown },
    why: `${args.because}; the bucket policy's Deny statement refuses reading a version with this tag to everyone but the security team. The version is kept (never deleted): it is evidence`,
    stage: 1,
    requires: [RECORD_OBJECT_ID],
    run: async (ctx) => {
      const recorded = args.tagsAtPlanning === null ? null : { tags: args.tagsAtPlanning };
      if (!recorded) throw new ResponderError('TagsNotRead', 'the tags of the version were not read: writing the quarantine tag would drop them, so nothing is changed', false);
      const effect = effectOf(args.policy, target.bucket);
      if (recorded.tags.some((tag) => tag.Key === tagKey && tag.Value === QUARANTINE_TAG_VALUE)) {
        return { status: 'skipped', reason: `the version already carries ${tagKey}=${QUARANTINE_TAG_VALUE}; ${effect.said}` };
      }
      const { tagSet, dropped } = quarantineTagSet(recorded.tags, tagKey);
      const s3 = await ctx.clients.load('s3');
      await s3.send(new PutObjectTaggingCommand(tagObjectInput(target, recorded.tags, tagKey)));
      const kept = tagSet.length - 1;
      const droppedSaid = dropped === null ? '' : ` (its tag ${dropped.Key}=${dropped.Value} left out to make room, S3 allows ${MAX_OBJECT_TAGS}: ${ctx.restoreLedger ? 'the restore record' : 'this report (no ledger)'} holds it)`;
      return {
        status: 'done',
        detail: `${effect.said}; the version carries ${tagKey}=${QUARANTINE_TAG_VALUE} and ${kept} of its earlier tag(s)${droppedSaid}`,
        evidence: { ...effect.evidence, ...(dropped === null ? {} : { droppedTag: { Key: dropped.Key, Value: dropped.Value } }) },
      };
    },
  });
}
