import { ResponderError } from '../../../lambda/aws/errors';
import { BUDGET_EXCEEDED, isBudgetExceeded, TimeBudget } from '../../../lambda/investigation/budget';
import { fakeClock } from '../../support/aws-mocks/revoke-investigation';

describe('TimeBudget', () => {
  it('starts when it is first asked, not when it is made', () => {
    const clock = fakeClock();
    const budget = new TimeBudget(10_000, clock);
    clock.advance(60_000);
    expect(budget.remainingMs()).toBe(10_000);
    clock.advance(4_000);
    expect(budget.remainingMs()).toBe(6_000);
    clock.advance(7_000);
    expect(budget.remainingMs()).toBe(0);
    expect(budget.exhausted()).toBe(true);
  });

  it('sleeps no longer than what is left', async () => {
    const clock = fakeClock();
    const budget = new TimeBudget(1_500, clock);
    await budget.sleep(1_000);
    await budget.sleep(1_000);
    await budget.sleep(1_000);
    expect(clock.sleeps).toEqual([1_000, 500]);
  });

  it('makes no call once the budget is spent, and says which call it skipped', async () => {
    const clock = fakeClock();
    const budget = new TimeBudget(1_000, clock);
    budget.remainingMs();
    clock.advance(1_000);
    const send = jest.fn(async () => 'answer');

    await expect(budget.call('LookupEvents (page 3)', send)).rejects.toMatchObject({
      code: BUDGET_EXCEEDED,
      message: "LookupEvents (page 3) was not made or not answered within the investigation's 1 s budget",
    });
    expect(send).not.toHaveBeenCalled();
  });

  it('aborts a call still running when the budget runs out', async () => {
    const budget = new TimeBudget(30);
    let signal: AbortSignal | undefined;
    const hanging = (abortSignal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signal = abortSignal;
        abortSignal.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
      });

    const started = Date.now();
    const error = await budget.call('GetServiceLastAccessedDetails', hanging).catch((e: unknown) => e);

    expect(signal?.aborted).toBe(true);
    expect(isBudgetExceeded(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('passes through the answer, and any error that is not the budget running out', async () => {
    const budget = new TimeBudget(10_000);
    await expect(budget.call('GetAccessKeyLastUsed', async () => 'answer')).resolves.toBe('answer');
    const denied = Object.assign(new Error('no'), { name: 'AccessDenied' });
    await expect(budget.call('GetAccessKeyLastUsed', async () => Promise.reject(denied))).rejects.toBe(denied);
    expect(isBudgetExceeded(denied)).toBe(false);
    expect(isBudgetExceeded(new ResponderError('Other', 'x'))).toBe(false);
  });
});
