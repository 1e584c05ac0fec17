import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../../../aws/clients';
import { toStepError } from '../../../aws/errors';
import { findingInstanceTags, instanceIdOf } from '../../../finding/accessors';
import type { Finding } from '../../../finding/schema';
import type { Known, ResponderSecurityGroup } from '../facts';
import type { InstanceRead } from '../discovery/read-instance';
import { INCIDENT_ID_TAG } from '../names';
import { networkInterfacesOf } from '../discovery/read-instance';
import { MOVE_NOT_ANSWERED, sendInstanceMove, sendMove } from '../steps/move-time';
import { planVpcSecurityGroups } from '../steps/security-groups';
import { forgetGroups, movedRecently, noteMoved, recallGroups, rememberGroups, type RememberedGroups, type VpcKey } from './group-memory';

/*
 * The early move: a warm container that remembers the VPC's groups
 * (group-memory.ts) sends the first isolation move at the response's very
 * start, with no read before it, beside every check:
 *
 *   round trip 1  ModifyInstanceAttribute Groups=[untrack group], by the instance's id
 *                 | DescribeInstances, DescribeSecurityGroups (by tag: verifies the remembered groups),
 *                 | GuardDuty's GetFindings, the ledger's claim and brake (the other reads are held
 *                 | until the isolation move is sent: lambda/respond/isolation-first.ts)
 *   round trip 2  ModifyNetworkInterfaceAttribute Groups=[isolation group], by the id the read
 *                 | confirmed attached | the restore record, the brake's reservation
 *   then          the gate's verdict: any check that says stop puts back the groups the read saw
 *                 (answered before the move); with none known, the instance stays on (or is closed on)
 *                 the isolation group and the response fails loudly: never left on the untrack group
 *
 * The instance-level call is what makes this safe to send unread: EC2
 * refuses it for an instance with several network interfaces (then the
 * normal path moves each one), and for a group of another VPC. An interface
 * the finding names is never moved by that id: the isolation move and any
 * put-back use the id the instance's read returned.
 *
 * The move to the isolation group is sent only once the remembered groups
 * are verified from the by-tag read (the same check the plan makes on any
 * group it finds: still the responder's, tagged, rules as created) and the
 * read shows the instance with that one interface in that VPC. Otherwise
 * the instance is put back at once on the groups the read saw (when the
 * read was answered before the move), else closed on the isolation group
 * (putBackOrClose), the remembered groups are forgotten if they failed
 * their check, and the normal path plans from the read.
 *
 * Eligible only when nothing known before any call says stop (the caller
 * checks the finding's own guards: dry-run, severity, exempt tag in the
 * finding, account), the finding lists exactly one network interface, with
 * its VPC, the container remembers that VPC's groups, the finding does not
 * show the interface on them already, the finding is its first occurrence
 * (GuardDuty's count), the finding shows no earlier answer (the responder's
 * incident tag, an update long ago: answeredEvidence), and this container
 * did not move the instance recently. Another container's moves are not
 * known here: an instance it isolated may pass through the allow-all group
 * for one round trip, never longer (docs/design.md, "An isolated instance
 * moved again").
 */

export interface EarlyMoveTarget {
  readonly instanceId: string;
  readonly key: VpcKey;
  readonly groups: RememberedGroups;
  /** The groups the finding lists on the interface: an unverified hint only (a finding can be forged), logged when no read saw the real ones. */
  readonly listedGroupIds: readonly string[];
}

/**
 * A finding GuardDuty last updated longer ago than this is not moved before the read: GuardDuty sends a new finding
 * to EventBridge within about five minutes, so an older one is a late delivery (a Lambda retry, a redrive, a replay
 * by `ir respond`) about an instance that an earlier delivery, in any container, may have isolated already.
 */
export const EARLY_MOVE_MAX_FINDING_AGE_MS = 15 * 60 * 1000;

/** The target of an early move, or why there is none (the normal path runs); `now`: when the response started. */
export function earlyMoveTarget(finding: Finding, now: Date): EarlyMoveTarget | { readonly why: string } {
  const instanceId = instanceIdOf(finding);
  const { accountId, region } = finding;
  if (!instanceId || !accountId || !region) return { why: 'the finding names no instance, account or region' };
  const listed = finding.resource?.instanceDetails?.networkInterfaces ?? [];
  if (listed.length !== 1) return { why: `the finding lists ${listed.length} network interfaces, not one` };
  const vpcId = listed[0]!.vpcId;
  if (!vpcId) return { why: 'the finding names no VPC for the network interface' };
  const key = { accountId, region, vpcId };
  const groups = recallGroups(key);
  if (!groups) return { why: `this container does not remember the groups of ${vpcId}` };
  const shown = (listed[0]!.securityGroups ?? []).map((g) => g.groupId);
  if (shown.includes(groups.untrackGroupId) || shown.includes(groups.isolationGroupId)) return { why: 'the finding shows the interface on the responder groups already' };
  if (movedRecently(accountId, region, instanceId, now.getTime())) return { why: `this container moved ${instanceId} recently` };
  // What another container did is not known here (group-memory.ts is per container): the finding's own evidence of an earlier answer.
  const answered = answeredEvidence(finding, now);
  if (answered) return { why: answered };
  // GuardDuty updates a finding each time the activity recurs: a later occurrence may be about an instance already isolated.
  const count = finding.service?.count ?? 1;
  if (count > 1) return { why: `a later occurrence of the finding (count ${count}): the instance may be isolated already` };
  return { instanceId, key, groups, listedGroupIds: shown.filter((id): id is string => typeof id === 'string' && id !== '') };
}

