import { approvalDeadline, DEADLINE_CLOCK_SKEW_MS, deadlineHasCome } from '../../../lambda/approval/deadline';
import { atExpression } from '../../../lambda/approval/schedules';

/*
 * lambda/approval/deadline.ts: the stored deadline and the schedule's at()
 * are the same instant, and a deadline event within the clock-skew
 * allowance before it is honoured.
 */

describe('approvalDeadline', () => {
  it('rounds a sub-second deadline up to the whole second, the instant at() names', () => {
    const deadline = approvalDeadline(new Date('2026-12-06T21:30:45.123Z'), 3_600_000);
    expect(deadline.toISOString()).toBe('2026-12-06T22:30:46.000Z');
    expect(atExpression(deadline)).toBe('at(2026-12-06T22:30:46)');
  });

  it('keeps a deadline that is already a whole second', () => {
    expect(approvalDeadline(new Date('2026-12-06T21:30:45.000Z'), 1000).toISOString()).toBe('2026-12-06T21:30:46.000Z');
  });
});

describe('deadlineHasCome', () => {
  const deadline = '2026-12-06T22:30:46.000Z';
  const at = Date.parse(deadline);

  it('is true at and after the deadline, and within the clock-skew allowance before it', () => {
    expect(deadlineHasCome(deadline, new Date(at))).toBe(true);
    expect(deadlineHasCome(deadline, new Date(at + 60_000))).toBe(true);
    expect(deadlineHasCome(deadline, new Date(at - DEADLINE_CLOCK_SKEW_MS))).toBe(true);
  });

  it('is false earlier than the allowance, and for an unreadable deadline (fail closed)', () => {
    expect(deadlineHasCome(deadline, new Date(at - DEADLINE_CLOCK_SKEW_MS - 1))).toBe(false);
    expect(deadlineHasCome('not a time', new Date(at))).toBe(false);
  });

  it('honours a schedule that fires at the whole second of a deadline made with milliseconds', () => {
    const made = approvalDeadline(new Date('2026-12-06T21:30:45.999Z'), 0);
    const fires = new Date(`${atExpression(made).slice(3, -1)}Z`);
    expect(deadlineHasCome(made.toISOString(), fires)).toBe(true);
  });
});
