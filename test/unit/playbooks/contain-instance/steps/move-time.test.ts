import { DescribeNetworkInterfacesCommand, type ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../../../../lambda/aws/clients';
import { executePlan } from '../../../../../lambda/plan/executor';
import type { PlannedStep, StepOutcome } from '../../../../../lambda/plan/types';
import { planNetworkInterfaceMoves } from '../../../../../lambda/playbooks/contain-instance/steps/isolate';
import { MOVE_CALL_LIMIT_MS, UNTRACK_TIME_NEEDED_MS } from '../../../../../lambda/playbooks/contain-instance/steps/move-time';
import { planVpcSecurityGroups, type VpcGroupsPlan } from '../../../../../lambda/playbooks/contain-instance/steps/security-groups';
import { containFacts } from '../../../../support/aws-mocks/contain-facts';
import { NOW } from '../../../../support/aws-mocks/contain-finding';
import { useContainHarness } from '../../../../support/aws-mocks/contain-harness';
import { ISOLATION_SG_A, PRIMARY_ENI, UNTRACK_SG_A, VPC_A } from '../../../../support/aws-mocks/contain-world';

/*
 * The untrack move opens the ENI: it starts only when it, the isolation
 * move and a restore fit before the deadline, and each of those calls is
 * waited for at most MOVE_CALL_LIMIT_MS, however slowly AWS answers.
 * Time is a fake clock: the deadline is an exact number of ms away.
 */

const h = useContainHarness();
const groups = new Map<string, VpcGroupsPlan>([[VPC_A, planVpcSecurityGroups(VPC_A, containFacts().responderSecurityGroups)]]);
const PRIMARY_GROUPS = ['sg-0web000000000001', 'sg-0ssh000000000001'];
const primaryOnly = [containFacts().networkInterfaces[0]!];

function run(steps: readonly PlannedStep[], clients: AwsClients, deadlineMs?: number): Promise<StepOutcome[]> {
  return executePlan(steps, { clients, outputs: new Map(), outcomes: [], now: () => NOW }, { blockedBy: [], ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-11-22T00:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('the time the moves are given', () => {
  it('is the client worst case capped at 12 s a move, and three moves for the untrack one', () => {
    expect(MOVE_CALL_LIMIT_MS).toBe(12_000);
    expect(UNTRACK_TIME_NEEDED_MS).toBe(36_000);
  });
});

describe('the untrack move and the time left', () => {
  it('with less time left than the three moves need: no untrack move, straight to isolation, and the report says tracked flows are not cut', async () => {
    const outcomes = await run(planNetworkInterfaceMoves(primaryOnly, groups), h.clients, Date.now() + UNTRACK_TIME_NEEDED_MS - 1);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([{ NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] }]);
    expect(outcomes.map((o) => [o.id, o.status, o.reason ?? o.detail])).toEqual([
      [
        `untrack:${PRIMARY_ENI}`,
        'skipped',
        'only 35.9 s left before the deadline, less than the 36 s the untrack move, the isolation move and a restore may take (12 s each): ' +
          `${PRIMARY_ENI} goes straight to the isolation group, so its tracked connections (an established session) are NOT cut`,
      ],
      [`isolate:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is on ${ISOLATION_SG_A}`],
      [`restore:${PRIMARY_ENI}`, 'skipped', `${PRIMARY_ENI} is on the isolation group`],
    ]);
  });

  it('with exactly the time the three moves need: through the untrack group, and (untrack done) no read-back of the groups', async () => {
    await run(planNetworkInterfaceMoves(primaryOnly, groups), h.clients, Date.now() + UNTRACK_TIME_NEEDED_MS);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute')).toEqual([
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [UNTRACK_SG_A] },
      { NetworkInterfaceId: PRIMARY_ENI, Groups: [ISOLATION_SG_A] },
    ]);
    expect(h.callsOf('DescribeNetworkInterfaces')).toEqual([]);
  });

  it('the time left is read when the untrack move starts, not when it was planned', async () => {
    const deadlineMs = Date.now() + UNTRACK_TIME_NEEDED_MS;
    const steps = planNetworkInterfaceMoves(primaryOnly, groups);
    jest.setSystemTime(Date.now() + 1);
    const outcomes = await run(steps, h.clients, deadlineMs);
    expect(outcomes[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('only 35.9 s left') });
  });

  it('with no deadline at all (the CLI), through the untrack group', async () => {
    await run(planNetworkInterfaceMoves(primaryOnly, groups), h.clients);
    expect(h.callsOf('ModifyNetworkInterfaceAttribute').map((c) => c.Groups)).toEqual([[UNTRACK_SG_A], [ISOLATION_SG_A]]);
  });
});