/**
 * Cheap evidence, from the finding alone, that the instance may be isolated already: the finding shows the responder's
 * incident tag on it (generated after an earlier response tagged it), or it was last updated long ago (a late delivery).
 * null: none. Neither is proof either way (both come from the finding); they only keep the blind move off the likely cases.
 */
function answeredEvidence(finding: Finding, now: Date): string | null {
  if (INCIDENT_ID_TAG in findingInstanceTags(finding)) return `the finding shows the instance tagged ${INCIDENT_ID_TAG}: an earlier response may have isolated it`;
  const updated = Date.parse(finding.updatedAt ?? '');
  if (Number.isFinite(updated) && now.getTime() - updated > EARLY_MOVE_MAX_FINDING_AGE_MS) {
    return `the finding was last updated at ${new Date(updated).toISOString()}, more than ${EARLY_MOVE_MAX_FINDING_AGE_MS / 60_000} minutes ago: a late delivery, the instance may be isolated already`;
  }
  return null;
}

/**
 * The instance-level move's answer. `landed: true` also when EC2 may have applied it: not answered in time
 * (MoveNotAnswered), a throttle, a 5xx, a dropped connection (`unanswered` says which). Only a refusal EC2
 * answered (a 4xx that no retry changes: several interfaces, a group gone) is `landed: false`. Whatever may be
 * on the allow-all group is handled as if it is: never left there.
 */
export type UntrackAnswer =
  | { readonly landed: true; readonly unanswered?: { readonly code: string; readonly message: string } }
  | { readonly landed: false; readonly code: string; readonly message: string };

export interface EarlyMoveStarted {
  readonly target: EarlyMoveTarget;
  readonly answer: Promise<UntrackAnswer>;
}

/** Sends the instance-level move to the remembered untrack group now; never rejects. */
export function startEarlyMove(target: EarlyMoveTarget, clients: AwsClients): EarlyMoveStarted {
  const answer = sendInstanceMove({ clients }, target.instanceId, [target.groups.untrackGroupId]).then(
    (): UntrackAnswer => {
      noteMoved(target.key.accountId, target.key.region, target.instanceId);
      return { landed: true };
    },
    (error: unknown): UntrackAnswer => {
      const { code, message, retryable } = toStepError(error);
      // Not a definite refusal (MoveNotAnswered, a throttle, a 5xx, no answer): EC2 may have applied it, so it is treated as landed.
      if (retryable || code === MOVE_NOT_ANSWERED) {
        noteMoved(target.key.accountId, target.key.region, target.instanceId);
        return { landed: true, unanswered: { code, message } };
      }
      // A group deleted since it was remembered: forgotten, the normal path finds or creates the VPC's groups.
      if (code.startsWith('InvalidGroup')) forgetGroups(target.key);
      return { landed: false, code, message };
    },
  );
  return { target, answer };
}

/** What the early move did, as the plan reads it (plain data: the isolation move's answer is in flight, by token). */
export interface EarlyMoveFacts {
  readonly instanceId: string;
  readonly vpcId: string;
  readonly untrackGroupId: string;
  readonly isolationGroupId: string;
  readonly untrack: UntrackAnswer;
  /** The primary interface and its groups as the instance's read saw them; null: not read, or not in that VPC. */
  readonly seen: { readonly networkInterfaceId: string; readonly groupIds: readonly string[] } | null;
  /** Why the remembered groups could not be used; null: verified. */
  readonly unverified: string | null;
  /** The move to the isolation group, sent as soon as the reads were in (awaited through takeIsolationAnswer), or why not. */
  readonly isolation: { readonly sent: true; readonly token: string; readonly networkInterfaceId: string } | { readonly sent: false; readonly why: string };
  /**
   * What was done at once when the isolation move could not be sent: put back on the groups a read made before the
   * move saw (done), or, when those are not known or the put-back failed, moved to the isolation group (closedOn:
   * closed, never left on the allow-all group); neither: why.
   */
  readonly putBack?:
    | { readonly done: true; readonly groupIds: readonly string[] }
    | { readonly done: false; readonly why: string; readonly closedOn?: string };
  /** The groups the finding lists on the interface: an unverified hint, for a release by hand when no read saw them. */
  readonly listedGroupIds: readonly string[];
}

