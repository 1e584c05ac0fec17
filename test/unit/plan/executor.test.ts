import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { ResponderError } from '../../../lambda/aws/errors';
import { stepDocument, stepReport } from '../../../lambda/plan/document';
import { executePlan } from '../../../lambda/plan/executor';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult, type StepSpec } from '../../../lambda/plan/types';

const CHANGE: StepSpec = { kind: 'change', iamActions: ['ec2:ModifyNetworkInterfaceAttribute'], mutating: true };
const LOOK: StepSpec = { kind: 'look', iamActions: ['ec2:DescribeInstances'], mutating: false };

function step(id: string, spec: StepSpec, stage: number, run: () => Promise<StepRunResult>, requires: string[] = []): PlannedStep {
  return planStep(spec, { id, title: `step ${id}`, action: spec.iamActions[0]!, target: 't', parameters: {}, why: 'test', stage, requires, run });
}

function context(): ExecutionContext {
  return { clients: createAwsClients({ region: 'us-east-1' }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => new Date('2026-11-22T00:00:00Z') };
}

const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });

describe('executePlan with a deadline', () => {
  it('starts no step once the deadline has passed, reports each as failed (retryable OutOfTime), and still runs the one that runs past it', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-22T00:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const deadlineMs = Date.now() + 1_000;
      const slow = step('slow', CHANGE, 1, async () => {
        jest.setSystemTime(deadlineMs + 1);
        return { status: 'done' };
      });
      const late = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
      const notify = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done', detail: 'sent' }));
      const notification = { ...step('notify', LOOK, 3, notify), runsPastDeadline: true };
      const outcomes = await executePlan([slow, step('late', CHANGE, 2, late), notification], context(), { blockedBy: [], deadlineMs });
      expect(late).not.toHaveBeenCalled();
      expect(notify).toHaveBeenCalledTimes(1);
      expect(outcomes.map((o) => [o.id, o.status])).toEqual([
        ['slow', 'done'],
        ['late', 'failed'],
        ['notify', 'done'],
      ]);
      expect(outcomes[1]!.error).toEqual({
        code: 'OutOfTime',
        message: "not started: the invocation's time ran out at 2026-11-22T00:00:01.000Z (AWS was slow); a retry can complete it",
        retryable: true,
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs every step before the deadline', async () => {
    const run = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
    const outcomes = await executePlan([step('a', CHANGE, 1, run), step('b', CHANGE, 2, run)], context(), { blockedBy: [], deadlineMs: Date.now() + 60_000 });
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done']);
  });

  it('tells each step the time left before the deadline when it runs, with the same outputs and outcomes; no deadline, no time left', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-22T00:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const deadlineMs = Date.now() + 30_000;
      const seen: (number | undefined)[] = [];
      const ctx = context();
      const look = (c: ExecutionContext): Promise<StepRunResult> => {
        seen.push(c.timeLeftMs?.());
        // The very same objects (toBe): a deep comparison of the SDK clients took most of a minute on a loaded machine.
        expect(c.outputs).toBe(ctx.outputs);
        expect(c.outcomes).toBe(ctx.outcomes);
        expect(c.clients).toBe(ctx.clients);
        jest.setSystemTime(Date.now() + 1_000);
        return Promise.resolve({ status: 'done' });
      };
      const steps = [planStep(CHANGE, { id: 'a', title: 'a', action: 'ec2:ModifyNetworkInterfaceAttribute', target: 't', parameters: {}, why: 'test', stage: 1, run: look }), planStep(CHANGE, { id: 'b', title: 'b', action: 'ec2:ModifyNetworkInterfaceAttribute', target: 't', parameters: {}, why: 'test', stage: 2, run: look })];
      await executePlan(steps, ctx, { blockedBy: [], deadlineMs });
      expect(seen).toEqual([30_000, 29_000]);
      await executePlan(steps, context(), { blockedBy: [] });
      expect(seen.slice(2)).toEqual([undefined, undefined]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('executePlan', () => {
  it('runs every step and reports each outcome in plan order', async () => {
    const order: string[] = [];
    const steps = [
      step('a', CHANGE, 1, async () => (order.push('a'), { status: 'done', detail: 'did a', output: 'sg-1' })),
      step('b', LOOK, 2, async () => (order.push('b'), { status: 'skipped', reason: 'already there' })),
    ];
    const ctx = context();
    const outcomes = await executePlan(steps, ctx, { blockedBy: [] });
    expect(order).toEqual(['a', 'b']);
    expect(outcomes.map((o) => [o.id, o.status, o.detail ?? o.reason])).toEqual([
      ['a', 'done', 'did a'],
      ['b', 'skipped', 'already there'],
    ]);
    expect(ctx.outputs.get('a')).toBe('sg-1');
  });

  it('makes no mutating call while a guard blocks, but still runs read-only steps', async () => {
    const mutate = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
    const look = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
    const outcomes = await executePlan([step('m', CHANGE, 1, mutate), step('l', LOOK, 2, look)], context(), { blockedBy: ['dry-run', 'exempt-tag'] });
    expect(mutate).not.toHaveBeenCalled();
    expect(look).toHaveBeenCalledTimes(1);
    expect(outcomes[0]).toMatchObject({ status: 'skipped', reason: 'blocked by dry-run, exempt-tag' });
  });

  it('keeps going after a failure, skips only what depended on it, and carries the AWS error code', async () => {
    const steps = [
      step('create', CHANGE, 1, async () => Promise.reject(throttled)),
      step('use', CHANGE, 2, async () => ({ status: 'done' }), ['create']),
      step('independent', CHANGE, 2, async () => ({ status: 'done' })),
      step('refuse', CHANGE, 3, async () => Promise.reject(new ResponderError('ProtectedPrincipal', 'no'))),
    ];
    const outcomes = await executePlan(steps, context(), { blockedBy: [] });
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'skipped', 'done', 'failed']);
    expect(outcomes[0]!.error).toEqual({ code: 'RequestLimitExceeded', message: 'Rate exceeded', retryable: true });
    expect(outcomes[1]!.reason).toBe('needs create (failed)');
    expect(outcomes[3]!.error).toEqual({ code: 'ProtectedPrincipal', message: 'no', retryable: false });
  });

  it('runs the steps of one stage concurrently', async () => {
    let running = 0;
    let peak = 0;
    const slow = async (): Promise<StepRunResult> => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return { status: 'done' };
    };
    await executePlan([step('a', CHANGE, 1, slow), step('b', CHANGE, 1, slow), step('c', CHANGE, 1, slow)], context(), { blockedBy: [] });
    expect(peak).toBe(3);
  });

  it('carries what a step found (its evidence) to its outcome and to the report, and nothing for steps that found nothing', async () => {
    const evidence = { kind: 'cloudtrail-events', eventsRead: 2, eventNames: [{ value: 'ListBuckets', count: 2 }], region: null };
    const steps = [step('look', LOOK, 1, async () => ({ status: 'done', detail: '2 events', evidence })), step('change', CHANGE, 1, async () => ({ status: 'done' }))];
    const outcomes = await executePlan(steps, context(), { blockedBy: [] });
    expect(outcomes[0]).toMatchObject({ status: 'done', detail: '2 events', evidence });
    expect(stepReport(stepDocument(steps[0]!), outcomes[0]!).evidence).toEqual(evidence);
    expect('evidence' in stepReport(stepDocument(steps[1]!), outcomes[1]!)).toBe(false);
  });

  it('refuses to plan a step whose action its kind does not declare', () => {
    expect(() => planStep(LOOK, { id: 'x', title: 'x', action: 'ec2:TerminateInstances', target: 't', parameters: {}, why: 'w', stage: 1, run: async () => ({ status: 'done' }) })).toThrow(
      'step x: action ec2:TerminateInstances is not declared by step kind look',
    );
  });
});

describe('executePlan with a step that follows another', () => {
  /** A step that finishes when the test says so, recording when it started. */
  function gated(id: string, stage: number, log: string[], requires: string[] = []) {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const planned = step(
      id,
      CHANGE,
      stage,
      async () => {
        log.push(`start ${id}`);
        await done;
        log.push(`end ${id}`);
        return { status: 'done' };
      },
      requires,
    );
    return { planned, release };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('starts right after the step it follows, without waiting for the rest of that stage; later stages wait for it', async () => {
    const log: string[] = [];
    const untrackA = gated('untrack:a', 1, log);
    const untrackB = gated('untrack:b', 1, log);
    const isolateA = gated('isolate:a', 2, log);
    const isolateB = gated('isolate:b', 2, log);
    const contain = gated('contain', 3, log);
    const plan = [untrackA.planned, untrackB.planned, { ...isolateA.planned, follows: 'untrack:a' }, { ...isolateB.planned, follows: 'untrack:b' }, contain.planned];
    const run = executePlan(plan, context(), { blockedBy: [] });
    await settle();
    untrackA.release();
    await settle();
    // isolate:a runs while untrack:b is still out.
    expect(log).toEqual(['start untrack:a', 'start untrack:b', 'end untrack:a', 'start isolate:a']);
    isolateA.release();
    untrackB.release();
    await settle();
    expect(log.slice(4)).toEqual(['end isolate:a', 'end untrack:b', 'start isolate:b']);
    isolateB.release();
    await settle();
    expect(log.slice(7)).toEqual(['end isolate:b', 'start contain']);
    contain.release();
    expect((await run).map((o) => [o.id, o.status])).toEqual(plan.map((s) => [s.id, 'done']));
  });

  it('still runs when the followed step failed, and is skipped when a step it requires failed', async () => {
    const failing = step('untrack:a', CHANGE, 1, () => Promise.reject(throttled));
    const ready = step('ready', CHANGE, 1, () => Promise.reject(throttled));
    const follower = { ...step('isolate:a', CHANGE, 2, async () => ({ status: 'done' })), follows: 'untrack:a' };
    const gatedFollower = { ...step('isolate:b', CHANGE, 2, async () => ({ status: 'done' }), ['ready']), follows: 'untrack:a' };
    const outcomes = await executePlan([failing, ready, follower, gatedFollower], context(), { blockedBy: [] });
    expect(outcomes.map((o) => [o.id, o.status, o.reason])).toEqual([
      ['untrack:a', 'failed', undefined],
      ['ready', 'failed', undefined],
      ['isolate:a', 'done', undefined],
      ['isolate:b', 'skipped', 'needs ready (failed)'],
    ]);
  });

  it('refuses a plan whose step follows a step that is not of an earlier stage', async () => {
    const a = step('a', CHANGE, 2, async () => ({ status: 'done' }));
    const run = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
    const b = { ...step('b', CHANGE, 2, run), follows: 'a' };
    await expect(executePlan([a, b], context(), { blockedBy: [] })).rejects.toThrow('step b follows a, which is not a step of an earlier stage of this plan');
    await expect(executePlan([{ ...b, follows: 'nowhere' }], context(), { blockedBy: [] })).rejects.toThrow('follows nowhere');
    expect(run).not.toHaveBeenCalled();
  });
});

describe('executePlan: a step whose failure leaves something more exposed', () => {
  it('marks the failed outcome with what is exposed, and the report keeps it; a step that succeeds carries nothing', async () => {
    const failing = { ...step('restore', CHANGE, 1, async () => Promise.reject(throttled)), exposedOnFailure: 'eni-1' };
    const fine = { ...step('other', CHANGE, 1, async () => ({ status: 'done' as const })), exposedOnFailure: 'eni-2' };
    const outcomes = await executePlan([failing, fine], context(), { blockedBy: [] });
    expect(outcomes.map((o) => [o.id, o.status, o.exposed])).toEqual([
      ['restore', 'failed', 'eni-1'],
      ['other', 'done', undefined],
    ]);
    expect(stepReport(stepDocument(failing), outcomes[0]!).exposed).toBe('eni-1');
    expect('exposed' in stepReport(stepDocument(fine), outcomes[1]!)).toBe(false);
  });
});
