import type { ProxiedRequest } from '../../../bench/latency-proxy';
import type { FaultKind } from '../../../bench/proxy-faults';
import { failedSteps } from '../support/run-playbook';
import {
  arm,
  cellsOf,
  containedOnce,
  containmentState,
  DENIAL_CODES,
  disarm,
  expectLedgerAnswered,
  freshVictim,
  inbox,
  invoke,
  runCell,
  startBench,
  stopBench,
  THROTTLING_CODES,
  type Bench,
  type StepUnderFault,
} from './harness';

/* The mutating steps of contain-instance, each picked out among the requests of a cell, and one cell's run. */

type Calls = Parameters<StepUnderFault['matches']>[1];

/** The group a earlier call of this cell named as GroupId (the responder's untrack or isolation group). */
const groupOf = (calls: Calls, operation: string) => calls.find((c) => c.operation === operation)?.params.GroupId;
const is = (request: ProxiedRequest, operation: string) => request.operation === operation;
const tagKey = (request: ProxiedRequest) => request.params['Tag.1.Key'] ?? '';

const ISOLATION = ['every ENI on one closed isolation group only'];

/*
 * A group this responder made and could not finish configuring (its rule
 * call throttled past every retry, or denied) is never repaired by a later
 * run: a group found by tag is only used as it is (steps/security-groups.ts),
 * since anyone can make and tag one. The next run makes a fresh group; the
 * half-made one stays unused, and the report warns about it.
 */
const HALF_MADE_UNTRACK = { 'isolation and untrack groups created once': [1, 2] };
const HALF_MADE_ISOLATION = { 'isolation and untrack groups created once': [2, 1] };

export const CONTAIN_STEPS: readonly StepUnderFault[] = [
  {
    step: 'create-untrack-sg',
    matches: (r) => is(r, 'CreateSecurityGroup') && (r.params.GroupName ?? '').startsWith('guardduty-ir-untrack-'),
    effect: 'isolation and untrack groups created once',
    follows: ['a fully open untrack group', ...ISOLATION],
  },
  {
    step: 'create-isolation-sg',
    matches: (r) => is(r, 'CreateSecurityGroup') && (r.params.GroupName ?? '').startsWith('guardduty-ir-isolation-'),
    effect: 'isolation and untrack groups created once',
    follows: ISOLATION,
  },
  {
    step: 'record-original-sgs',
    matches: (r) => is(r, 'CreateTags') && tagKey(r).startsWith('ir:original-sgs:'),
    effect: 'original groups recorded',
    follows: ISOLATION,
    // The tag is a convenience copy: the ledger's restore record, written before it, holds the ENI's groups (and
    // `ir release` reads the ledger). The moves wait for that record, not the tag, so the first run isolates, and
    // the next run finds the ENI on the responder's groups: its own groups are no longer there to tag.
    retryLeaves: { throttling: { 'original groups recorded': {} }, 'access-denied': { 'original groups recorded': {} } },
  },
  { step: 'untrack-sg-ingress', matches: (r) => is(r, 'AuthorizeSecurityGroupIngress'), effect: 'a fully open untrack group', follows: ISOLATION, retryLeaves: { throttling: HALF_MADE_UNTRACK, 'access-denied': HALF_MADE_UNTRACK } },
  { step: 'untrack-sg-egress', matches: (r) => is(r, 'AuthorizeSecurityGroupEgress'), effect: 'a fully open untrack group', follows: ISOLATION, retryLeaves: { throttling: HALF_MADE_UNTRACK, 'access-denied': HALF_MADE_UNTRACK } },
  { step: 'isolation-sg-egress', matches: (r) => is(r, 'RevokeSecurityGroupEgress'), effect: 'every ENI on one closed isolation group only', retryLeaves: { throttling: HALF_MADE_ISOLATION, 'access-denied': HALF_MADE_ISOLATION } },
  {
    // The ENI passes through the untrack group on its way to isolation: a denied untrack move leaves no trace once isolated.
    step: 'untrack',
    matches: (r, calls) => is(r, 'ModifyNetworkInterfaceAttribute') && r.params['SecurityGroupId.1'] === groupOf(calls, 'AuthorizeSecurityGroupIngress'),
    effect: null,
  },
  {
    step: 'isolate',
    matches: (r, calls) => is(r, 'ModifyNetworkInterfaceAttribute') && r.params['SecurityGroupId.1'] === groupOf(calls, 'RevokeSecurityGroupEgress'),
    effect: 'every ENI on one closed isolation group only',
  },
  { step: 'termination-protection', matches: (r) => is(r, 'ModifyInstanceAttribute') && r.params['DisableApiTermination.Value'] !== undefined, effect: 'termination protection on' },
  { step: 'shutdown-behavior-stop', matches: (r) => is(r, 'ModifyInstanceAttribute') && r.params.Attribute === 'instanceInitiatedShutdownBehavior', effect: 'shutdown stops' },
  { step: 'keep-volumes', matches: (r) => is(r, 'ModifyInstanceAttribute') && r.params['BlockDeviceMapping.1.DeviceName'] !== undefined, effect: 'volumes kept on termination' },
  { step: 'snapshot-volumes', matches: (r) => is(r, 'CreateSnapshots'), effect: 'one snapshot per volume' },
  {
    step: 'revoke-role-sessions',
    matches: (r) => is(r, 'PutRolePolicy'),
    effect: 'role sessions revoked',
    /*
     * The first run removes the instance profile although the revocation failed (the profile must not stay on a
     * compromised instance), and its notification names the failed revocation. The next run (Lambda's retry, or the
     * delivery once the permission is fixed) finds no profile attached, reads the removed one back from the ledger's
     * restore record (never from the instance's tags) and revokes its role's sessions: every cell ends revoked.
     */
    retryLeaves: { throttling: { 'role sessions revoked': true }, 'access-denied': { 'role sessions revoked': true } },
  },
  {
    step: 'disassociate-instance-profile',
    matches: (r) => is(r, 'DisassociateIamInstanceProfile'),
    effect: 'instance profile removed',
  },
  {
    // The record of the profile, written in the same step before the profile is removed.
    step: 'disassociate-instance-profile',
    matches: (r) => is(r, 'CreateTags') && tagKey(r) === 'ir:original-instance-profile',
    effect: 'instance profile recorded',
    copyOnly: "a tag that cannot be written never keeps the profile on the instance: the ledger's restore record, written before, holds it",
    retryLeaves: { throttling: { 'instance profile recorded': false }, 'access-denied': { 'instance profile recorded': false } },
  },
  { step: 'detach-from-auto-scaling-group', matches: (r) => is(r, 'DetachInstances'), effect: 'out of the Auto Scaling group' },
  { step: 'deregister', matches: (r) => is(r, 'DeregisterTargets'), effect: 'out of the target group' },
  { step: 'tag-instance', matches: (r) => is(r, 'CreateTags') && tagKey(r) === 'ir:incident-id', effect: 'incident tagged' },
];

