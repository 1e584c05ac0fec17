import { heldByApproval, isAwaitingApproval, isRefusedByPolicy } from '../../../lambda/approval/held';
import { containmentOf } from '../../../lambda/close-loop/containment';
import { executePlan } from '../../../lambda/plan/executor';
import { planStep, type ExecutionContext, type PlannedStep, type StepSpec } from '../../../lambda/plan/types';
import type { StepApproval } from '../../../lambda/approval/types';
import type { AwsClients } from '../../../lambda/aws/clients';

/*
 * Until the wait exists, the executor skips a change the policy holds, with a reason that names the rule,
 * and every step that needs it; the close-the-loop steps count such a change as not run (no archive after it).
 */

const CHANGE: StepSpec = { kind: 'change', iamActions: ['ec2:ModifyNetworkInterfaceAttribute'], mutating: true, changeClass: 'isolate' };
const READ: StepSpec = { kind: 'read', iamActions: ['ec2:DescribeInstances'], mutating: false };

const decision = (mode: StepApproval['mode'], ruleId = 'prod'): StepApproval => ({ mode, changeClass: 'isolate', ruleId, why: `rule ${ruleId}: ${mode}` });

function step(id: string, spec: StepSpec, more: { approval?: StepApproval; requires?: string[]; stage?: number } = {}): { step: PlannedStep; ran: () => boolean } {
  let ran = false;
  const planned = planStep(spec, {
    id,
    title: id,
    action: spec.iamActions[0]!,
    target: 'i-1',
    parameters: {},
    why: 'test',
    stage: more.stage ?? 1,
    ...(more.requires ? { requires: more.requires } : {}),
    run: () => {
      ran = true;
      return Promise.resolve({ status: 'done' });
    },
  });
  return { step: more.approval ? { ...planned, approval: more.approval } : planned, ran: () => ran };
}

const ctx = (): ExecutionContext => ({ clients: {} as AwsClients, outputs: new Map(), outcomes: [], now: () => new Date(0) });

describe('heldByApproval', () => {
  it('lets auto and undecided steps run, and names the rule of what it holds', () => {
    expect(heldByApproval(undefined)).toBeUndefined();
    expect(heldByApproval(decision('auto'))).toBeUndefined();
    expect(heldByApproval(decision('approve'))).toBe('awaits approval (rule prod)');
    expect(heldByApproval(decision('never', 'keep'))).toBe('not made: the approval policy says never (rule keep)');
    expect(isAwaitingApproval(heldByApproval(decision('approve')))).toBe(true);
    expect(isRefusedByPolicy(heldByApproval(decision('never')))).toBe(true);
    expect(isAwaitingApproval('blocked by dry-run; then awaits approval (rule prod)')).toBe(false);
  });
});

describe('the executor', () => {
  it('skips a held change and the steps that need it, runs the rest', async () => {
    const held = step('isolate', CHANGE, { approval: decision('approve') });
    const after = step('tag', CHANGE, { requires: ['isolate'], stage: 2, approval: decision('auto') });
    const free = step('other', CHANGE, { approval: decision('auto') });
    const read = step('read', READ, { stage: 2 });
    const outcomes = await executePlan([held.step, free.step, after.step, read.step], ctx(), { blockedBy: [] });
    expect(outcomes.map(({ id, status, reason }) => ({ id, status, reason }))).toEqual([
      { id: 'isolate', status: 'skipped', reason: 'awaits approval (rule prod)' },
      { id: 'other', status: 'done', reason: undefined },
      { id: 'tag', status: 'skipped', reason: 'needs isolate (skipped)' },
      { id: 'read', status: 'done', reason: undefined },
    ]);
    expect([held.ran(), free.ran(), after.ran(), read.ran()]).toEqual([false, true, false, true]);
  });

  it('under a guard (a dry-run), says what the policy would then do', async () => {
    const held = step('isolate', CHANGE, { approval: decision('never') });
    const [outcome] = await executePlan([held.step], ctx(), { blockedBy: ['dry-run'] });
    expect(outcome?.reason).toBe('blocked by dry-run; then not made: the approval policy says never (rule prod)');
  });
});

describe('containmentOf', () => {
  it('counts a change held or refused by the policy as not run: the containment is not complete', async () => {
    const held = step('isolate', CHANGE, { approval: decision('approve') });
    const refused = step('detach', CHANGE, { approval: decision('never') });
    const outcomes = await executePlan([held.step, refused.step], ctx(), { blockedBy: [] });
    const containment = containmentOf([held.step, refused.step], outcomes, []);
    expect(containment).toMatchObject({ complete: false, acted: false, notRun: ['isolate', 'detach'] });
  });
});
