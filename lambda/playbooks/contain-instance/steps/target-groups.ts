import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { planStep, type PlannedStep } from '../../../plan/types';
import type { Known, TargetGroupMembership, UnreadTargetGroup } from '../facts';
import { DEREGISTER_TARGETS } from '../specs';
import { STAGE } from '../stages';
import { targetsGone } from './already-done';
import { awsCodeOf } from './aws-codes';

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
        try {
          await ctx.clients.elbv2.send(new DeregisterTargetsCommand(parameters));
        } catch (error) {
          // An SDK retry after a lost answer meets its own deregistration (already-done.ts).
          if (awsCodeOf(error) !== 'InvalidTarget' || !(await targetsGone(ctx.clients.elbv2, membership.targetGroupArn, instanceId))) throw error;
          return { status: 'done', detail: `ports ${membership.ports.join(', ')}; already deregistered (an earlier attempt did it)` };
        }
        return { status: 'done', detail: `ports ${membership.ports.join(', ')}` };
      },
    });
  });
  return { steps, warnings };
}
