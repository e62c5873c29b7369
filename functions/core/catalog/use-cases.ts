/**
 * The product rules' use case beyond a purchase (see follow-ups.ts for that): the nightly
 * co-purchase count over every recorded order, which the post-purchase steps' offers read
 * (offers.ts, stepOffers).
 */
import type { CoPurchaseStore } from '../loyalty/ports.ts';
import { CoPurchaseCounter, type CoPurchaseSettings, type CoPurchaseStats } from './copurchase.ts';

export interface CoPurchasePorts {
  copurchases: CoPurchaseStore;
  now: () => Date;
}

/**
 * Streams every order once (`segments` parallel scan segments, each its own lane), counts in bounded
 * memory and stores the top neighbours per product. Run nightly. The orders come from their own
 * index; on the first night after it appeared, from the whole table instead, the older orders given
 * the index key on the way (an index being filled is not yet every order).
 */
export async function recomputeCoPurchases(
  ports: CoPurchasePorts,
  options: { segments?: number; settings?: Partial<CoPurchaseSettings> } = {},
): Promise<CoPurchaseStats & { saved: number; seconds: number; read: 'orders index' | 'table' }> {
  const started = performance.now();
  const segments = Math.max(1, options.segments ?? 4);
  const counter = new CoPurchaseCounter(options.settings);
  const { copurchases } = ports;
  const indexed = await copurchases.ordersIndexed();
  const orders = indexed ? copurchases.orders.bind(copurchases) : copurchases.ordersIndexing.bind(copurchases);
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const order of orders(segment, segments)) counter.add(order, segment);
    }),
  );
  const computedAt = ports.now().toISOString();
  if (!indexed) await copurchases.markOrdersIndexed(computedAt);
  const saved = await copurchases.save(counter.topK(), computedAt);
  return { ...counter.summary(), saved, seconds: (performance.now() - started) / 1000, read: indexed ? 'orders index' : 'table' };
}
