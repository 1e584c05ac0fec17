import type { AwsClients } from '../../../aws/clients';
import type { NetworkInterfaceFacts, IsolationFacts } from '../facts';
import { sendMove } from '../steps/move-time';
import { planVpcSecurityGroups } from '../steps/security-groups';
import { keepInFlight, moveAnswer, type MoveAnswer } from './early-move';
import { noteMoved } from './group-memory';

/*
 * The moves by ENI id as soon as the instance's read is in, beside the
 * checks still running (GuardDuty's confirmation, the ledger's claim and
 * brake, the restore record): for an instance with several ENIs, or one
 * whose early move by the instance's id could not be sent (nothing
 * remembered, or refused), when every VPC's untrack and isolation groups
 * were found and verified by the same read. Each ENI moves to the untrack
 * group, and to the isolation group as soon as its own move is answered:
 * isolation three sequential round trips from the start (the reads, then the
 * two moves). Each is undone (steps/early-isolate.ts, put-back) if a check
 * says stop: back to the groups the read saw, which here was answered
 * before any move was sent, so they are the ENI's own.
 *
 * Not when an ENI is already on a responder group (an earlier response
 * isolated it, or stopped halfway): the normal path reads its state and
 * never passes it through the allow-all group again; nor when a group must
 * be created first (the first incident of a VPC). The read itself, answered
 * before these moves, is what keeps an isolated instance where it is.
 */

export interface ReadMoveFacts {
  readonly networkInterfaceId: string;
  readonly untrackGroupId: string;
  readonly isolationGroupId: string;
  /** Its groups as the read saw them, before any move: where it is put back. */
  readonly seenGroupIds: readonly string[];
  /** The two moves in flight (early-move.ts takeIsolationAnswer). */
  readonly untrackToken: string;
  readonly isolationToken: string;
}

export interface ReadMovesStarted {
  readonly moves: ReadMoveFacts[];
  /** Settles once every ENI's isolation move is sent, or will not be (its untrack move failed). Never rejects. */
  readonly isolationSent: Promise<void>;
}

export function startReadMoves(facts: IsolationFacts, clients: AwsClients, accountId: string | null | undefined, region: string | null | undefined): ReadMovesStarted | undefined {
  const { instanceId, networkInterfaces: enis, responderSecurityGroups: found } = facts;
  if (!instanceId || !accountId || !region || enis.length === 0 || !found.known) return undefined;
  const targets: { eni: NetworkInterfaceFacts; untrack: string; isolation: string }[] = [];
  for (const eni of enis) {
    if (eni.vpcId === '' || eni.securityGroupIds.length === 0) return undefined;
    const groups = planVpcSecurityGroups(eni.vpcId, found);
    if (groups.untrack?.kind !== 'existing' || groups.isolation.kind !== 'existing') return undefined;
    if (eni.securityGroupIds.some((g) => groups.responderMade.has(g))) return undefined;
    targets.push({ eni, untrack: groups.untrack.groupId, isolation: groups.isolation.groupId });
  }
  noteMoved(accountId, region, instanceId);
  const sent: Promise<void>[] = [];
  const moves = targets.map(({ eni, untrack, isolation }) => {
    const untrackAnswer = moveAnswer(sendMove({ clients }, eni.networkInterfaceId, [untrack]));
    const isolationAnswer = untrackAnswer.then(
      (answer): Promise<MoveAnswer> | MoveAnswer =>
        answer.done
          ? moveAnswer(sendMove({ clients }, eni.networkInterfaceId, [isolation]))
          : { done: false, code: answer.code, message: `not sent: the move to the untrack group failed (${answer.message})`, retryable: answer.retryable },
    );
    // Registered after the callback above, so it settles once that callback has sent the isolation move (or decided not to).
    sent.push(untrackAnswer.then(() => undefined));
    return {
      networkInterfaceId: eni.networkInterfaceId,
      untrackGroupId: untrack,
      isolationGroupId: isolation,
      seenGroupIds: [...eni.securityGroupIds],
      untrackToken: keepInFlight(untrackAnswer),
      isolationToken: keepInFlight(isolationAnswer),
    };
  });
  return { moves, isolationSent: Promise.all(sent).then(() => undefined) };
}
