import { DetachInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { AutoScalingMembership, Known } from '../facts';
import { DETACH_FROM_AUTO_SCALING } from '../specs';
import { STAGE } from '../stages';

export interface AutoScalingPlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

/** Lifecycle states in which the instance is already leaving the group. */
const LEAVING = /^(Detaching|Detached|Terminating|Terminated)/;

/*
 * Out of its group, the instance is not replaced by terminating it (the
 * group would destroy the evidence on a failed health check). Desired
 * capacity stays the same, so the group launches a clean replacement.
 */
export function planAutoScalingDetach(instanceId: string, membership: Known<AutoScalingMembership | null>): AutoScalingPlan {
  if (!membership.known) {
    return { steps: [], warnings: [`Auto Scaling group membership is ${membership.why}: the instance is not detached from any group.`] };
  }
  const group = membership.value;
  if (!group) return { steps: [], warnings: [] };
  if (LEAVING.test(group.lifecycleState)) {
    return { steps: [], warnings: [`${instanceId} is already leaving Auto Scaling group ${group.groupName} (${group.lifecycleState}).`] };
  }
  const parameters = { InstanceIds: [instanceId], AutoScalingGroupName: group.groupName, ShouldDecrementDesiredCapacity: false };
  const step = planStep(DETACH_FROM_AUTO_SCALING, {
    id: 'detach-from-auto-scaling-group',
    title: `Detach ${instanceId} from Auto Scaling group ${group.groupName}`,
    action: 'autoscaling:DetachInstances',
    target: group.groupName,
    parameters,
    why: 'the group would terminate the isolated instance as unhealthy; without decrementing, it launches a clean replacement',
    stage: STAGE.contain,
    run: async (ctx) => {
      const result = await ctx.clients.autoScaling.send(new DetachInstancesCommand(parameters));
      const activity = result.Activities?.[0]?.ActivityId;
      return { status: 'done', ...(activity ? { detail: `activity ${activity}` } : {}) };
    },
  });
  return { steps: [step], warnings: [] };
}