/** One cell: a fresh instance, the fault, the handler (and what has to follow), then the account and the ledger. */
export async function containCell(bench: Bench, kind: FaultKind, step: StepUnderFault): Promise<void> {
  const victim = await freshVictim(bench);
  await runCell(bench, { kind, step, event: victim.event, playbook: 'contain-instance', state: () => containmentState(bench, victim), once: containedOnce(bench, victim) });
}

/*
 * The restore move runs only when the isolation move failed: each ENI goes
 * back from the untrack group to its own groups. So its cell fails every
 * isolation move (HTTP 500, every attempt) besides the fault under test on
 * the restore move. The first invocation fails either way (isolation failed),
 * and Lambda's retry, with both faults gone, isolates.
 */
export async function restoreCell(bench: Bench, kind: FaultKind): Promise<void> {
  const victim = await freshVictim(bench);
  const eni = victim.instance.networkInterfaces[0]!;
  const restore: StepUnderFault = {
    step: 'restore',
    matches: (r) => is(r, 'ModifyNetworkInterfaceAttribute') && r.params.NetworkInterfaceId === eni.networkInterfaceId && r.params['SecurityGroupId.1'] === eni.groupIds[0],
    effect: 'every ENI on one closed isolation group only',
  };
  await arm(bench, { kind, matches: (r) => restore.matches(r, bench.proxy.calls) });
  bench.proxy.addFault({ kind: 'server-error', matches: (r) => is(r, 'ModifyNetworkInterfaceAttribute') && r.params['SecurityGroupId.1'] === groupOf(bench.proxy.calls, 'RevokeSecurityGroupEgress') });
  const first = await invoke(bench, victim.event, 'contain-instance');
  expect(bench.fired).toBeGreaterThan(0);
  const outcome = (id: string) => first.report.steps.find((s) => s.id === `${id}:${eni.networkInterfaceId}`);
  const refused = kind === 'throttling' || kind === 'access-denied';
  expect([outcome('isolate')?.status, outcome('restore')?.status, first.failed]).toEqual(['failed', refused ? 'failed' : 'done', true]);
  const [note] = await inbox(bench);
  if (refused) {
    // Left on the allow-all group: the subject names the ENI left open, and the invocation fails so that Lambda retries it.
    expect([DENIAL_CODES, THROTTLING_CODES].flat()).toContain(outcome('restore')?.error?.code);
    expect(note?.subject).toMatch(new RegExp(`^\\[GuardDuty IR MORE EXPOSED THAN BEFORE\\] ${eni.networkInterfaceId} left open`));
  } else {
    // Back on its own groups, once: the SDK's retry of the move met its own write.
    expect(note?.subject).toMatch(/^\[GuardDuty IR PARTIAL\] contain-instance FAILED isolate: /);
  }
  disarm(bench);
  const retry = await invoke(bench, victim.event, 'contain-instance');
  expect(failedSteps({ ...retry.report, reads: [] })).toEqual([]);
  expect(await containmentState(bench, victim)).toEqual(containedOnce(bench, victim));
  await expectLedgerAnswered(bench, retry.report);
}

/*
 * Every mutating step of contain-instance, through the Lambda handler, under
 * one fault of the proxy (harness.ts): the answer lost after the write
 * landed, the answer later than the client timeout, throttling past every
 * retry, or AccessDenied; and the restore move under it. Each cell contains
 * a fresh instance and asserts the account's end state read from moto, the
 * ledger and the notification.
 *
 * One test file per fault, each on a freshly seeded emulator: the
 * emulator's calls grow slower with every cell's instance, groups and
 * snapshots kept (measured: the same invocation's calls took about three
 * times as long 60 cells in), so four short runs cost less than one long one.
 */
export function containMatrix(kind: FaultKind): void {
  let bench: Bench;

  beforeAll(async () => {
    bench = await startBench();
  });

  afterAll(() => stopBench(bench));

  it.each(cellsOf(CONTAIN_STEPS, [kind]))('%s', async (_name, cellKind, step) => {
    await containCell(bench, cellKind, step);
  });

  it(`${kind} on restore (the move back to its own groups after a failed isolation move)`, async () => {
    await restoreCell(bench, kind);
  });
}
