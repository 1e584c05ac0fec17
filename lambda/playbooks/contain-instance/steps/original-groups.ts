import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { planStep, type PlannedStep, type StepRunResult } from '../../../plan/types';
import { untrusted } from '../../../text/untrusted';
import type { NetworkInterfaceFacts } from '../facts';
import { MAX_TAG_VALUE_LENGTH, originalSgsTagKey } from '../names';
import { RECORD_ORIGINAL_GROUPS } from '../specs';

export interface OriginalGroupsInput {
  readonly instanceId: string;
  readonly networkInterfaces: readonly NetworkInterfaceFacts[];
  readonly tags: Readonly<Record<string, string>>;
  /** The responder's own groups: an ENI already on them has lost its original groups. */
  readonly responderGroupIds: ReadonlySet<string>;
  readonly stage: number;
}

export interface OriginalGroupsPlan {
  readonly step: PlannedStep | null;
  readonly warnings: string[];
}

/*
 * The original groups of each ENI are written on the instance before (or
 * with) the first move, so the instance can be restored. A record already
 * on the instance is not trusted as such: whoever can tag the instance (its
 * own role, an attacker on it) can write one, and the in-run restore and
 * `ir release` would then put the ENI on a group of their choosing. So a
 * record is kept only while the ENI is on the responder's groups (an earlier
 * run isolated it, or stopped halfway): then its own groups are gone and the
 * record is all that is left of them. An ENI on its own groups is recorded
 * as it is now, over any record that says otherwise, and the report names
 * the value discarded.
 */
export function planOriginalGroupsRecord(input: OriginalGroupsInput): OriginalGroupsPlan {
  const warnings: string[] = [];
  const tags: { Key: string; Value: string }[] = [];
  const kept: string[] = [];
  for (const eni of input.networkInterfaces) {
    const key = originalSgsTagKey(eni.networkInterfaceId);
    const recorded = input.tags[key];
    if (eni.securityGroupIds.some((g) => input.responderGroupIds.has(g))) {
      if (recorded !== undefined) kept.push(key);
      else warnings.push(`${eni.networkInterfaceId} is already on the responder's security groups and no record of its original groups exists; nothing is recorded for it.`);
      continue;
    }
    const { value, dropped } = fitTagValue(eni.securityGroupIds);
    if (dropped.length > 0) {
      warnings.push(`The original security groups of ${eni.networkInterfaceId} do not fit in one tag value; ${dropped.join(' ')} are only in this report.`);
    }
    if (recorded === value) {
      kept.push(key);
      continue;
    }
    if (recorded !== undefined) {
      warnings.push(
        `The instance's record ${key} said ${untrusted(JSON.stringify(recorded))}, but ${eni.networkInterfaceId} is on its own groups (${value}), not the responder's: ` +
          'no response isolated it, so that record was not written by one. It is overwritten with the groups the ENI is on now, which are the ones ' +
          'restored. Find out who tagged the instance.',
      );
    }
    tags.push({ Key: key, Value: value });
  }
  if (input.networkInterfaces.length === 0) return { step: null, warnings };

  const parameters = { Resources: [input.instanceId], Tags: tags };
  const nothingToWrite =
    kept.length > 0
      ? `already recorded (${kept.join(', ')}): the record of an ENI on the responder's groups, or the groups the ENI is on now, is kept`
      : "nothing left to record: the ENIs are already on the responder's security groups";
  const step = planStep(RECORD_ORIGINAL_GROUPS, {
    id: 'record-original-sgs',
    title: `Record the original security groups of each ENI on ${input.instanceId}`,
    action: 'ec2:CreateTags',
    target: input.instanceId,
    parameters,
    why: tags.length === 0 ? `${nothingToWrite}: skipped` : 'so the instance can be restored to its security groups after the investigation',
    stage: input.stage,
    run: async (ctx): Promise<StepRunResult> => {
      if (tags.length === 0) return { status: 'skipped', reason: nothingToWrite };
      await ctx.clients.ec2.send(new CreateTagsCommand(parameters));
      return { status: 'done', detail: tags.map((t) => `${t.Key}=${t.Value}`).join('; ') };
    },
  });
  return { step, warnings };
}

/** Space-separated group ids, whole ids only, within the tag value limit. */
function fitTagValue(groupIds: readonly string[]): { value: string; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const id of groupIds) {
    const candidate = [...kept, id].join(' ');
    if (dropped.length === 0 && candidate.length <= MAX_TAG_VALUE_LENGTH) kept.push(id);
    else dropped.push(id);
  }
  return { value: kept.join(' '), dropped };
}
