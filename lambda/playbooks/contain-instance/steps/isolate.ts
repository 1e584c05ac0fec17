import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { ResponderError, toStepError } from '../../../aws/errors';
import { EARLY_CLAIM_GRACE_MS } from '../../../ledger/incident-ledger';
import { CONFIRMATION_UNAVAILABLE, FINDING_CONFIRMATION } from '../../../confirm/verdicts';
import { ACCOUNT_NOT_ALLOWED } from '../../../guards/account-not-allowed';
import { UNKNOWN_ACCOUNT } from '../../../guards/unknown-account';
import { DRY_RUN_VERDICT } from '../../../ledger/answered';
import { ALREADY_ANSWERED, BEING_ANSWERED, CLAIM_UNAVAILABLE, JOINED_INCIDENT, LEDGER_UNAVAILABLE } from '../../../ledger/verdicts';
import { OUT_OF_TIME } from '../../../plan/executor';
import { LEFT_CLOSED_OWN_STATE_UNKNOWN } from '../../../plan/exposed';
import { REPEAT_DELIVERY } from '../../../plan/repeat-delivery';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult } from '../../../plan/types';
import type { NetworkInterfaceFacts } from '../facts';
import { originalSgsTagKey } from '../names';
import { MOVE_NETWORK_INTERFACE } from '../specs';
import { STAGE } from '../stages';
import { awsCodeOf } from './aws-codes';
import { groupIdParameter, resolveGroupId, type GroupRef } from './group-ref';
import { isolationOnlyLimitMs, sendMove, untrackTimeShortfall } from './move-time';
import type { VpcGroupsPlan } from './security-groups';

/*
 * Every ENI, not only the primary one, goes first to the untrack group then
 * to the isolation group. ENIs move in parallel, each to the isolation group
 * as soon as its own untrack move is answered, not the slowest ENI's.
 * ModifyInstanceAttribute Groups would only change the primary ENI.
 *
 * The untrack group allows everything: it is a state an ENI passes through,
 * never one it is left in. An ENI moves onto it only once its isolation
 * group is ready; if the isolation move then fails (after the SDK's own
 * retries), the ENI is returned to the groups it had before this response.
 * If even that fails, the step says the ENI is exposed: the notification's
 * subject names it and the invocation fails, so Lambda runs it again.
 * An untrack move that failed or was given up may still be applied by EC2
 * after the isolation move: then the ENI's groups are read back, and it is
 * moved to the isolation group once more, or named exposed.
 * An ENI already on a verified isolation group is never moved at all.
 * Every move is bounded in time, and the untrack move starts only when it,
 * the isolation move and a restore fit before the deadline (move-time.ts).
 */
/** An untrack step that could not read the ENI's groups again (ReadAgain) sent no move. */
const GROUPS_NOT_READ_AGAIN = 'GroupsNotReadAgain';

export interface MoveOptions {
  /** Called before each move is sent (the container's mark of a moved instance: early/group-memory.ts). */
  readonly beforeMove?: () => void;
  /** This response's early move landed: an ENI the read shows on the untrack group is its own doing, which its early step closes. */
  readonly earlyMoveLanded?: boolean;
}

export function planNetworkInterfaceMoves(
  networkInterfaces: readonly NetworkInterfaceFacts[],
  groups: ReadonlyMap<string, VpcGroupsPlan>,
  instanceTags: Readonly<Record<string, string>> = {},
  options: MoveOptions = {},
): PlannedStep[] {
  const { beforeMove = () => undefined, earlyMoveLanded = false } = options;
  return networkInterfaces.flatMap((eni) => {
    const vpc = groups.get(eni.vpcId);
    if (!vpc) return [];
    const already = alreadyIsolated(eni, vpc);
    const readAgain: ReadAgain = { isolated: null, onUntrack: false };
    const untrack = vpc.untrack ? untrackStep(eni, vpc, vpc.untrack, [...vpc.untrackReady, ...vpc.isolationReady], already, beforeMove, readAgain) : null;
    const startedOnUntrack = eni.securityGroupIds.some((g) => vpc.untrackMade.has(g));
    const isolate = isolateStep(eni, vpc, [...vpc.isolationReady], already, { untrackStepId: untrack?.id ?? null, startedOnUntrack, readAgain }, beforeMove);
    const restore = restoreStep({
      eni,
      originals: originalGroupsOf(eni, vpc, instanceTags),
      isolation: vpc.isolation,
      untrackStepId: untrack?.id ?? null,
      isolateStepId: isolate.id,
      startedOnUntrack,
      leftOpenEarlier: startedOnUntrack && !earlyMoveLanded,
      already,
      readAgain,
    });
    return [...(untrack ? [untrack] : []), { ...isolate, ...(untrack ? { follows: untrack.id } : {}) }, { ...restore, follows: isolate.id }];
  });
}

