import { heldByApproval, isAwaitingApproval, isRefusedByPolicy } from '../../../lambda/approval/held';
import { containmentOf } from '../../../lambda/close-loop/containment';
import { executePlan } from '../../../lambda/plan/executor';
import { planStep, type ExecutionContext, type PlannedStep, type StepSpec } from '../../../lambda/plan/types';
import type { StepApproval } from '../../../lambda/approval/types';
import type { AwsClients } from '../../../lambda/aws/clients';
import { waitShaper } from '../../../lambda/respond/wait';
import type { Finding } from '../../../lambda/finding/schema';

const FINDING = { id: 'f-1', type: 'Backdoor:EC2/C&CActivity.B', severity: 8 } as Finding;

/*
 * A change the policy holds is skipped by the phase `wait` (or refused by the split), with a reason the ledger and the
 * close-the-loop steps read back: such a change counts as not run (no archive after it).
 */

const CHANGE: StepSpec = { kind: 'change', iamActions: ['ec2:ModifyNetworkInterfaceAttribute'], mutating: true, changeClass: 'isolate' };

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
  it('runs a change whatever its approval once it reaches it: only the phase `wait` holds changes back', async () => {
    const approved = step('isolate', CHANGE, { approval: decision('approve') });
    const [outcome] = await executePlan([approved.step], ctx(), { blockedBy: [] });
    expect(outcome).toMatchObject({ id: 'isolate', status: 'done' });
    expect(approved.ran()).toBe(true);
  });

  it('under a guard (a dry-run), says what the policy would then do', async () => {
    const held = step('isolate', CHANGE, { approval: decision('never') });
    const [outcome] = await executePlan([held.step], ctx(), { blockedBy: ['dry-run'] });
    expect(outcome?.reason).toBe('blocked by dry-run; then not made: the approval policy says never (rule prod)');
  });
});

describe('containmentOf', () => {
  it('counts a change that waits for a decision, or that the policy refuses, as not run: the containment is not complete', async () => {
    const held = step('isolate', CHANGE, { approval: decision('approve') });
    const refused = step('detach', CHANGE, { approval: decision('never') });
    // As the phase `wait` shapes them in a run that cannot wait (no ledger): the held change skipped, the refused one too.
    const { steps } = waitShaper({ approval: undefined, finding: FINDING, playbook: 'contain-instance', incidentId: 'ir-1', now: () => new Date(0), startedAt: () => '' })([held.step, refused.step]);
    const outcomes = await executePlan(steps, ctx(), { blockedBy: [] });
    expect(outcomes.map((o) => o.reason)).toEqual([
      'awaits approval (rule prod), and this run cannot wait for one: no ledger to wait on (a run without the stack, or without its approval settings). ' +
        'To have a person decide: deploy the stack with an `approval` key in its configuration (it creates the decision channels and the schedule group), and respond from it; held by rule prod of the policy.',
      'not made: the approval policy says never (rule prod)',
    ]);
    expect([held.ran(), refused.ran()]).toEqual([false, false]);
    const containment = containmentOf(steps, outcomes, []);
    expect(containment).toMatchObject({ complete: false, acted: false, notRun: ['isolate', 'detach'] });
  });
});
