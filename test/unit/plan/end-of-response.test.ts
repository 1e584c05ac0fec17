import { Duration } from 'aws-cdk-lib';
import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { NOTIFICATION_STEP_ID, notificationStep } from '../../../lambda/notify/publish-step';
import {
  END_MARGIN_MS,
  END_OF_RESPONSE_RESERVE_MS,
  LEDGER_OUTCOME_LIMIT_MS,
  NOTIFICATION_CALL_LIMIT_MS,
  STEP_OVERRUN_MS,
} from '../../../lambda/plan/end-of-response';
import { executePlan, NOT_FINISHED_IN_TIME, OUT_OF_TIME } from '../../../lambda/plan/executor';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult, type StepSpec } from '../../../lambda/plan/types';
import { MOVE_CALL_LIMIT_MS, UNTRACK_TIME_NEEDED_MS } from '../../../lambda/playbooks/contain-instance/steps/move-time';
import { TIMEOUT } from '../../../lib/playbook-function';

/*
 * What runs after the execution's deadline is bounded, part by part, and
 * the reserve kept before Lambda's timeout is their sum.
 */

const CHANGE: StepSpec = { kind: 'change', iamActions: ['ec2:ModifyNetworkInterfaceAttribute'], mutating: true };
const LOOK: StepSpec = { kind: 'look', iamActions: ['ec2:DescribeInstances'], mutating: false };
const never = (): Promise<StepRunResult> => new Promise<never>(() => undefined);

function step(id: string, spec: StepSpec, stage: number, run: () => Promise<StepRunResult>, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { ...planStep(spec, { id, title: `step ${id}`, action: spec.iamActions[0]!, target: 't', parameters: {}, why: 'test', stage, run }), ...extra };
}

function context(): ExecutionContext {
  return { clients: createAwsClients({ region: 'us-east-1' }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => new Date('2026-11-22T00:00:00Z') };
}

describe('the reserve kept before the Lambda timeout', () => {
  it('is the sum of what may run after the deadline', () => {
    expect(END_OF_RESPONSE_RESERVE_MS).toBe(STEP_OVERRUN_MS + NOTIFICATION_CALL_LIMIT_MS + LEDGER_OUTCOME_LIMIT_MS + END_MARGIN_MS);
  });

  it('lets an isolation move sent just before the deadline end within the overrun', () => {
    expect(STEP_OVERRUN_MS).toBeGreaterThanOrEqual(MOVE_CALL_LIMIT_MS);
  });

  it('leaves every playbook time before its deadline, and contain-instance the untrack move, the isolation move and a restore with 20 s to spare', () => {
    for (const timeout of Object.values(TIMEOUT)) expect(timeout.toMilliseconds()).toBeGreaterThan(END_OF_RESPONSE_RESERVE_MS);
    expect(TIMEOUT['contain-instance'].toMilliseconds() - END_OF_RESPONSE_RESERVE_MS).toBeGreaterThanOrEqual(UNTRACK_TIME_NEEDED_MS + 20_000);
    expect(TIMEOUT['contain-instance']).toEqual(Duration.seconds(90));
  });
});

describe('executePlan past the deadline', () => {
  it('stops waiting for a step still running STEP_OVERRUN_MS after the deadline: failed, retryable, named as abandoned', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const deadlineMs = Date.now() + 1_000;
      const running = executePlan([step('hung', CHANGE, 1, never)], context(), { blockedBy: [], deadlineMs });
      await jest.advanceTimersByTimeAsync(1_000 + STEP_OVERRUN_MS - 1);
      let settled = false;
      void running.then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const outcomes = await running;
      expect(outcomes[0]).toMatchObject({ status: 'failed', error: { code: NOT_FINISHED_IN_TIME, retryable: true } });
      expect(outcomes[0]!.error!.message).toContain('abandoned, AWS may still carry it out');
    } finally {
      jest.useRealTimers();
    }
  });

  it('cuts a step that runs past the deadline too, and names what it leaves exposed', async () => {
    const deadlineMs = Date.now() - STEP_OVERRUN_MS + 100;
    const outcomes = await executePlan([step('isolate', CHANGE, 1, never, { runsPastDeadline: true, exposedOnFailure: 'eni-1' })], context(), { blockedBy: [], deadlineMs });
    expect(outcomes[0]).toMatchObject({ status: 'failed', error: { code: NOT_FINISHED_IN_TIME }, exposed: 'eni-1' });
  });

  it('does not start a step that runs past the deadline once the overrun is over: not started (OutOfTime), never called', async () => {
    const run = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
    const outcomes = await executePlan([step('restore', CHANGE, 1, run, { runsPastDeadline: true })], context(), {
      blockedBy: [],
      deadlineMs: Date.now() - STEP_OVERRUN_MS - 1,
    });
    expect(run).not.toHaveBeenCalled();
    expect(outcomes[0]).toMatchObject({ status: 'failed', error: { code: OUT_OF_TIME, retryable: true } });
  });

  it('still runs the notification after the overrun, bounded by its own limit from its start', async () => {
    const run = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done', detail: 'sent' }));
    const notify = step(NOTIFICATION_STEP_ID, LOOK, 2, run, { runsPastDeadline: true, ownTimeLimitMs: 100 });
    const late = jest.fn(async (): Promise<StepRunResult> => ({ status: 'done' }));
    const outcomes = await executePlan([step('late', CHANGE, 1, late), notify], context(), { blockedBy: [], deadlineMs: Date.now() - STEP_OVERRUN_MS - 1 });
    expect(late).not.toHaveBeenCalled();
    expect(outcomes.map((o) => [o.id, o.status, o.error?.code])).toEqual([
      ['late', 'failed', OUT_OF_TIME],
      [NOTIFICATION_STEP_ID, 'done', undefined],
    ]);
    const hung = step(NOTIFICATION_STEP_ID, LOOK, 1, never, { runsPastDeadline: true, ownTimeLimitMs: 100 });
    const [cut] = await executePlan([hung], context(), { blockedBy: [], deadlineMs: Date.now() - STEP_OVERRUN_MS - 1 });
    expect(cut).toMatchObject({ status: 'failed', error: { code: NOT_FINISHED_IN_TIME } });
  });

  it('the notification step declares its Publish limit', () => {
    const notify = notificationStep(() => {
      throw new Error('not run');
    }, 'arn:aws:sns:us-east-1:111111111111:t', 9);
    expect(notify).toMatchObject({ runsPastDeadline: true, ownTimeLimitMs: NOTIFICATION_CALL_LIMIT_MS });
  });

  it('without a deadline (the CLI) waits for every step', async () => {
    const slow = step('slow', CHANGE, 1, () => new Promise((resolve) => setTimeout(() => resolve({ status: 'done' }), 50)));
    const outcomes = await executePlan([slow], context(), { blockedBy: [] });
    expect(outcomes[0]).toMatchObject({ status: 'done' });
  });
});
