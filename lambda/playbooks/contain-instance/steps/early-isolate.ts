import { ResponderError } from '../../../aws/errors';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult } from '../../../plan/types';
import { putBackGroupsOf, takeIsolationAnswer, type EarlyMoveFacts } from '../early/early-move';
import type { ReadMoveFacts } from '../early/read-moves';
import { MOVE_INSTANCE_GROUPS, MOVE_NETWORK_INTERFACE } from '../specs';
import { STAGE } from '../stages';
import { sendMove } from './move-time';
import { RECORD_NETWORK_ID } from './restore-record';

/*
 * The steps of an early move (lambda/playbooks/contain-instance/early/), in
 * the plan like any other: the report says what was sent before the reads
 * and when, and a check that says stop undoes it. They were sent before the
 * guards were settled and before the restore record was written, so they
 * run (report, or undo) even when a guard blocks every change
 * (PlannedStep.earlyChange), and the last one holds the guarantee the
 * record gives elsewhere: no response leaves the instance off its own groups
 * without the restore record written. If a guard blocks (GuardDuty's
 * confirmation, the ledger's claim or brake, the exempt or protected tags,
 * dry-run, an account not allowed), the restore record could not be written,
 * or the isolation move failed, the interface is put back on the groups
 * the instance's read saw, and the step says NOT isolated and why.
 */

export const EARLY_UNTRACK_ID = (instanceId: string): string => `early-untrack:${instanceId}`;
export const PUT_BACK_ID = (networkInterfaceId: string): string => `put-back:${networkInterfaceId}`;

/** The first move, as it ended at the response's start (and, if it could not go on, its put-back at once). */
export function earlyUntrackStep(early: EarlyMoveFacts): PlannedStep {
  const { instanceId, untrackGroupId } = early;
  return planStep(MOVE_INSTANCE_GROUPS, {
    id: EARLY_UNTRACK_ID(instanceId),
    title: `Move the network interface of ${instanceId} to the untrack security group, sent at the response's start`,
    action: 'ec2:ModifyInstanceAttribute',
    target: instanceId,
    parameters: { InstanceId: instanceId, Groups: [untrackGroupId] },
    why:
      'sent before any read, beside every check, to the untrack group this container remembered for the VPC: EC2 refuses it for an ' +
      'instance with several network interfaces or a group of another VPC; the group was verified from the read before anything moved on',
    stage: STAGE.untrack,
    earlyChange: true,
    exposedOnFailure: early.seen?.networkInterfaceId ?? instanceId,
    run: () => Promise.resolve(untrackResult(early)),
  });
}

function untrackResult(early: EarlyMoveFacts): StepRunResult {
  const { instanceId, untrackGroupId, isolation, putBack } = early;
  if (isolation.sent) return { status: 'done', detail: `${instanceId} was moved to ${untrackGroupId} before any read` };
  if (!putBack) return { status: 'done', detail: `moved to ${untrackGroupId} before any read; not continued (${isolation.why})` };
  if (putBack.done) {
    return { status: 'done', detail: `moved to ${untrackGroupId} before any read, then put back at once on ${putBack.groupIds.join(', ')}, the groups the read saw: ${isolation.why}` };
  }
  throw new ResponderError(
    'EarlyMoveNotUndone',
    `${instanceId} was moved to the allow-all group ${untrackGroupId} before any read and could not be put back (${putBack.why}); ${isolation.why}`,
    true,
  );
}

/** A move sent before the guards were settled, as its answer came: this step waits for it. */
async function answered(token: string, networkInterfaceId: string, groupId: string): Promise<StepRunResult> {
  const answer = takeIsolationAnswer(token);
  if (!answer) throw new ResponderError('EarlyMoveUnknown', `the move of ${networkInterfaceId} sent early is not known to this process`, false);
  const moved = await answer;
  if (!moved.done) throw new ResponderError(moved.code, moved.message, moved.retryable);
  return { status: 'done', detail: `${networkInterfaceId} is on ${groupId}` };
}

/** The move to the isolation group, sent as soon as the reads were in (or its untrack move answered): this step waits for its answer. */
export function earlyIsolateStep(args: { readonly networkInterfaceId: string; readonly isolationGroupId: string; readonly token: string; readonly follows: string }): PlannedStep {
  const { networkInterfaceId, isolationGroupId, token, follows } = args;
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: `isolate:${networkInterfaceId}`,
    title: `Move ${networkInterfaceId} to the isolation security group`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: networkInterfaceId,
    parameters: { NetworkInterfaceId: networkInterfaceId, Groups: [isolationGroupId] },
    why:
      'a group with no rules drops every untracked flow at once and every new flow; sent once the instance read showed this interface ' +
      'attached and the group was verified, beside the checks (the restore record, the brake): the last step undoes it if one says stop',
    stage: STAGE.isolate,
    follows,
    earlyChange: true,
    run: () => answered(token, networkInterfaceId, isolationGroupId),
  });
}

