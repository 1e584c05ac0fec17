import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { planStep, type PlannedStep, type StepRunResult } from '../../../plan/types';
import type { NetworkInterfaceFacts } from '../facts';
import { MOVE_NETWORK_INTERFACE } from '../specs';
import { STAGE } from '../stages';
import { groupIdParameter, groupRequires, resolveGroupId, type GroupRef } from './group-ref';
import type { VpcGroupsPlan } from './security-groups';

/*
 * Every ENI, not only the primary one, goes first to the untrack group then
 * to the isolation group. ENIs move in parallel, each to the isolation group
 * as soon as its own untrack move is answered, not the slowest ENI's.
 * ModifyInstanceAttribute Groups would only change the primary ENI.
 */
export function planNetworkInterfaceMoves(networkInterfaces: readonly NetworkInterfaceFacts[], groups: ReadonlyMap<string, VpcGroupsPlan>): PlannedStep[] {
  return networkInterfaces.flatMap((eni) => {
    const vpc = groups.get(eni.vpcId);
    if (!vpc) return [];
    const alreadyIsolated = isOnlyOn(eni, vpc.isolation);
    return [
      moveStep(eni, 'untrack', vpc.untrack, STAGE.untrack, [...vpc.untrackReady], alreadyIsolated),
      // After the untrack move, but not gated on it: if that failed, the isolation group still blocks every new flow.
      { ...moveStep(eni, 'isolation', vpc.isolation, STAGE.isolate, groupRequires(vpc.isolation), alreadyIsolated), follows: untrackStepId(eni) },
    ];
  });
}

function untrackStepId(eni: NetworkInterfaceFacts): string {
  return `untrack:${eni.networkInterfaceId}`;
}

function isOnlyOn(eni: NetworkInterfaceFacts, group: GroupRef): boolean {
  return group.kind === 'existing' && eni.securityGroupIds.length === 1 && eni.securityGroupIds[0] === group.groupId;
}

function moveStep(
  eni: NetworkInterfaceFacts,
  purpose: 'untrack' | 'isolation',
  group: GroupRef,
  stage: number,
  requires: string[],
  alreadyIsolated: boolean,
): PlannedStep {
  const id = eni.networkInterfaceId;
  const already = `${id} is already on the isolation security group only (an earlier response isolated it)`;
  const why =
    purpose === 'untrack'
      ? 'changing security groups does not cut tracked connections; on an allow-all group every flow of the ENI becomes untracked'
      : 'a group with no rules drops every untracked flow at once and every new flow';
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: purpose === 'untrack' ? untrackStepId(eni) : `isolate:${id}`,
    title: `Move ${id} to the ${purpose} security group`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: id,
    parameters: { NetworkInterfaceId: id, Groups: [groupIdParameter(group)] },
    why: alreadyIsolated ? `${already}: skipped, so it is never opened again` : why,
    stage,
    requires,
    run: async (ctx): Promise<StepRunResult> => {
      if (alreadyIsolated) return { status: 'skipped', reason: already };
      const groupId = resolveGroupId(group, ctx);
      await ctx.clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: [groupId] }));
      return { status: 'done', detail: `${id} is on ${groupId}` };
    },
  });
}
