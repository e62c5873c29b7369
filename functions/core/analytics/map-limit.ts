/**
 * Runs `work` over every item with at most `limit` in flight. Apart from the recompute, so the
 * analytics store uses it without bringing the recompute's libraries into every bundle.
 */
export async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}