/** Why the ENI is left where it is, or null: it is on verified isolation groups only (an earlier response, any finding, isolated it). */
function alreadyIsolated(eni: NetworkInterfaceFacts, vpc: VpcGroupsPlan): string | null {
  const on = eni.securityGroupIds;
  if (on.length === 0 || !on.every((g) => vpc.isolatedOn.has(g))) return null;
  return `${eni.networkInterfaceId} is already on the isolation security group only (${on.join(', ')}, no rules; an earlier response isolated it)`;
}

/**
 * The groups the ENI goes back to if it cannot be isolated: the groups it
 * has now, unless those are the responder's own (a run that stopped
 * halfway), then the record of its original groups (kept only in that case,
 * original-groups.ts); null if neither.
 */
function originalGroupsOf(eni: NetworkInterfaceFacts, vpc: VpcGroupsPlan, instanceTags: Readonly<Record<string, string>>): string[] | null {
  if (eni.securityGroupIds.length > 0 && !eni.securityGroupIds.some((g) => vpc.responderMade.has(g))) return [...eni.securityGroupIds];
  const recorded = (instanceTags[originalSgsTagKey(eni.networkInterfaceId)] ?? '').split(/\s+/).filter((part) => part !== '');
  return recorded.length > 0 && recorded.every((g) => /^sg-[0-9a-z]+$/.test(g)) && !recorded.some((g) => vpc.responderMade.has(g)) ? recorded : null;
}

/**
 * What the untrack step found when it read the ENI's groups again before its move (ExecutionContext.othersMayMove:
 * another delivery of the incident may have moved it since this response's read). The isolation and restore steps
 * follow it: an ENI another delivery isolated is not moved at all, one it left on the untrack group goes straight on
 * to the isolation group (and is restored, if that fails, as one found there).
 */
interface ReadAgain {
  isolated: string | null;
  onUntrack: boolean;
}

function moveStep(
  eni: NetworkInterfaceFacts,
  purpose: 'untrack' | 'isolation',
  vpc: VpcGroupsPlan,
  group: GroupRef,
  requires: string[],
  already: string | null,
  untrackOf: UntrackOf | null,
  beforeMove: () => void,
  readAgain: ReadAgain,
): PlannedStep {
  const id = eni.networkInterfaceId;
  const why =
    purpose === 'untrack'
      ? 'changing security groups does not cut tracked connections; on an allow-all group every flow of the ENI becomes untracked. ' +
        'Only once the isolation group is ready, so the ENI does not stay here'
      : 'a group with no rules drops every untracked flow at once and every new flow';
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: purpose === 'untrack' ? `untrack:${id}` : `isolate:${id}`,
    title: `Move ${id} to the ${purpose} security group`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: id,
    parameters: { NetworkInterfaceId: id, Groups: [groupIdParameter(group)] },
    why: already ? `${already}: skipped, so it is never opened again` : why,
    stage: purpose === 'untrack' ? STAGE.untrack : STAGE.isolate,
    requires,
    run: async (ctx): Promise<StepRunResult> => {
      const isolatedBy = already ?? readAgain.isolated;
      if (isolatedBy) return { status: 'skipped', reason: isolatedBy };
      const groupId = resolveGroupId(group, ctx);
      if (purpose === 'untrack' && ctx.othersMayMove) {
        const found = await readGroupsAgain(ctx, id, vpc, groupId, readAgain);
        if (found) return found;
      }
      // After the read again: its round trip (and wait) came out of the time left.
      const shortOfTime = purpose === 'untrack' ? untrackTimeShortfall(ctx, id) : null;
      if (shortOfTime) return { status: 'skipped', reason: shortOfTime };
      beforeMove();
      await sendMove(ctx, id, [groupId], untrackOf && !mayNeedRestore(ctx, untrackOf) ? isolationOnlyLimitMs(ctx) : undefined);
      return { status: 'done', detail: `${id} is on ${groupId}` };
    },
  });
}

function untrackStep(eni: NetworkInterfaceFacts, vpc: VpcGroupsPlan, group: GroupRef, requires: string[], already: string | null, beforeMove: () => void, readAgain: ReadAgain): PlannedStep {
  return moveStep(eni, 'untrack', vpc, group, requires, already, null, beforeMove, readAgain);
}

