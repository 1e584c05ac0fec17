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

/**
 * The security groups a move puts the ENI on: ModifyNetworkInterfaceAttribute (SecurityGroupId.N), or the early
 * move by the instance's id, ModifyInstanceAttribute (GroupId.N: lambda/playbooks/contain-instance/early/).
 */
export function groupsOf(call: RecordedCall): string[] {
  return Object.entries(call.params)
    .filter(([key]) => /^(SecurityGroupId|GroupId)\.\d+$/.test(key))
    .map(([, value]) => value);
}

const MOVES = new Set(['ModifyNetworkInterfaceAttribute', 'ModifyInstanceAttribute']);

export function isMove(call: RecordedCall, groupId: string): boolean {
  return MOVES.has(call.operation) && call.status === 200 && groupsOf(call).join(' ') === groupId;
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
    // A move names the group it moved to: the early move's ModifyInstanceAttribute is isolation, a termination-protection one is not.
    firstMutating: !mutating ? 'none' : isMove(mutating, untrackGroupId) || isMove(mutating, isolationGroupId) ? `${mutating.operation} (a move to a responder group)` : mutating.operation,
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
  'ModifyInstanceAttribute',
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

/** What a check is: a call whose answer may stop the response (its own read, the groups' verification, GuardDuty, the ledger). */
const CHECK_OPERATIONS = new Set(['DescribeInstances', 'DescribeSecurityGroups', 'GetFindings', 'ListDetectors']);
/** The ledger's calls (the claim, the brake, the restore record), recorded as DynamoDB_20120810.PutItem by the proxy. */
const LEDGER_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'TransactWriteItems', 'Query']);

function isCheck(call: RecordedCall): boolean {
  const name = call.operation.slice(call.operation.lastIndexOf('.') + 1);
  return CHECK_OPERATIONS.has(call.operation) || LEDGER_OPERATIONS.has(name);
}

export interface CheckTiming {
  readonly operation: string;
  /** ms from the first call's sending, sent and answered. */
  readonly sentMs: number;
  readonly answeredMs: number;
  /** Still in flight when the first move was sent: the moves did not wait for it (false: answered before the first move). */
  readonly beside: boolean;
}

export interface MovesTimeline {
  /** Sequential round trips up to and including the last move onto the isolation group (the target: 2 for one ENI, warm). */
  readonly roundTripsToIsolation: number;
  /** The first move's operation: ModifyInstanceAttribute for an early move. */
  readonly firstMove: string;
  readonly checks: readonly CheckTiming[];
  /** Every check ran beside the moves. */
  readonly checksBeside: boolean;
}

/**
 * The call timeline of one run, for the benchmark's printout: when each check
 * ran against the moves to the untrack and isolation groups (the calls that
 * may stop the response, sent before isolation was reached). A check "beside
 * the moves" was still in flight when the first move was sent: the moves did
 * not wait for it.
 */
export function movesTimelineOf(calls: readonly RecordedCall[], untrackGroupId: string, isolationGroupId: string): MovesTimeline {
  const depths = chainDepths(calls);
  const moves = calls.filter((c) => isMove(c, untrackGroupId) || isMove(c, isolationGroupId)).sort((a, b) => a.sentAt - b.sentAt);
  const isolations = moves.filter((c) => isMove(c, isolationGroupId));
  if (moves.length === 0 || isolations.length === 0) throw new Error('the run moved no ENI onto the untrack and isolation groups');
  const start = Math.min(...calls.map((c) => c.sentAt));
  const firstMove = moves[0]!;
  const isolatedAt = Math.max(...isolations.map((c) => c.answeredAt));
  const checks = calls
    .filter((c) => isCheck(c) && c.sentAt < isolatedAt)
    .sort((a, b) => a.sentAt - b.sentAt)
    .map((c) => ({
      operation: c.operation,
      sentMs: Math.round(c.sentAt - start),
      answeredMs: Math.round(c.answeredAt - start),
      beside: c.answeredAt > firstMove.sentAt,
    }));
  return {
    roundTripsToIsolation: Math.max(...isolations.map((c) => depths.get(c) ?? 1)),
    firstMove: firstMove.operation,
    checks,
    checksBeside: checks.length > 0 && checks.every((c) => c.beside),
  };
}

/** One line a run: the round trips to isolation, the first move, each check's timing, and the verdict. */
export function formatMovesTimeline(timeline: MovesTimeline): string {
  const checks = timeline.checks.map((c) => `${c.operation} ${c.sentMs}-${c.answeredMs}${c.beside ? '' : ' (BEFORE)'}`).join(', ');
  const verdict = timeline.checksBeside ? 'checks beside the moves' : 'NOT every check beside the moves';
  return `${timeline.roundTripsToIsolation} round trips to isolation, first move ${timeline.firstMove}; ${checks}: ${verdict}`;
}
