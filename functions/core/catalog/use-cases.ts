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
 * memory and stores the top neighbours per product. Run nightly.
 */
export async function recomputeCoPurchases(
  ports: CoPurchasePorts,
  options: { segments?: number; settings?: Partial<CoPurchaseSettings> } = {},
): Promise<CoPurchaseStats & { saved: number; seconds: number }> {
  const started = performance.now();
  const segments = Math.max(1, options.segments ?? 4);
  const counter = new CoPurchaseCounter(options.settings);
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const order of ports.copurchases.orders(segment, segments)) counter.add(order, segment);
    }),
  );
  const saved = await ports.copurchases.save(counter.topK(), ports.now().toISOString());
  return { ...counter.summary(), saved, seconds: (performance.now() - started) / 1000 };
}
