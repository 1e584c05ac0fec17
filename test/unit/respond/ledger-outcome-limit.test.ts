import type { PlanDocument } from '../../../lambda/plan/document';
import { LEDGER_OUTCOME_LIMIT_MS } from '../../../lambda/plan/end-of-response';
import { finishReport, LEDGER_NOT_ANSWERED } from '../../../lambda/respond/execute';
import type { PreparedPlan } from '../../../lambda/respond/options';

/*
 * The ledger's outcome write is the last call of a response, inside the
 * time kept before Lambda's timeout: it is waited for LEDGER_OUTCOME_LIMIT_MS
 * at most, and a write not answered by then is reported not recorded
 * (retryable), so the invocation fails and Lambda retries it.
 */

const NOW = new Date('2026-11-22T07:00:00Z');
const document = { steps: [], blockedBy: [], guards: [], reads: [] } as unknown as PlanDocument;

function prepared(finish: () => Promise<void>): PreparedPlan {
  return { document, steps: [], gate: { settled: { kind: 'first', reads: [], verdicts: [], finish }, table: 'ledger', key: 'incident#ir-1' } };
}

afterEach(() => jest.useRealTimers());

describe('finishReport', () => {
  it('stops waiting for an outcome write not answered within the limit: not recorded, retryable', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    let settled = false;
    const finishing = finishReport(prepared(() => new Promise<void>(() => undefined)), [], NOW.toISOString(), () => NOW);
    void finishing.then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(LEDGER_OUTCOME_LIMIT_MS - 1);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const report = await finishing;
    expect(report.ledger).toEqual({ table: 'ledger', key: 'incident#ir-1', recorded: false, error: expect.objectContaining({ code: LEDGER_NOT_ANSWERED, retryable: true }) });
  });

  it('records a write answered in time', async () => {
    const report = await finishReport(prepared(async () => undefined), [], NOW.toISOString(), () => NOW);
    expect(report.ledger).toEqual({ table: 'ledger', key: 'incident#ir-1', recorded: true });
  });
});
