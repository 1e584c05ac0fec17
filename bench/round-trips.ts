import type { RecordedCall } from './latency-proxy';

/*
 * What the proxy's record says about one run. A call depends on nothing
 * that was still in flight when it was sent, so the longest chain of calls
 * each sent after the previous one was answered is the number of
 * sequential round trips; with a fixed delay per call that chain is what
 * costs time.
 */

/** Chain depth of each call: 1 + the deepest call answered before it was sent. */
export function chainDepths(calls: readonly RecordedCall[]): Map<RecordedCall, number> {
  const ordered = [...calls].sort((a, b) => a.sentAt - b.sentAt);
  const depth = new Map<RecordedCall, number>();
  for (const call of ordered) {
    let before = 0;
    for (const earlier of ordered) {
      if (earlier.sentAt >= call.sentAt) break;
      if (earlier.answeredAt <= call.sentAt) before = Math.max(before, depth.get(earlier) ?? 0);
    }
    depth.set(call, before + 1);
  }
  return depth;
}

/** The security group a ModifyNetworkInterfaceAttribute call puts the ENI on (one group: the responder's). */
export function groupsOf(call: RecordedCall): string[] {
  return Object.entries(call.params)
    .filter(([key]) => /^SecurityGroupId\.\d+$/.test(key))
    .map(([, value]) => value);
}

export function isMove(call: RecordedCall, groupId: string): boolean {
  return call.operation === 'ModifyNetworkInterfaceAttribute' && call.status === 200 && groupsOf(call).join(' ') === groupId;
}

const READ_PREFIXES = ['Describe', 'Get', 'List', 'AssumeRole', 'Receive'];

export function isMutating(call: RecordedCall): boolean {
  const name = call.operation.includes('.') ? call.operation.slice(call.operation.lastIndexOf('.') + 1) : call.operation;
  return !READ_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export interface RunTimeline {
  /** Sequential round trips answered before the first move to the untrack group was sent. */
  readonly roundTripsBeforeIsolation: number;
  /** Calls answered before the first mutating call was sent, and that call's operation. */
  readonly firstMutating: string;
  /** From `startedAt` to the answer of the last move onto the isolation group. */
  readonly timeToIsolationMs: number;
  readonly calls: number;
}

export function timelineOf(calls: readonly RecordedCall[], startedAt: number, untrackGroupId: string, isolationGroupId: string): RunTimeline {
  const depths = chainDepths(calls);
  const untrack = calls.filter((c) => isMove(c, untrackGroupId)).sort((a, b) => a.sentAt - b.sentAt)[0];
  const isolations = calls.filter((c) => isMove(c, isolationGroupId));
  if (!untrack || isolations.length === 0) throw new Error('the run moved no ENI onto the untrack and isolation groups');
  const mutating = calls.filter(isMutating).sort((a, b) => a.sentAt - b.sentAt)[0];
  return {
    roundTripsBeforeIsolation: (depths.get(untrack) ?? 1) - 1,
    firstMutating: mutating?.operation ?? 'none',
    timeToIsolationMs: Math.max(...isolations.map((c) => c.answeredAt)) - startedAt,
    calls: calls.length,
  };
}

/*
 * The calls isolation waits for: the two first reads, the ledger and the
 * role, the GuardDuty confirmation (awaited before the first change), the responder's groups being created or configured, the record of
 * the original groups and the moves themselves. The other reads (snapshots,
 * Auto Scaling, target groups, the instance profile) run at the same time
 * but nothing in isolation waits for their answers, so they are never on
 * its critical path; they still slow it down in the emulator, which answers
 * one call at a time, and that shows in the upstream time of the calls
 * that are on it.
 */
const ISOLATION_PATH_OPERATIONS = new Set([
  'DescribeInstances',
  'DescribeSecurityGroups',
  'CreateSecurityGroup',
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'RevokeSecurityGroupEgress',
  'CreateTags',
  'ModifyNetworkInterfaceAttribute',
  'AssumeRole',
  'ListDetectors',
  'GetFindings',
]);

function onIsolationPath(call: RecordedCall): boolean {
  return ISOLATION_PATH_OPERATIONS.has(call.operation) || call.operation.startsWith('DynamoDB_');
}

/**
 * Sequential round trips before the first move to the untrack group, counting
 * only the calls isolation waits for. roundTripsBeforeIsolation counts every
 * call answered before a call was sent, so a read nothing waits for (target
 * health, the instance profile), answered a moment before a change is sent
 * late because the process was busy, can add one that is not there; this
 * count cannot, and tells such noise from a call that isolation really waits
 * for (the GuardDuty confirmation, the groups' creation).
 */
export function pathRoundTripsBeforeIsolation(calls: readonly RecordedCall[], untrackGroupId: string): number {
  const path = calls.filter(onIsolationPath);
  const untrack = path.filter((c) => isMove(c, untrackGroupId)).sort((a, b) => a.sentAt - b.sentAt)[0];
  if (!untrack) throw new Error('the run moved no ENI onto the untrack group');
  return (chainDepths(path).get(untrack) ?? 1) - 1;
}

export interface CriticalPath {
  /** From the first call to the last move onto the isolation group, each sent once the one before it was answered. */
  readonly calls: readonly RecordedCall[];
  /** Sum of the emulator's time (upstreamMs) over those calls: their queueing behind other calls in the emulator included. */
  readonly emulatorMs: number;
}

/**
 * The chain of calls that set the time to isolation, walked back from the
 * last answered move onto the isolation group: each call's predecessor is
 * the isolation-path call answered last before it was sent (what it was
 * waiting for). What is not emulator time or the proxy's fixed delay on
 * this chain is the handler's (and the proxy's) own time in this process.
 */
export function criticalPathToIsolation(calls: readonly RecordedCall[], isolationGroupId: string): CriticalPath {
  const isolations = calls.filter((c) => isMove(c, isolationGroupId));
  if (isolations.length === 0) throw new Error('the run moved no ENI onto the isolation group');
  let current: RecordedCall | undefined = isolations.reduce((a, b) => (b.answeredAt > a.answeredAt ? b : a));
  const chain: RecordedCall[] = [];
  while (current) {
    chain.unshift(current);
    const sentAt: number = current.sentAt;
    current = calls.filter((c) => onIsolationPath(c) && c.answeredAt <= sentAt).sort((a, b) => b.answeredAt - a.answeredAt)[0];
  }
  return { calls: chain, emulatorMs: chain.reduce((sum, c) => sum + c.upstreamMs, 0) };
}
