import { approvalEventSchema, isApprovalEventShaped } from '../../../lambda/approval/events';
import { atExpression, scheduleNameOf } from '../../../lambda/approval/schedules';
import { splitForApproval } from '../../../lambda/approval/split';
import type { PlannedStep } from '../../../lambda/plan/types';

/* Which steps wait (lambda/approval/split.ts), the events that resume a response (events.ts), the schedules' names (schedules.ts). */

function step(id: string, options: Partial<PlannedStep> = {}): PlannedStep {
  return {
    id,
    kind: 'k',
    title: id,
    action: 'ec2:DescribeInstances',
    iamActions: ['ec2:DescribeInstances'],
    target: 't',
    parameters: {},
    mutating: true,
    why: 'test',
    stage: 0,
    requires: [],
    run: () => Promise.resolve({ status: 'done' }),
    ...options,
  };
}

const approve = { mode: 'approve' as const, changeClass: 'isolate' as const, ruleId: 'prod', why: 'env=prod' };

describe('splitForApproval', () => {
  it('holds back the steps that need a decision and every step after one of them', async () => {
    const steps = [
      step('snapshot', { mutating: true }),
      step('untrack', { approval: approve, stage: 1 }),
      step('isolate', { follows: 'untrack', stage: 2 }),
      step('restore', { compensates: 'isolate', stage: 3 }),
      step('tag', { requires: ['snapshot'], stage: 1 }),
      step('detach', { requires: ['isolate'], stage: 3 }),
    ];
    const split = splitForApproval(steps);
    expect(split.now.map((s) => s.id)).toEqual(['snapshot', 'tag']);
    expect(split.later.map((s) => s.id)).toEqual(['untrack', 'isolate', 'restore', 'detach']);
  });

  it('never holds a step that closes what an earlier attempt left open: it runs now, told the change it compensates awaits approval', async () => {
    const seen: (readonly string[] | undefined)[] = [];
    const steps = [
      step('untrack', { approval: approve, stage: 1 }),
      step('isolate', { follows: 'untrack', stage: 2 }),
      step('restore', {
        compensates: 'isolate',
        follows: 'isolate',
        closesLeftOpen: true,
        stage: 3,
        run: (ctx) => {
          seen.push(ctx.blockedBy);
          return Promise.resolve({ status: 'done' });
        },
      }),
    ];
    const split = splitForApproval(steps);
    expect(split.now.map((s) => s.id)).toEqual(['restore']);
    // It also waits with the isolation: the decision and the plan's hash cover it, and the resumed act runs it again.
    expect(split.later.map((s) => s.id)).toEqual(['untrack', 'isolate', 'restore']);
    await split.now[0]!.run({ blockedBy: undefined } as never);
    expect(seen).toEqual([['awaits approval']]);
    // Nothing of its own waits: a step closing what was left open, with nothing held, is the step itself.
    const alone = splitForApproval([step('isolate', { stage: 2 }), steps[2]!]);
    expect(alone.now[1]).toBe(steps[2]);
  });

  it('nothing waits without a step marked approve; a step marked never is reported skipped with its rule', async () => {
    const split = splitForApproval([step('a'), step('b', { approval: { ...approve, mode: 'never', ruleId: 'no-prod' } })]);
    expect(split.later).toEqual([]);
    await expect(split.now[1]!.run({} as never)).resolves.toEqual({ status: 'skipped', reason: 'not made: the approval policy says never (rule no-prod)' });
  });
});

describe('approval events', () => {
  it('accepts only a known kind and a plain incident id', () => {
    expect(approvalEventSchema.safeParse({ kind: 'approval-decided', incidentId: 'ir-0123456789abcdef' }).success).toBe(true);
    expect(approvalEventSchema.safeParse({ kind: 'approval-approve', incidentId: 'ir-1' }).success).toBe(false);
    expect(approvalEventSchema.safeParse({ kind: 'approval-decided', incidentId: 'ir-1', decision: 'approve' }).success).toBe(false);
    expect(approvalEventSchema.safeParse({ kind: 'approval-decided', incidentId: 'approval#x' }).success).toBe(false);
    expect(isApprovalEventShaped({ kind: 'approval-anything' })).toBe(true);
    expect(isApprovalEventShaped({ detail: {}, kind: 'x' })).toBe(false);
    expect(isApprovalEventShaped({ finding: {} })).toBe(false);
  });
});

describe('schedules', () => {
  it('one-time at() expressions to the second (rounded up: never before the instant), and names within Scheduler limits', () => {
    expect(atExpression(new Date('2026-12-06T21:30:45.123Z'))).toBe('at(2026-12-06T21:30:46)');
    expect(atExpression(new Date('2026-12-06T21:30:45.000Z'))).toBe('at(2026-12-06T21:30:45)');
    expect(atExpression(new Date('2026-12-31T23:59:59.001Z'))).toBe('at(2027-01-01T00:00:00)');
    const name = scheduleNameOf('ir-0123456789abcdef', 'approval-escalate');
    expect(name).toMatch(/^ir-approval-escalate-[0-9a-f]{24}$/);
    expect(name.length).toBeLessThanOrEqual(64);
  });
});