export type MoveAnswer = { readonly done: true } | { readonly done: false; readonly code: string; readonly message: string; readonly retryable: boolean };

const inFlight = new Map<string, Promise<MoveAnswer>>();

/*
 * The restore record is written beside the isolation move, not before it: a
 * process that dies between the two would leave no record of the groups the
 * interface had. They are logged (CloudWatch Logs keeps them) before the
 * isolation move is sent, so that window leaves them in the function's log.
 */
const journal = new Logger({ serviceName: 'contain-instance-early-move' });

/** Keeps a move sent early until the step that reports it takes it; its token. */
export function keepInFlight(answer: Promise<MoveAnswer>): string {
  const token = randomBytes(8).toString('hex');
  inFlight.set(token, answer);
  return token;
}

/** The isolation move sent early, once: the step that reports it takes it. */
export function takeIsolationAnswer(token: string): Promise<MoveAnswer> | undefined {
  const answer = inFlight.get(token);
  inFlight.delete(token);
  return answer;
}

/**
 * Once the instance's read, the by-tag read of the responder's groups and
 * the early move are answered: the isolation move goes out at once if the
 * groups are verified and the read agrees, else the instance is put back.
 */
export async function continueEarlyMove(
  started: EarlyMoveStarted,
  read: InstanceRead,
  found: Known<readonly ResponderSecurityGroup[]>,
  clients: AwsClients,
  mayContinue: Promise<boolean>,
): Promise<EarlyMoveFacts> {
  const { target } = started;
  const untrack = await started.answer;
  const base = {
    instanceId: target.instanceId,
    vpcId: target.key.vpcId,
    untrackGroupId: target.groups.untrackGroupId,
    isolationGroupId: target.groups.isolationGroupId,
    untrack,
    listedGroupIds: target.listedGroupIds,
  };
  const { seen, single } = seenOf(read, target.key.vpcId);
  if (!untrack.landed) return { ...base, seen, unverified: null, isolation: { sent: false, why: `the instance-level move was refused (${untrack.code})` } };
  const unverified = verificationFlaw(target, found);
  if (unverified !== null) forgetGroups(target.key);
  // GuardDuty's answer came beside the reads: a finding it does not confirm (or an exempt instance) goes no further.
  const stopped = unverified === null && seen && single && !(await mayContinue) ? 'a check said stop before the isolation move (GuardDuty\'s confirmation, or a guard on the instance\'s tags)' : null;
  if (putBackGroupsOf({ seen, untrackGroupId: target.groups.untrackGroupId }) === null) logListedGroups(target, seen);
  if (unverified === null && seen && single && stopped === null) {
    journal.info('early move: the groups the interface had, before its move to the isolation group', {
      instanceId: target.instanceId,
      networkInterfaceId: seen.networkInterfaceId,
      originalGroupIds: seen.groupIds,
    });
    const token = keepInFlight(moveAnswer(sendMove({ clients }, seen.networkInterfaceId, [target.groups.isolationGroupId])));
    return { ...base, seen, unverified, isolation: { sent: true, token, networkInterfaceId: seen.networkInterfaceId } };
  }
  const why = unverified ?? stopped ?? `the instance's read did not show one network interface in ${target.key.vpcId}`;
  return { ...base, seen, unverified, isolation: { sent: false, why }, putBack: await putBackOrClose(target, seen, found, clients) };
}

/*
 * No read made before the move saw the interface's own groups (the read failed, or was answered after the move and
 * shows the untrack group): the only other copy is the finding's list, which a forged finding writes. It is logged
 * as an unverified hint for a release by hand, never used to move anything.
 */
function logListedGroups(target: EarlyMoveTarget, seen: EarlyMoveFacts['seen']): void {
  journal.warn('early move: the groups the interface had are not known from any read made before the move; the finding lists these (UNVERIFIED)', {
    instanceId: target.instanceId,
    seenGroupIds: seen?.groupIds ?? null,
    findingListedGroupIds: target.listedGroupIds,
  });
}

/** The groups to put back: those the read saw, unless it saw the untrack group (read after the move landed): then none is known. */
export function putBackGroupsOf(facts: Pick<EarlyMoveFacts, 'seen' | 'untrackGroupId'>): readonly string[] | null {
  if (!facts.seen || facts.seen.groupIds.length === 0 || facts.seen.groupIds.includes(facts.untrackGroupId)) return null;
  return facts.seen.groupIds;
}

