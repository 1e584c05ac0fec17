import { collectPages, mapConcurrent } from '../../../../../lambda/playbooks/contain-instance/discovery/pages';

describe('collectPages', () => {
  it('follows tokens until there is none', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = { start: { items: [1, 2], next: 'b' }, b: { items: [3], next: 'c' }, c: { items: [] } };
    const seen: (string | undefined)[] = [];
    const items = await collectPages(
      async (token) => (seen.push(token), pages[token ?? 'start']!),
      (p) => p.items,
      (p) => p.next,
    );
    expect(items).toEqual([1, 2, 3]);
    expect(seen).toEqual([undefined, 'b', 'c']);
  });

  it('stops after 20 pages when a service keeps answering with a token', async () => {
    let calls = 0;
    await collectPages(async () => (calls += 1, { next: 'again' }), () => [], (p) => p.next);
    expect(calls).toBe(20);
  });
});

describe('mapConcurrent', () => {
  it('keeps the order of the results and never has more than the limit in flight', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n * 3));
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
