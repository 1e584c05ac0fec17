import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { Known, TargetGroupMembership, UnreadTargetGroup } from '../facts';
import { DEREGISTER_TARGETS } from '../specs';
import { STAGE } from '../stages';

export interface TargetGroupsPlan {
  readonly steps: PlannedStep[];
  readonly warnings: string[];
}

/** Out of every target group: no more user traffic reaches the compromised instance through a load balancer. */
export function planTargetGroupDeregistration(
  instanceId: string,
  memberships: Known<readonly TargetGroupMembership[]>,
  unread: readonly UnreadTargetGroup[],
): TargetGroupsPlan {
  const warnings = unread.map((g) => `The targets of ${g.targetGroupArn} could not be read (${g.code}): ${instanceId} may still be registered there.`);
  if (!memberships.known) {
    return { steps: [], warnings: [...warnings, `Target group membership is ${memberships.why}: the instance is not deregistered from any target group.`] };
  }
  const steps = memberships.value.map((membership) => {
    const parameters = { TargetGroupArn: membership.targetGroupArn, Targets: membership.ports.map((Port) => ({ Id: instanceId, Port })) };
    return planStep(DEREGISTER_TARGETS, {
      id: `deregister:${membership.targetGroupArn}`,
      title: `Deregister ${instanceId} from target group ${membership.targetGroupName}`,
      action: 'elasticloadbalancing:DeregisterTargets',
      target: membership.targetGroupArn,
      parameters,
      why: 'the load balancer keeps sending user traffic to a registered target; an NLB flow stays tracked by the security-group swap',
      stage: STAGE.contain,
      run: async (ctx) => {
        await ctx.clients.elbv2.send(new DeregisterTargetsCommand(parameters));
        return { status: 'done', detail: `ports ${membership.ports.join(', ')}` };
      },
    });
  });
  return { steps, warnings };
}