function isolateStep(eni: NetworkInterfaceFacts, vpc: VpcGroupsPlan, requires: string[], already: string | null, untrackOf: UntrackOf, beforeMove: () => void): PlannedStep {
  return moveStep(eni, 'isolation', vpc, vpc.isolation, requires, already, untrackOf, beforeMove, untrackOf.readAgain);
}

/**
 * The ENI's groups read again right before its untrack move, when another delivery of the incident may have moved it
 * since this response's read: a skip when that delivery isolated it (nothing is moved, never through the allow-all
 * group again) or left it on the untrack group (the isolation move follows); undefined: as read, the move goes out.
 */
async function readGroupsAgain(ctx: ExecutionContext, id: string, vpc: VpcGroupsPlan, untrackGroupId: string, readAgain: ReadAgain): Promise<StepRunResult | undefined> {
  const isolationGroupId = resolveGroupId(vpc.isolation, ctx);
  // The delivery that opened the incident may still be moving it: read once its moves are answered (never longer than the grace).
  const waitMs = Math.min(EARLY_CLAIM_GRACE_MS, (ctx.othersMoveUntilMs ?? 0) - Date.now());
  if (waitMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
  let now: string[];
  try {
    now = await groupsOf(ctx, id);
  } catch (error) {
    // No move sent: the isolation move still closes it (tracked flows are not cut), and no restore follows one never sent.
    const { code, message, retryable } = toStepError(error);
    throw new ResponderError(
      GROUPS_NOT_READ_AGAIN,
      `${id}'s groups could not be read again before its untrack move (${code}: ${message}), and another delivery of the incident may have isolated it: ` +
        'not moved to the allow-all group; the isolation move follows, so its tracked connections may not be cut',
      retryable,
    );
  }
  if (now.length > 0 && now.every((g) => g === isolationGroupId || vpc.isolatedOn.has(g))) {
    readAgain.isolated = `${id} is on the isolation group only (${now.join(', ')}), read again before its move: another delivery of the incident isolated it, so it is not moved again`;
    return { status: 'skipped', reason: readAgain.isolated };
  }
  if (now.includes(untrackGroupId)) {
    readAgain.onUntrack = true;
    return { status: 'skipped', reason: `${id} is on the untrack group already, read again before its move (another delivery of the incident moved it): it goes on to the isolation group` };
  }
  return undefined;
}

/** How the ENI may have reached the untrack group: this run's untrack step, or an earlier run that left it there. */
interface UntrackOf {
  readonly untrackStepId: string | null;
  readonly startedOnUntrack: boolean;
  /** Or another delivery of the incident, found when the untrack step read its groups again. */
  readonly readAgain: ReadAgain;
}

/**
 * Whether a failed isolation move would be followed by a restore: the ENI
 * may be on the untrack group (this run's untrack move was sent, or an
 * earlier run left it there). Else the isolation move needs no restore budget.
 */
function mayNeedRestore(ctx: ExecutionContext, { untrackStepId, startedOnUntrack, readAgain }: UntrackOf): boolean {
  const untrack = statusOf(ctx, untrackStepId);
  return startedOnUntrack || readAgain.onUntrack || untrack === 'done' || untrack === 'failed';
}

interface RestoreInput {
  readonly eni: NetworkInterfaceFacts;
  readonly originals: string[] | null;
  /** The isolation group the ENI was moved to, checked again when its untrack move may still land. */
  readonly isolation: GroupRef;
  readonly untrackStepId: string | null;
  readonly isolateStepId: string;
  /** The ENI was on an untrack group before this run (one that stopped halfway left it there). */
  readonly startedOnUntrack: boolean;
  /** Found on the untrack group, and not by this response's own early move: closed even when a guard blocks every change. */
  readonly leftOpenEarlier: boolean;
  readonly already: string | null;
  readonly readAgain: ReadAgain;
}

function statusOf(ctx: ExecutionContext, stepId: string | null): string | undefined {
  const outcome = stepId === null ? undefined : ctx.outcomes.find((o) => o.id === stepId);
  // Failed before it sent its move (the invocation's time ran out, or the groups could not be read again): never sent.
  if (outcome?.status === 'failed' && (outcome.error?.code === OUT_OF_TIME || outcome.error?.code === GROUPS_NOT_READ_AGAIN)) return 'not sent';
  return outcome?.status;
}

function restoreStep(input: RestoreInput): PlannedStep {
  const { eni, originals, isolation, untrackStepId, isolateStepId, leftOpenEarlier, already, readAgain } = input;
  const id = eni.networkInterfaceId;
  return planStep(MOVE_NETWORK_INTERFACE, {
    id: `restore:${id}`,
    title: `Return ${id} to its original security groups if it could not be isolated`,
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    target: id,
    parameters: { NetworkInterfaceId: id, Groups: originals ?? [] },
    why:
      'runs only if the move to the isolation group failed: the ENI must not stay on the allow-all untrack group, ' +
      'so it goes back to the groups it had before this response (no more open than it was found)',
    stage: STAGE.restore,
    // Undoing an opening must not wait for time left: a skipped restore would leave the ENI open.
    runsPastDeadline: true,
    exposedOnFailure: id,
    compensates: isolateStepId,
    // Found on the allow-all group (an attempt that stopped halfway left it there): a blocked response must not leave it there either.
    ...(leftOpenEarlier && !already ? { closesLeftOpen: true } : {}),
    run: async (ctx): Promise<StepRunResult> => {
      const isolatedBy = already ?? readAgain.isolated;
      if (isolatedBy) return { status: 'skipped', reason: isolatedBy };
      // Found there before this run, or put there by another delivery of the incident (read again before the untrack move).
      const startedOnUntrack = input.startedOnUntrack || readAgain.onUntrack;
      if ((ctx.blockedBy ?? []).length > 0) return closeLeftOpen(ctx, { id, isolation, blockedBy: ctx.blockedBy ?? [] });
      const untrack = statusOf(ctx, untrackStepId);
      if (statusOf(ctx, isolateStepId) === 'done') {
        // The untrack move was given up or failed, and may still be applied after the isolation move: read the groups back.
        if (untrack === 'failed') {
          return confirmIsolated(ctx, id, resolveGroupId(isolation, ctx)).catch((error: unknown) => {
            if (awsCodeOf(error) === 'InvalidNetworkInterfaceID.NotFound') return { status: 'skipped', reason: `${id} no longer exists: nothing is left open` };
            throw error;
          });
        }
        return { status: 'skipped', reason: `${id} is on the isolation group` };
      }
      // A failed call may still have been applied (a timeout after AWS acted): only a move never sent is known not to have happened.
      if (untrack !== 'done' && untrack !== 'failed' && !startedOnUntrack) {
        return { status: 'skipped', reason: `${id} was not moved to the untrack group: it is still on the groups it had` };
      }
      if (!originals) {
        throw new ResponderError('NoOriginalGroups', `${id} may be on the allow-all untrack group, and neither its current groups nor a record of its original groups are known`);
      }
      try {
        await sendMove(ctx, id, originals);
      } catch (error) {
        if (awsCodeOf(error) === 'InvalidNetworkInterfaceID.NotFound') return { status: 'skipped', reason: `${id} no longer exists: nothing is left open` };
        throw error;
      }
      return { status: 'done', detail: `${id} is back on ${originals.join(', ')}, the groups it had before: it is NOT isolated` };
    },
  });
}

/**
 * The verdicts under which a blocked response leaves an ENI it found on the untrack group where it is. The ledger's that
 * say this delivery may not hold the incident, or it is answered, and GuardDuty's that say the finding is not confirmed
 * (a forged copy): another delivery may be moving the ENI through that group now (its two-step swap, an early move and
 * its put-back), and a move sent here could land after that delivery's last move. And the accounts the configuration
 * keeps the responder out of.
 */
const LEAVES_IT_TO_ANOTHER: readonly string[] = [
  REPEAT_DELIVERY,
  BEING_ANSWERED,
  ALREADY_ANSWERED,
  JOINED_INCIDENT,
  LEDGER_UNAVAILABLE,
  CLAIM_UNAVAILABLE,
  FINDING_CONFIRMATION,
  CONFIRMATION_UNAVAILABLE,
  ACCOUNT_NOT_ALLOWED,
  UNKNOWN_ACCOUNT,
];

/** The accounts the configuration keeps the responder out of: a resumed decision moves nothing there either. */
const KEPT_OUT: readonly string[] = [ACCOUNT_NOT_ALLOWED, UNKNOWN_ACCOUNT];

interface LeftOpen {
  readonly id: string;
  readonly isolation: GroupRef;
  readonly blockedBy: readonly string[];
}

/**
 * A blocked response found the ENI on the allow-all untrack group, where an earlier attempt that stopped halfway left
 * it (its isolation move, its undo and its close all failed: it said MORE EXPOSED and was retried). The guards say
 * change nothing, but leaving it there is the one thing never allowed: it is closed on the VPC's isolation group and
 * the step fails loudly (LeftClosedOwnGroupsUnknown), so a person releases it (`ir release` restores the groups the
 * ledger recorded, when it has a record). Never put back on its own groups here: a blocked response holds at most an
 * early claim, which a delivery that acts may take over (gate.ts holdToAct) and be isolating the ENI at that moment; a
 * move to the isolation group is the one move that cannot undo that. A dry-run changes nothing and says so, as does a
 * delivery under one of LEAVES_IT_TO_ANOTHER.
 */
async function closeLeftOpen(ctx: ExecutionContext, { id, isolation, blockedBy }: LeftOpen): Promise<StepRunResult> {
  // A response acting on a decision it alone holds (a resumed approval) leaves it to no other delivery; an account the
  // configuration keeps the responder out of stays out.
  const leaving = blockedBy.filter((v) => (ctx.holdsDecision ? KEPT_OUT : LEAVES_IT_TO_ANOTHER).includes(v));
  if (leaving.length > 0) {
    return { status: 'skipped', leftOpen: true, reason: `${id} is on the allow-all untrack group, and this delivery does not move it (${leaving.join(', ')}): the delivery that holds the incident may be moving it now` };
  }
  if (blockedBy.includes(DRY_RUN_VERDICT)) {
    return { status: 'skipped', leftOpen: true, reason: `dry-run: ${id} is on the allow-all untrack group (an earlier response stopped halfway); a run that acts closes it on the isolation group` };
  }
  const why = `this response is blocked (${blockedBy.join(', ')}) and ${id} was found on the allow-all untrack group, where an earlier attempt stopped halfway`;
  if (isolation.kind !== 'existing') {
    throw new ResponderError('NoIsolationGroup', `${why}; its VPC has no isolation group to close it on (a blocked response creates none), so it stays there: move it by hand now`);
  }
  try {
    await sendMove(ctx, id, [isolation.groupId]);
  } catch (error) {
    if (awsCodeOf(error) === 'InvalidNetworkInterfaceID.NotFound') return { status: 'skipped', reason: `${id} no longer exists: nothing is left open` };
    throw error;
  }
  throw new ResponderError(
    LEFT_CLOSED_OWN_STATE_UNKNOWN,
    `${why}; it was moved to the isolation group ${isolation.groupId} (closed), NOT left on the allow-all group, and not put back on its own ` +
      'groups (a delivery that acts may take a blocked response\'s claim over, and be isolating it). Release it with ir release once checked ' +
      '(it restores the groups the ledger recorded; with no record, set them by hand)',
    true,
  );
}

/** The security groups EC2 now reports for the ENI. */
async function groupsOf(ctx: ExecutionContext, networkInterfaceId: string): Promise<string[]> {
  const answer = await ctx.clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }));
  const eni = (answer.NetworkInterfaces ?? []).find((n) => n.NetworkInterfaceId === networkInterfaceId);
  if (!eni) throw new ResponderError('NetworkInterfaceUnreadable', `${networkInterfaceId} was not found when its security groups were read back`, true);
  return (eni.Groups ?? []).map((g) => g.GroupId ?? '');
}

