import { createAwsClients } from '../../../lambda/aws/clients';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';
import { ResponderError } from '../../../lambda/aws/errors';
import { containmentOf } from '../../../lambda/close-loop/containment';
import { noteTextOf, NOTE_TEXT_LIMIT } from '../../../lambda/close-loop/note-text';
import { executePlan } from '../../../lambda/plan/executor';
import { planStep, type ExecutionContext, type PlannedStep, type StepRunResult, type StepSpec } from '../../../lambda/plan/types';

/*
 * What the playbook's steps came to, read from the outcomes the real
 * executor records: the archive follows only a complete containment, so a
 * change not run (blocked, or a step it needs not done) or failed makes it
 * incomplete, while a change found already in place does not.
 */

const CHANGE: StepSpec = { kind: 'change', iamActions: ['ec2:ModifyNetworkInterfaceAttribute'], mutating: true };
const LOOK: StepSpec = { kind: 'look', iamActions: ['ec2:DescribeInstances'], mutating: false };

function step(id: string, spec: StepSpec, stage: number, run: () => Promise<StepRunResult>, requires: string[] = []): PlannedStep {
  return planStep(spec, { id, title: `step ${id}`, action: spec.iamActions[0]!, target: 't', parameters: {}, why: 'test', stage, requires, run });
}

function context(): ExecutionContext {
  return { clients: createAwsClients({ region: 'us-east-1' }, EVERY_CLIENT), outputs: new Map(), outcomes: [], now: () => new Date('2026-11-22T00:00:00Z') };
}

const done = async (): Promise<StepRunResult> => ({ status: 'done' });
const inPlace = async (): Promise<StepRunResult> => ({ status: 'skipped', reason: 'already isolated' });
const denied = async (): Promise<StepRunResult> => {
  throw new ResponderError('AccessDenied', 'no (test)');
};

async function containmentAfter(steps: PlannedStep[], blockedBy: string[] = [], failedReads: string[] = []) {
  const ctx = context();
  await executePlan(steps, ctx, { blockedBy });
  return containmentOf(steps, ctx.outcomes, failedReads);
}

describe('containmentOf', () => {
  it('is complete when every change is done or already in place', async () => {
    expect(await containmentAfter([step('isolate', CHANGE, 1, done), step('tag', CHANGE, 1, inPlace), step('look', LOOK, 2, done)])).toMatchObject({
      acted: true,
      complete: true,
      done: 2,
      skipped: 1,
      failed: 0,
      failedSteps: [],
      notRun: [],
    });
  });

  it('is not complete when a change failed, nor when a change needing it was not run', async () => {
    const result = await containmentAfter([step('isolate', CHANGE, 1, denied), step('snapshot', CHANGE, 2, done, ['isolate']), step('tag', CHANGE, 1, done)]);
    expect(result).toMatchObject({ acted: true, complete: false, failedSteps: ['isolate (AccessDenied)'], failedChanges: ['isolate (AccessDenied)'], notRun: ['snapshot'] });
  });

  it('is complete when only a read-only step after the changes failed (an investigation): the note still names it', async () => {
    const result = await containmentAfter([step('isolate', CHANGE, 1, done), step('investigate', LOOK, 2, denied)]);
    expect(result).toMatchObject({ acted: true, complete: true, failed: 1, failedSteps: ['investigate (AccessDenied)'], failedChanges: [] });
  });

  it('is not complete when a change was not run only because a read-only step it needs failed', async () => {
    const result = await containmentAfter([step('look', LOOK, 1, denied), step('isolate', CHANGE, 2, done, ['look'])]);
    expect(result).toMatchObject({ acted: false, complete: false, failedSteps: ['look (AccessDenied)'], notRun: ['isolate'] });
  });

  it('is not complete when a guard blocked the changes, nor when a read the plan needed failed, nor with no change planned', async () => {
    expect(await containmentAfter([step('isolate', CHANGE, 1, done)], ['exempt-tag'])).toMatchObject({ acted: false, complete: false, notRun: ['isolate'] });
    expect(await containmentAfter([step('isolate', CHANGE, 1, done)], [], ['read:instance:i-1'])).toMatchObject({ acted: true, complete: false, failedReads: ['read:instance:i-1'] });
    expect(await containmentAfter([step('look', LOOK, 1, done)])).toMatchObject({ acted: false, complete: false });
  });

  it('counts a change with no outcome at all as not run', () => {
    expect(containmentOf([{ id: 'isolate', mutating: true }], [], [])).toMatchObject({ complete: false, notRun: ['isolate'] });
  });
});

describe('noteTextOf', () => {
  it('stays within Security Hub’s note limit, however many steps failed', () => {
    const failedSteps = Array.from({ length: 60 }, (_, i) => `deregister:arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/tg-${i}/abc (Throttling)`);
    const text = noteTextOf({
      incidentId: 'incident-1',
      playbook: 'contain-instance',
      containment: { acted: true, complete: false, done: 1, skipped: 0, failed: 60, failedSteps, failedChanges: failedSteps, notRun: [], failedReads: [] },
    });
    expect(text.length).toBe(NOTE_TEXT_LIMIT);
    expect(text.startsWith('GuardDuty incident response, incident incident-1: contain-instance, PARTIAL')).toBe(true);
    expect(text.endsWith('...')).toBe(true);
  });
});