/**
 * The instance (maybe) on the allow-all group and no isolation move: back on the groups a read made before the move
 * saw; when those are not known, or that move fails, onto the isolation group (closed) by the same instance-level
 * call, which needs no interface id (the read may have failed). Never left on the untrack group by choice.
 */
async function putBackOrClose(
  target: EarlyMoveTarget,
  seen: EarlyMoveFacts['seen'],
  found: Known<readonly ResponderSecurityGroup[]>,
  clients: AwsClients,
): Promise<NonNullable<EarlyMoveFacts['putBack']>> {
  const groups = putBackGroupsOf({ seen, untrackGroupId: target.groups.untrackGroupId });
  let why = 'the groups the instance had are not known from a read made before the move (its read failed, or was answered after the move)';
  if (groups) {
    const answer = await moveAnswer(sendInstanceMove({ clients }, target.instanceId, [...groups]));
    if (answer.done) return { done: true, groupIds: groups };
    why = `the put-back on ${groups.join(', ')} failed (${answer.code}: ${answer.message})`;
  }
  const isolationGroupId = closingGroupOf(target, found);
  const closed = await moveAnswer(sendInstanceMove({ clients }, target.instanceId, [isolationGroupId]));
  if (closed.done) return { done: false, why, closedOn: isolationGroupId };
  return { done: false, why: `${why}; the move to the isolation group ${isolationGroupId} failed too (${closed.code}: ${closed.message})` };
}

/**
 * The group to close the instance on: the isolation group the by-tag read verified in that VPC, else the
 * remembered one (verified by an earlier response; even if altered since, no group is more open than the
 * allow-all untrack group it leaves).
 */
function closingGroupOf(target: EarlyMoveTarget, found: Known<readonly ResponderSecurityGroup[]>): string {
  if (!found.known) return target.groups.isolationGroupId;
  const isolation = planVpcSecurityGroups(target.key.vpcId, found).isolation;
  return isolation.kind === 'existing' ? isolation.groupId : target.groups.isolationGroupId;
}

export function moveAnswer(move: Promise<void>): Promise<MoveAnswer> {
  return move.then(
    (): MoveAnswer => ({ done: true }),
    (error: unknown): MoveAnswer => {
      const { code, message, retryable } = toStepError(error);
      return { done: false, code, message, retryable };
    },
  );
}

/**
 * The primary network interface the read shows (the one an instance-level move changes), in the VPC the groups are
 * of, and whether it is the only one; seen null otherwise. EC2 refuses the instance-level move for an instance with
 * several: `single` false after a move that landed means one was attached meanwhile (or an emulator that does not refuse it).
 */
function seenOf(read: InstanceRead, vpcId: string): { readonly seen: EarlyMoveFacts['seen']; readonly single: boolean } {
  const enis = read.instance ? networkInterfacesOf(read.instance) : [];
  const primary = enis[0];
  if (!primary || primary.vpcId !== vpcId) return { seen: null, single: false };
  return { seen: { networkInterfaceId: primary.networkInterfaceId, groupIds: [...primary.securityGroupIds] }, single: enis.length === 1 };
}

/** null when the remembered groups are the ones the plan itself would use in that VPC (verified, and first by id); else why not. */
function verificationFlaw(target: EarlyMoveTarget, found: Known<readonly ResponderSecurityGroup[]>): string | null {
  if (!found.known) return `the responder's groups could not be read (${found.why}), so the remembered ones are not verified`;
  const chosen = planVpcSecurityGroups(target.key.vpcId, found);
  const untrack = chosen.untrack?.kind === 'existing' ? chosen.untrack.groupId : null;
  const isolation = chosen.isolation.kind === 'existing' ? chosen.isolation.groupId : null;
  if (untrack === target.groups.untrackGroupId && isolation === target.groups.isolationGroupId) return null;
  return (
    `the remembered groups of ${target.key.vpcId} (${target.groups.untrackGroupId}, ${target.groups.isolationGroupId}) are not the verified ones the read found ` +
    `(${untrack ?? 'none'}, ${isolation ?? 'none'}): deleted, altered or replaced since`
  );
}

/** After the by-tag read: the groups each VPC's plan would use, remembered for the next response of this container. */
export function rememberVerifiedGroups(accountId: string | undefined | null, region: string | undefined | null, found: Known<readonly ResponderSecurityGroup[]>): void {
  if (!accountId || !region || !found.known) return;
  for (const vpcId of new Set(found.value.map((g) => g.vpcId))) {
    const chosen = planVpcSecurityGroups(vpcId, found);
    if (chosen.untrack?.kind === 'existing' && chosen.isolation.kind === 'existing') {
      rememberGroups({ accountId, region, vpcId }, { untrackGroupId: chosen.untrack.groupId, isolationGroupId: chosen.isolation.groupId });
    }
  }
}