const onlyOn = (groups: readonly string[], groupId: string): boolean => groups.length === 1 && groups[0] === groupId;

/**
 * The isolation move succeeded, but an untrack move that was given up (or
 * failed) may have been applied by EC2 after it, leaving the ENI on the
 * allow-all group. Reads its groups back; if it is not on the isolation
 * group only, sends the isolation move once more; if it is still not, the
 * step fails and the ENI is named exposed (the invocation is retried).
 */
async function confirmIsolated(ctx: ExecutionContext, id: string, isolationGroupId: string): Promise<StepRunResult> {
  const found = await groupsOf(ctx, id);
  if (onlyOn(found, isolationGroupId)) {
    return { status: 'skipped', reason: `${id} is on the isolation group (${isolationGroupId}) only, read back after its untrack move did not end done` };
  }
  await sendMove(ctx, id, [isolationGroupId]);
  const after = await groupsOf(ctx, id);
  if (!onlyOn(after, isolationGroupId)) {
    throw new ResponderError(
      'IsolationOverwritten',
      `${id} is on ${after.join(', ') || 'no group'} after being moved to the isolation group twice: the untrack move that was given up may have been applied after it`,
      true,
    );
  }
  return {
    status: 'done',
    detail: `${id} was found on ${found.join(', ') || 'no group'} after its isolation move (the untrack move that was given up landed later), and is isolated again on ${isolationGroupId}`,
  };
}
