import { IsolationFirst } from '../../../lambda/respond/isolation-first';

/*
 * The hold on the reads isolation does not wait for (lambda/respond/isolation-first.ts): released by movesSent only
 * on the event loop's next turn, after the moves' requests (written by promise continuations and I/O already queued)
 * are on the wire; by clear at once.
 */

function settledFlag(hold: IsolationFirst): () => boolean {
  let settled = false;
  void hold.cleared.then(() => {
    settled = true;
  });
  return () => settled;
}

/** Lets every queued promise continuation run (several hops, as the SDK's middleware takes), but no macrotask. */
async function drainMicrotasks(hops = 50): Promise<void> {
  for (let i = 0; i < hops; i += 1) await Promise.resolve();
}

describe('IsolationFirst', () => {
  it('held until told: neither continuations nor a turn of the event loop release it', async () => {
    const settled = settledFlag(new IsolationFirst());
    await drainMicrotasks();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled()).toBe(false);
  });

  it('movesSent: not released while the moves’ continuations still run, released on the next turn of the event loop', async () => {
    const hold = new IsolationFirst();
    const settled = settledFlag(hold);
    hold.movesSent();
    await drainMicrotasks();
    expect(settled()).toBe(false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await drainMicrotasks(2);
    expect(settled()).toBe(true);
  });

  it('a setImmediate queued before movesSent (a move’s request being written) runs before the held reads go', async () => {
    const hold = new IsolationFirst();
    const order: string[] = [];
    setImmediate(() => order.push('move written'));
    hold.movesSent();
    await hold.cleared.then(() => order.push('held reads sent'));
    expect(order).toEqual(['move written', 'held reads sent']);
  });

  it('clear: released at once, before the event loop turns', async () => {
    const hold = new IsolationFirst();
    const settled = settledFlag(hold);
    hold.clear();
    await drainMicrotasks(2);
    expect(settled()).toBe(true);
  });
});