/**
 * An EC2 client whose move to `hangOn` groups never answers; every other
 * move is answered at once. DescribeNetworkInterfaces (the read-back of the ENI's
 * groups) answers the next entry of `readBack` each time it is asked.
 */
function hangingEc2(hangOn: readonly string[][], readBack: readonly string[][] = []): { clients: AwsClients; sent: { groups: string[]; signal: AbortSignal }[]; reads: unknown[] } {
  const sent: { groups: string[]; signal: AbortSignal }[] = [];
  const reads: unknown[] = [];
  const send = (command: ModifyNetworkInterfaceAttributeCommand | DescribeNetworkInterfacesCommand, options?: { abortSignal: AbortSignal }): Promise<unknown> => {
    if (command instanceof DescribeNetworkInterfacesCommand) {
      const onGroups = readBack[reads.length] ?? [];
      reads.push(command.input);
      return Promise.resolve({ NetworkInterfaces: [{ NetworkInterfaceId: PRIMARY_ENI, Groups: onGroups.map((GroupId) => ({ GroupId })) }] });
    }
    const groupsSent = command.input.Groups ?? [];
    sent.push({ groups: groupsSent, signal: options!.abortSignal });
    return hangOn.some((g) => JSON.stringify(g) === JSON.stringify(groupsSent)) ? new Promise(() => undefined) : Promise.resolve({});
  };
  return { clients: { ec2: { send } } as unknown as AwsClients, sent, reads };
}

const READ_BACK = { NetworkInterfaceIds: [PRIMARY_ENI] };

