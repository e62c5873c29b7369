/**
 * The product rules' use cases beyond a purchase (see follow-ups.ts for that): the nightly
 * co-purchase count over every recorded order, and a customer's personal offers for a journey step.
 */
import type { CoPurchaseStore, CustomerHistory } from '../loyalty/ports.ts';
import { CoPurchaseCounter, type CoPurchaseSettings, type CoPurchaseStats } from './copurchase.ts';
import { pickOffers, type Offer, type PickOptions } from './offers.ts';
import type { Catalog } from './rules.ts';

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

/** A customer's personal offers (for the post-purchase journey's offer step), with the stored co-purchases. */
export async function personalOffers(
  ports: { customers: CustomerHistory; copurchases: CoPurchaseStore; catalog: Catalog; now: () => Date },
  customerId: string,
  options: PickOptions = {},
): Promise<Offer[]> {
  const profile = await ports.customers.getProfile(customerId);
  if (!profile) return [];
  const recent = profile.skus.slice(-(options.recentProducts ?? 20));
  return pickOffers(profile, ports.catalog, await ports.copurchases.lookup(recent), ports.now(), options);
}
