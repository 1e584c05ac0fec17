import { AttachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { AssociateIamInstanceProfileCommand, DeleteTagsCommand, ModifyInstanceAttributeCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RecordedTargetGroup } from '../ledger/restore-record';
import { planStep, type PlannedStep } from '../plan/types';
import { describeProfile, type ProfileSpecifier, type RecordedGroups } from './record';
import { REMOVE_INCIDENT_TAGS, RESTORE_AUTO_SCALING, RESTORE_INSTANCE_PROFILE, RESTORE_NETWORK_INTERFACE, RESTORE_TARGET_GROUP, RESTORE_TERMINATION_PROTECTION } from './specs';

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

/* From the ledger's record only: the tags never held these. */

export function attachToAutoScalingStep(instanceId: string, groupName: string): PlannedStep {
  const parameters = { InstanceIds: [instanceId], AutoScalingGroupName: groupName };
  return planStep(RESTORE_AUTO_SCALING, {
    id: 'restore-auto-scaling-group',
    title: `Attach ${instanceId} to Auto Scaling group ${groupName} again`,
    action: 'autoscaling:AttachInstances',
    target: groupName,
    parameters,
    why: 'the containment detached it; attaching grows the desired capacity by one, so the replacement the group launched stays until you scale in',
    stage: RELEASE_STAGE.restore,
    run: async (ctx) => {
      await ctx.clients.autoScaling.send(new AttachInstancesCommand(parameters));
      return { status: 'done', detail: `${instanceId} is in ${groupName}` };
    },
  });
}

export function registerTargetsStep(instanceId: string, group: RecordedTargetGroup): PlannedStep {
  const parameters = { TargetGroupArn: group.targetGroupArn, Targets: group.ports.map((Port) => ({ Id: instanceId, Port })) };
  return planStep(RESTORE_TARGET_GROUP, {
    id: `restore-target-group:${group.targetGroupArn}`,
    title: `Register ${instanceId} in target group ${group.targetGroupArn} again`,
    action: 'elasticloadbalancing:RegisterTargets',
    target: group.targetGroupArn,
    parameters,
    why: `the containment deregistered it (ports ${group.ports.join(', ')}); the load balancer sends it traffic again once it is healthy`,
    stage: RELEASE_STAGE.restore,
    run: async (ctx) => {
      await ctx.clients.elbv2.send(new RegisterTargetsCommand(parameters));
      return { status: 'done', detail: `ports ${group.ports.join(', ')}` };
    },
  });
}

export function terminationProtectionOffStep(instanceId: string): PlannedStep {
  const parameters = { InstanceId: instanceId, DisableApiTermination: { Value: false } };
  return planStep(RESTORE_TERMINATION_PROTECTION, {
    id: 'restore-termination-protection',
    title: `Turn termination protection of ${instanceId} off again`,
    action: 'ec2:ModifyInstanceAttribute',
    target: instanceId,
    parameters,
    why: 'it was off before the containment turned it on (the ledger says so)',
    stage: RELEASE_STAGE.restore,
    run: async (ctx) => {
      await ctx.clients.ec2.send(new ModifyInstanceAttributeCommand(parameters));
      return { status: 'done' };
    },
  });
}
