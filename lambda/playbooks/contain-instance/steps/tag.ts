import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { Finding } from '../../../finding/schema';
import { planStep, type PlannedStep } from '../../../plan/types';
import { FINDING_ID_TAG, FINDING_TYPE_TAG, INCIDENT_ID_TAG, ISOLATED_AT_TAG, SEVERITY_TAG } from '../names';
import { TAG_INSTANCE } from '../specs';
import { STAGE } from '../stages';

export interface TagInput {
  readonly instanceId: string;
  readonly finding: Finding;
  readonly incidentId: string;
  readonly now: Date;
  readonly currentTags: Readonly<Record<string, string>>;
}

/** Marks the instance as under investigation, for people and for tools. The first isolation time is kept. */
export function planInstanceTags(input: TagInput): PlannedStep {
  const { instanceId, finding, incidentId, now, currentTags } = input;
  const tags = [
    { Key: INCIDENT_ID_TAG, Value: incidentId },
    { Key: FINDING_ID_TAG, Value: finding.id },
    { Key: FINDING_TYPE_TAG, Value: finding.type },
    { Key: SEVERITY_TAG, Value: String(finding.severity) },
    ...(ISOLATED_AT_TAG in currentTags ? [] : [{ Key: ISOLATED_AT_TAG, Value: now.toISOString() }]),
  ];
  const parameters = { Resources: [instanceId], Tags: tags };
  return planStep(TAG_INSTANCE, {
    id: 'tag-instance',
    title: `Tag ${instanceId} with the incident`,
    action: 'ec2:CreateTags',
    target: instanceId,
    parameters,
    why: 'whoever finds the instance sees that it is isolated, since when, and for which finding',
    stage: STAGE.contain,
    run: async (ctx) => {
      await ctx.clients.ec2.send(new CreateTagsCommand(parameters));
      return { status: 'done' };
    },
  });
}
