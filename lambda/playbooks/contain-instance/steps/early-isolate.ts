import { ResponderError } from '../../../aws/errors';
import { LEFT_CLOSED_OWN_STATE_UNKNOWN } from '../../../plan/exposed';
import { holderUnknown, isRepeatDelivery } from '../../../plan/repeat-delivery';
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
 * the instance's read saw, and the step says NOT isolated and why. It is
 * never left on the allow-all group: with no groups known from a read made
 * before the move, or for a delivery that does not hold the incident (which
 * never puts back), it stays on, or is sent to, the isolation group.
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
    // Closed on the isolation group when it could not be put back: not exposed, said as such (untrackResult).
    ...(early.putBack && !early.putBack.done && early.putBack.closedOn ? {} : { exposedOnFailure: early.seen?.networkInterfaceId ?? instanceId }),
    run: () => Promise.resolve(untrackResult(early)),
  });
}

function untrackResult(early: EarlyMoveFacts): StepRunResult {
  const { instanceId, untrackGroupId, isolation, putBack, untrack } = early;
  // Not answered (a timeout, a throttle, a 5xx): EC2 may have applied it, so it was handled as if it had.
  const moved = untrack.landed && untrack.unanswered ? `may have been moved to ${untrackGroupId} (${untrack.unanswered.code}: not answered)` : `was moved to ${untrackGroupId}`;
  if (isolation.sent) return { status: 'done', detail: `${instanceId} ${moved} before any read` };
  if (!putBack) return { status: 'done', detail: `${instanceId} ${moved} before any read; not continued (${isolation.why})` };
  if (putBack.done) {
    return { status: 'done', detail: `${instanceId} ${moved} before any read, then put back at once on ${putBack.groupIds.join(', ')}, the groups the read saw: ${isolation.why}` };
  }
  if (putBack.closedOn) {
    throw new ResponderError(
      LEFT_CLOSED_OWN_STATE_UNKNOWN,
      `${instanceId} ${moved} before any read and could not be put back: ${putBack.why}; ${isolation.why}. It was moved to the isolation group ` +
        `${putBack.closedOn} instead (closed), NOT left on the allow-all group. Its own groups are not known from any read; the finding lists ` +
        `${listedOf(early)} (UNVERIFIED: a finding can be forged). Release it by hand once checked`,
      true,
    );
  }
  throw new ResponderError(
    'EarlyMoveNotUndone',
    `${instanceId} ${moved} (the allow-all group) before any read and could be neither put back nor closed on the isolation group (${putBack.why}); ${isolation.why}. ` +
      `The finding lists ${listedOf(early)} (UNVERIFIED)`,
    true,
  );
}

const listedOf = (early: EarlyMoveFacts): string => (early.listedGroupIds.length > 0 ? early.listedGroupIds.join(', ') : 'no group');

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
    putBackStep(move.networkInterfaceId, move.seenGroupIds, move.isolationGroupId),
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

/**
 * The last step of an early move, when any check said stop: the interface put back on the groups a read made
 * before the moves saw. Never left on the allow-all group: when those groups are not known (null), or the
 * delivery does not hold the incident (REPEAT_DELIVERY: the holder relies on the isolation move, so it is never
 * undone here), the interface stays on, or is sent again to, the isolation group.
 */
export function putBackStep(networkInterfaceId: string, groups: readonly string[] | null, isolationGroupId: string): PlannedStep {
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: PUT_BACK_ID(networkInterfaceId),
    title: `Put ${networkInterfaceId} back on the groups it had if any check said stop after the early move`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: networkInterfaceId,
    parameters: { NetworkInterfaceId: networkInterfaceId, Groups: groups ? [...groups] : [isolationGroupId] },
    why:
      'the moves went out beside the checks: if GuardDuty does not confirm the finding, the ledger or the brake says no, a guard blocks ' +
      '(exempt, protected, dry-run, account), the restore record cannot be written, or the isolation move failed, the interface goes back ' +
      'to the groups the parallel read saw (no more open than it was found); if those are not known, or another delivery holds the incident, ' +
      'it stays on the isolation group; otherwise nothing is done',
    stage: STAGE.restore,
    earlyChange: true,
    runsPastDeadline: true,
    exposedOnFailure: networkInterfaceId,
    compensates: `isolate:${networkInterfaceId}`,
    run: async (ctx): Promise<StepRunResult> => {
      const stop = stopReason(ctx, networkInterfaceId);
      if (stop === null) return { status: 'skipped', reason: `${networkInterfaceId} is isolated and every check said go: nothing to put back` };
      const isolated = ctx.outcomes.find((o) => o.id === `isolate:${networkInterfaceId}`)?.status === 'done';
      if (isRepeatDelivery(ctx.blockedBy)) {
        // Another delivery holds the incident and counts on this interface being isolated: never put back here.
        if (isolated) return { status: 'skipped', reason: `another delivery holds the incident: ${networkInterfaceId} is left to it on the isolation group ${isolationGroupId}, NOT put back` };
        await sendMove(ctx, networkInterfaceId, [isolationGroupId]);
        return { status: 'done', detail: `another delivery holds the incident; this delivery's isolation move had failed, so ${networkInterfaceId} was moved to ${isolationGroupId} again, NOT put back` };
      }
      if (holderUnknown(ctx.blockedBy)) {
        // Another delivery may hold the incident (the claim's answer is not known) and count on this interface being isolated.
        if (!isolated) await sendMove(ctx, networkInterfaceId, [isolationGroupId]);
        throw new ResponderError(
          LEFT_CLOSED_OWN_STATE_UNKNOWN,
          `NOT put back: the ledger could not say whether another delivery holds the incident (${(ctx.blockedBy ?? []).join(', ')}), and such a delivery would rely on ` +
            `${networkInterfaceId} being isolated: it is left on the isolation group ${isolationGroupId} (closed). Its groups before the moves: ` +
            `${groups ? groups.join(', ') : 'not known from a read made before them'}. The invocation fails so that it is retried`,
          true,
        );
      }
      if (!groups) {
        if (!isolated) await sendMove(ctx, networkInterfaceId, [isolationGroupId]);
        throw new ResponderError(
          LEFT_CLOSED_OWN_STATE_UNKNOWN,
          `NOT isolated as planned: ${stop}, but the groups ${networkInterfaceId} had are not known from any read made before the moves ` +
            `(the instance's read was answered after the early move): it is left on the isolation group ${isolationGroupId} (closed). Release it by hand`,
          true,
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
    putBackStep(networkInterfaceId, putBackGroupsOf(early), early.isolationGroupId),
  ];
}
