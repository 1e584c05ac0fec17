import type { StepReport } from '../../../lambda/plan/document';
import type { StepStatus } from '../../../lambda/plan/types';
import { outcomeOf } from '../../../lambda/runtime/outcome';

function step(id: string, mutating: boolean, status: StepStatus): StepReport {
  return { id, title: id, action: 'x:Y', iamActions: ['x:Y'], target: 't', parameters: {}, mutating, why: 'w', stage: 1, requires: [], status, durationMs: 0 };
}

function report(steps: StepReport[], blockedBy: string[] = []) {
  return {
    steps,
    blockedBy,
    summary: {
      done: steps.filter((s) => s.status === 'done').length,
      skipped: steps.filter((s) => s.status === 'skipped').length,
      failed: steps.filter((s) => s.status === 'failed').length,
    },
  };
}

const notify = (status: StepStatus = 'done') => step('notify', false, status);

describe('outcomeOf', () => {
  it('is failed when any step failed, even after a change was made', () => {
    expect(outcomeOf(report([step('isolate', true, 'done'), notify('failed')]))).toBe('failed');
  });

  it('is acted when a change was made', () => {
    expect(outcomeOf(report([step('isolate', true, 'done'), step('snapshot', true, 'skipped'), notify()]))).toBe('acted');
  });

  it('is reported when the plan has no change to make, dry-run or not', () => {
    expect(outcomeOf(report([notify()]))).toBe('reported');
    expect(outcomeOf(report([notify()], ['dry-run']))).toBe('reported');
  });

  it('is dry-run when only the dry-run kept the changes from running', () => {
    expect(outcomeOf(report([step('isolate', true, 'skipped'), notify()], ['dry-run']))).toBe('dry-run');
  });

  it('is blocked when another guard refused the changes', () => {
    expect(outcomeOf(report([step('isolate', true, 'skipped'), notify()], ['exempt-tag']))).toBe('blocked');
    expect(outcomeOf(report([step('isolate', true, 'skipped'), notify()], ['sample-finding', 'dry-run']))).toBe('blocked');
  });

  it('is no-change when nothing refused the changes and none was needed', () => {
    expect(outcomeOf(report([step('isolate', true, 'skipped'), notify()]))).toBe('no-change');
  });
});