describe('a move AWS does not answer', () => {
  it('the isolation move is given up after 12 s (retryable, the SDK told to abort) and the ENI is returned to its groups in time', async () => {
    const { clients, sent } = hangingEc2([[ISOLATION_SG_A]]);
    const deadlineMs = Date.now() + UNTRACK_TIME_NEEDED_MS;
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, deadlineMs);
    await jest.advanceTimersByTimeAsync(MOVE_CALL_LIMIT_MS - 1);
    expect(sent.map((s) => s.groups)).toEqual([[UNTRACK_SG_A], [ISOLATION_SG_A]]);
    expect(sent[1]!.signal.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const outcomes = await running;
    expect(Date.now()).toBeLessThan(deadlineMs);
    expect(sent.map((s) => s.groups)).toEqual([[UNTRACK_SG_A], [ISOLATION_SG_A], PRIMARY_GROUPS]);
    expect(sent[1]!.signal.aborted).toBe(true);
    expect(outcomes.map((o) => [o.id, o.status, o.error?.code, o.error?.retryable])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'done', undefined, undefined],
      [`isolate:${PRIMARY_ENI}`, 'failed', 'MoveNotAnswered', true],
      [`restore:${PRIMARY_ENI}`, 'done', undefined, undefined],
    ]);
    expect(outcomes[1]!.error?.message).toBe(`moving ${PRIMARY_ENI} to ${ISOLATION_SG_A} was not answered within 12 s; EC2 may still apply it`);
  });

  it('a restore not answered either fails within the deadline, naming the ENI exposed, instead of Lambda killing the invocation', async () => {
    const { clients, sent } = hangingEc2([[ISOLATION_SG_A], PRIMARY_GROUPS]);
    const deadlineMs = Date.now() + UNTRACK_TIME_NEEDED_MS;
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, deadlineMs);
    await jest.advanceTimersByTimeAsync(2 * MOVE_CALL_LIMIT_MS);
    const outcomes = await running;
    expect(Date.now()).toBeLessThan(deadlineMs);
    expect(sent.map((s) => [s.groups, s.signal.aborted])).toEqual([
      [[UNTRACK_SG_A], false],
      [[ISOLATION_SG_A], true],
      [PRIMARY_GROUPS, true],
    ]);
    expect(outcomes[2]).toMatchObject({ status: 'failed', error: { code: 'MoveNotAnswered' }, exposed: PRIMARY_ENI });
  });

  it('a slow untrack move is given up, the isolation move follows, and the groups read back show it did not land: isolated, nothing more sent', async () => {
    const { clients, sent, reads } = hangingEc2([[UNTRACK_SG_A]], [[ISOLATION_SG_A]]);
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, Date.now() + UNTRACK_TIME_NEEDED_MS);
    await jest.advanceTimersByTimeAsync(MOVE_CALL_LIMIT_MS);
    const outcomes = await running;
    expect(sent.map((s) => s.groups)).toEqual([[UNTRACK_SG_A], [ISOLATION_SG_A]]);
    expect(reads).toEqual([READ_BACK]);
    expect(outcomes.map((o) => [o.id, o.status, o.reason ?? o.detail])).toEqual([
      [`untrack:${PRIMARY_ENI}`, 'failed', undefined],
      [`isolate:${PRIMARY_ENI}`, 'done', `${PRIMARY_ENI} is on ${ISOLATION_SG_A}`],
      [`restore:${PRIMARY_ENI}`, 'skipped', `${PRIMARY_ENI} is on the isolation group (${ISOLATION_SG_A}) only, read back after its untrack move did not end done`],
    ]);
  });

  it('the given-up untrack move lands after the isolation move: the ENI found on the untrack group is moved to the isolation group again', async () => {
    const { clients, sent, reads } = hangingEc2([[UNTRACK_SG_A]], [[UNTRACK_SG_A], [ISOLATION_SG_A]]);
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, Date.now() + UNTRACK_TIME_NEEDED_MS);
    await jest.advanceTimersByTimeAsync(MOVE_CALL_LIMIT_MS);
    const outcomes = await running;
    expect(sent.map((s) => s.groups)).toEqual([[UNTRACK_SG_A], [ISOLATION_SG_A], [ISOLATION_SG_A]]);
    expect(reads).toEqual([READ_BACK, READ_BACK]);
    expect(outcomes[2]).toMatchObject({
      id: `restore:${PRIMARY_ENI}`,
      status: 'done',
      detail: `${PRIMARY_ENI} was found on ${UNTRACK_SG_A} after its isolation move (the untrack move that was given up landed later), and is isolated again on ${ISOLATION_SG_A}`,
    });
    expect(outcomes[2]!.exposed).toBeUndefined();
  });

  it('still on the untrack group after the second isolation move: the step fails and names the ENI exposed', async () => {
    const { clients, sent, reads } = hangingEc2([[UNTRACK_SG_A]], [[UNTRACK_SG_A], [UNTRACK_SG_A]]);
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, Date.now() + UNTRACK_TIME_NEEDED_MS);
    await jest.advanceTimersByTimeAsync(MOVE_CALL_LIMIT_MS);
    const outcomes = await running;
    expect(sent.map((s) => s.groups)).toEqual([[UNTRACK_SG_A], [ISOLATION_SG_A], [ISOLATION_SG_A]]);
    expect(reads).toHaveLength(2);
    expect(outcomes[2]).toMatchObject({ id: `restore:${PRIMARY_ENI}`, status: 'failed', error: { code: 'IsolationOverwritten', retryable: true }, exposed: PRIMARY_ENI });
  });
});

describe('an isolation move no restore can follow', () => {
  it('(untrack skipped for time) is waited for up to the time left, not 12 s', async () => {
    const { clients, sent } = hangingEc2([[ISOLATION_SG_A]]);
    const left = UNTRACK_TIME_NEEDED_MS - 1;
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, Date.now() + left);
    await jest.advanceTimersByTimeAsync(left - 1);
    expect(sent.map((s) => [s.groups, s.signal.aborted])).toEqual([[[ISOLATION_SG_A], false]]);
    await jest.advanceTimersByTimeAsync(1);
    const outcomes = await running;
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(outcomes[1]).toMatchObject({ status: 'failed', error: { code: 'MoveNotAnswered', message: `moving ${PRIMARY_ENI} to ${ISOLATION_SG_A} was not answered within 35.9 s; EC2 may still apply it` } });
    expect(outcomes[2]).toMatchObject({ status: 'skipped', reason: `${PRIMARY_ENI} was not moved to the untrack group: it is still on the groups it had` });
  });

  it('with less time left than one bounded move, is still waited for 12 s', async () => {
    const { clients } = hangingEc2([[ISOLATION_SG_A]]);
    const running = run(planNetworkInterfaceMoves(primaryOnly, groups), clients, Date.now() + 5_000);
    await jest.advanceTimersByTimeAsync(MOVE_CALL_LIMIT_MS);
    const outcomes = await running;
    expect(outcomes[1]!.error?.message).toContain('was not answered within 12 s');
  });
});
