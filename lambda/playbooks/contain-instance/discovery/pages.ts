/*
 * Small helpers for reads: follow pagination tokens (bounded, so a service
 * that keeps answering with a token cannot loop us past the Lambda timeout)
 * and run many reads at once without flooding one API.
 */

const MAX_PAGES = 20;

export async function collectPages<Page, Item>(
  fetch: (token: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
  nextTokenOf: (page: Page) => string | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await fetch(token);
    items.push(...(itemsOf(result) ?? []));
    token = nextTokenOf(result);
    if (!token) break;
  }
  return items;
}

/** Like Promise.all over `items`, with at most `limit` calls in flight. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