/** The move to the untrack group by ENI id, sent as soon as the instance's read was in (early/read-moves.ts): this step waits for its answer. */
export function readUntrackStep(move: ReadMoveFacts): PlannedStep {
  const { networkInterfaceId, untrackGroupId, untrackToken } = move;
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: `untrack:${networkInterfaceId}`,
    title: `Move ${networkInterfaceId} to the untrack security group`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: networkInterfaceId,
    parameters: { NetworkInterfaceId: networkInterfaceId, Groups: [untrackGroupId] },
    why:
      'changing security groups does not cut tracked connections; on an allow-all group every flow of the ENI becomes untracked. ' +
      'Sent as soon as the read showed the ENI attached and both groups of its VPC verified, beside the checks: the last step undoes it if one says stop',
    stage: STAGE.untrack,
    earlyChange: true,
    exposedOnFailure: networkInterfaceId,
    run: () => answered(untrackToken, networkInterfaceId, untrackGroupId),
  });
}

/** The steps of the moves sent after the read, per ENI: untrack, isolation, put-back. */
export function readMoveSteps(moves: readonly ReadMoveFacts[]): PlannedStep[] {
  return moves.flatMap((move) => [
    readUntrackStep(move),
    earlyIsolateStep({ networkInterfaceId: move.networkInterfaceId, isolationGroupId: move.isolationGroupId, token: move.isolationToken, follows: `untrack:${move.networkInterfaceId}` }),
    putBackStep(move.networkInterfaceId, move.seenGroupIds),
  ]);
}

/** Why the early moves must be undone, or null: the guards, the restore record and the isolation move all said go. */
function stopReason(ctx: ExecutionContext, networkInterfaceId: string): string | null {
  if (ctx.blockedBy && ctx.blockedBy.length > 0) return `blocked by ${ctx.blockedBy.join(', ')}`;
  const record = ctx.outcomes.find((o) => o.id === RECORD_NETWORK_ID);
  if (record?.status !== 'done') return `the restore record was not written (${record?.status ?? 'not run'}${record?.error ? `: ${record.error.code}` : ''})`;
  const isolate = ctx.outcomes.find((o) => o.id === `isolate:${networkInterfaceId}`);
  if (isolate?.status !== 'done') return `the move to the isolation group did not succeed (${isolate?.status ?? 'not run'}${isolate?.error ? `: ${isolate.error.code}` : ''})`;
  return null;
}

/** The last step of an early move: the interface put back on the groups the read saw (null: not known) when any check said stop. */
export function putBackStep(networkInterfaceId: string, groups: readonly string[] | null): PlannedStep {
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: PUT_BACK_ID(networkInterfaceId),
    title: `Put ${networkInterfaceId} back on the groups it had if any check said stop after the early move`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: networkInterfaceId,
    parameters: { NetworkInterfaceId: networkInterfaceId, Groups: groups ? [...groups] : [] },
    why:
      'the moves went out beside the checks: if GuardDuty does not confirm the finding, the ledger or the brake says no, a guard blocks ' +
      '(exempt, protected, dry-run, account), the restore record cannot be written, or the isolation move failed, the interface goes back ' +
      'to the groups the parallel read saw (no more open than it was found); otherwise nothing is done',
    stage: STAGE.restore,
    earlyChange: true,
    runsPastDeadline: true,
    exposedOnFailure: networkInterfaceId,
    compensates: `isolate:${networkInterfaceId}`,
    run: async (ctx): Promise<StepRunResult> => {
      const stop = stopReason(ctx, networkInterfaceId);
      if (stop === null) return { status: 'skipped', reason: `${networkInterfaceId} is isolated and every check said go: nothing to put back` };
      if (!groups) {
        throw new ResponderError(
          'NoOriginalGroups',
          `NOT isolated as planned: ${stop}, but the groups ${networkInterfaceId} had are not known (the instance's read was answered after the early move): it is left where the moves put it`,
          false,
        );
      }
      await sendMove(ctx, networkInterfaceId, [...groups]);
      return { status: 'done', detail: `NOT isolated: ${stop}; ${networkInterfaceId} is back on ${groups.join(', ')}, the groups the read saw` };
    },
  });
}

/** The steps of an early move that went on to the isolation group: the reported untrack move, the isolation move awaited, the put-back. */
export function earlyMoveSteps(early: EarlyMoveFacts, networkInterfaceId: string, token: string): PlannedStep[] {
  return [
    earlyUntrackStep(early),
    earlyIsolateStep({ networkInterfaceId, isolationGroupId: early.isolationGroupId, token, follows: EARLY_UNTRACK_ID(early.instanceId) }),
    putBackStep(networkInterfaceId, putBackGroupsOf(early)),
  ];
}
