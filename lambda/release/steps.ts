import { AssociateIamInstanceProfileCommand, DeleteTagsCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { planStep, type PlannedStep } from '../plan/types';
import { describeProfile, type ProfileSpecifier, type RecordedGroups } from './record';
import { REMOVE_INCIDENT_TAGS, RESTORE_INSTANCE_PROFILE, RESTORE_NETWORK_INTERFACE } from './specs';

/* The three kinds of step a release takes. Restores run together; the tags go only once every restore is done. */

export const RELEASE_STAGE = {
  restore: 1,
  removeTags: 2,
} as const;

export function restoreGroupsStep(recorded: RecordedGroups, currentGroupIds: readonly string[]): PlannedStep {
  const { networkInterfaceId, groupIds } = recorded;
  const parameters = { NetworkInterfaceId: networkInterfaceId, Groups: [...groupIds] };
  return planStep(RESTORE_NETWORK_INTERFACE, {
    id: `restore-groups:${networkInterfaceId}`,
    title: `Put ${networkInterfaceId} back on ${groupIds.join(', ')}`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: networkInterfaceId,
    parameters,
    why: `the groups recorded before isolation (now on ${currentGroupIds.join(', ') || 'no group'})`,
    stage: RELEASE_STAGE.restore,
    run: async (ctx) => {
      await ctx.clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand(parameters));
      return { status: 'done', detail: `${networkInterfaceId} is on ${groupIds.join(', ')}` };
    },
  });
}

export function restoreProfileStep(instanceId: string, profile: ProfileSpecifier): PlannedStep {
  const parameters = { InstanceId: instanceId, IamInstanceProfile: { ...profile } };
  return planStep(RESTORE_INSTANCE_PROFILE, {
    id: 'restore-instance-profile',
    title: `Associate instance profile ${describeProfile(profile)} with ${instanceId} again`,
    action: 'ec2:AssociateIamInstanceProfile',
    target: instanceId,
    parameters,
    why: 'the containment took this profile off the instance; it gets credentials again',
    stage: RELEASE_STAGE.restore,
    run: async (ctx) => {
      const result = await ctx.clients.ec2.send(new AssociateIamInstanceProfileCommand(parameters));
      return { status: 'done', detail: `association ${result.IamInstanceProfileAssociation?.AssociationId ?? 'created'}` };
    },
  });
}

/** Without a Value, DeleteTags removes the key whatever its value. */
export function removeTagsStep(instanceId: string, keys: readonly string[], requires: readonly string[]): PlannedStep {
  const parameters = { Resources: [instanceId], Tags: keys.map((Key) => ({ Key })) };
  return planStep(REMOVE_INCIDENT_TAGS, {
    id: 'remove-incident-tags',
    title: `Remove the incident tags from ${instanceId}`,
    action: 'ec2:DeleteTags',
    target: instanceId,
    parameters,
    why: 'the instance is no longer contained; only after every restore is done, so a failed one can be run again from the same record',
    stage: RELEASE_STAGE.removeTags,
    requires,
    run: async (ctx) => {
      await ctx.clients.ec2.send(new DeleteTagsCommand(parameters));
      return { status: 'done', detail: keys.join(', ') };
    },
  });
}
