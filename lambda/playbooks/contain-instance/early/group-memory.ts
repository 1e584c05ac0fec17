/*
 * What a warm container remembers between responses, so that the next
 * instance of a VPC can be moved before anything is read (early-move.ts):
 * the untrack and isolation groups last chosen in each VPC (by account,
 * region and VPC), and the instances this container moved recently.
 *
 * Nothing here is trusted: a remembered group is only a guess of which
 * group to move to first. It is verified beside that first move, from the
 * same DescribeSecurityGroups read the plan uses (still ours, tagged, rules
 * as created), and nothing moves to the isolation group unless that check
 * passed. A group deleted since fails the move itself; one altered fails
 * the check, the entry is forgotten and the instance is put back.
 *
 * The instances moved recently are never moved early again from this
 * container for a while: a later delivery about an instance already
 * isolated must not pass it through the allow-all group before its read
 * says where it is (the normal path reads first and leaves it alone). This
 * memory is per container; what another container moved is not known here
 * (early-move.ts answeredEvidence is the finding's own, cheap, evidence).
 */

export interface RememberedGroups {
  readonly untrackGroupId: string;
  readonly isolationGroupId: string;
}

export interface VpcKey {
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
}

/** How long an instance moved by this container is left to the normal path (reads first). */
export const RECENTLY_MOVED_MS = 6 * 60 * 60 * 1000;

const groupsByVpc = new Map<string, RememberedGroups>();
const movedAt = new Map<string, number>();

const vpcKeyOf = (key: VpcKey): string => `${key.accountId}/${key.region}/${key.vpcId}`;
const instanceKeyOf = (accountId: string, region: string, instanceId: string): string => `${accountId}/${region}/${instanceId}`;

export function recallGroups(key: VpcKey): RememberedGroups | undefined {
  return groupsByVpc.get(vpcKeyOf(key));
}

export function rememberGroups(key: VpcKey, groups: RememberedGroups): void {
  groupsByVpc.set(vpcKeyOf(key), { untrackGroupId: groups.untrackGroupId, isolationGroupId: groups.isolationGroupId });
}

export function forgetGroups(key: VpcKey): void {
  groupsByVpc.delete(vpcKeyOf(key));
}

export function noteMoved(accountId: string, region: string, instanceId: string, now: number = Date.now()): void {
  movedAt.set(instanceKeyOf(accountId, region, instanceId), now);
}

export function movedRecently(accountId: string, region: string, instanceId: string, now: number = Date.now()): boolean {
  const at = movedAt.get(instanceKeyOf(accountId, region, instanceId));
  return at !== undefined && now - at < RECENTLY_MOVED_MS;
}

/** Tests: a fresh container. */
export function forgetEverything(): void {
  groupsByVpc.clear();
  movedAt.clear();
}
