/**
 * Replenishment, pure: how long what a customer bought lasts, and when to remind her. A product
 * (or its category) may declare how many days one unit lasts ("pet food: 30 days"); the quantity
 * bought scales it. Where the store declares nothing, the customer's own rhythm is learned from her
 * repeat purchases of that product: the median of the intervals between them, per unit bought,
 * once there are enough intervals. The reminder goes out `leadDays` before the predicted need.
 */
import type { CycleSource } from '../loyalty/scheduled.ts';
import type { Catalog } from './rules.ts';

const DAY_MS = 86_400_000;

export interface Cycle {
  /** Days the quantity bought lasts. */
  cycleDays: number;
  /** Days one unit lasts. */
  perUnitDays: number;
  source: CycleSource;
}

/** One purchase of a product: when, and how many units (summed over the order's lines). */
export interface ProductPurchase {
  orderId: string;
  placedAt: string;
  quantity: number;
}

/** The cycle the store declares for a product: its own, or else its category's. */
export function declaredCycle(catalog: Catalog, sku: string, category?: string): { perUnitDays: number; source: CycleSource } | undefined {
  const product = catalog.products.get(sku);
  if (product?.cycleDays !== undefined) return { perUnitDays: product.cycleDays, source: 'product' };
  const categoryName = category ?? product?.category;
  const declared = categoryName !== undefined ? catalog.categories.get(categoryName)?.cycleDays : undefined;
  return declared !== undefined ? { perUnitDays: declared, source: 'category' } : undefined;
}

/**
 * Days one unit lasted this customer: each interval between two purchases, divided by the units the
 * earlier one bought; the median of them, once there are at least `minIntervals`. Purchases on the
 * same UTC day count as one (a split order is one restock).
 */
export function learnedPerUnitDays(purchases: readonly ProductPurchase[], minIntervals: number): number | undefined {
  const byDay = new Map<string, { time: number; quantity: number }>();
  for (const purchase of purchases) {
    const day = purchase.placedAt.slice(0, 10);
    const existing = byDay.get(day);
    const time = Date.parse(purchase.placedAt);
    byDay.set(day, existing ? { time: Math.min(existing.time, time), quantity: existing.quantity + purchase.quantity } : { time, quantity: purchase.quantity });
  }
  const restocks = [...byDay.values()].sort((a, b) => a.time - b.time);
  const perUnit: number[] = [];
  for (let index = 1; index < restocks.length; index += 1) {
    const earlier = restocks[index - 1]!;
    const days = (restocks[index]!.time - earlier.time) / DAY_MS;
    perUnit.push(days / Math.max(1, earlier.quantity));
  }
  if (perUnit.length < Math.max(1, minIntervals)) return undefined;
  return median(perUnit);
}

/** The cycle of a line bought now: declared if the store says, else learned, else none. */
export function cycleFor(
  catalog: Catalog,
  line: { sku: string; category?: string; quantity: number },
  history: readonly ProductPurchase[],
): Cycle | undefined {
  const declared = declaredCycle(catalog, line.sku, line.category);
  const learned = declared ? undefined : learnedPerUnitDays(history, catalog.replenishment.minLearnedIntervals);
  const perUnitDays = declared?.perUnitDays ?? learned;
  if (perUnitDays === undefined) return undefined;
  const cycleDays = Math.min(catalog.replenishment.maxCycleDays, Math.max(1, Math.round(perUnitDays * Math.max(1, line.quantity))));
  return { cycleDays, perUnitDays, source: declared?.source ?? 'learned' };
}

/**
 * When the product runs out (`needBy`) and when to remind (`remindAt`): `leadDays` before, but never
 * earlier than half way through the cycle (a 7-day product is not reminded of the day it arrives).
 * Nothing when the need is already past (an old order recorded late); at once when only the
 * reminder's time is past.
 */
export function reminderSchedule(placedAt: string, cycleDays: number, leadDays: number, now: Date): { remindAt: string; needBy: string } | undefined {
  const bought = Date.parse(placedAt);
  const needBy = bought + cycleDays * DAY_MS;
  if (needBy <= now.getTime()) return undefined;
  const lead = Math.min(leadDays, Math.floor(cycleDays / 2));
  const remindAt = Math.max(needBy - lead * DAY_MS, now.getTime());
  return { remindAt: new Date(remindAt).toISOString(), needBy: new Date(needBy).toISOString() };
}

/** A customer's purchases of one product, from her orders (any order of lines and orders). */
export function purchasesOf(orders: readonly { orderId: string; placedAt: string; items: readonly { sku: string; quantity: number }[] }[], sku: string): ProductPurchase[] {
  const seen = new Set<string>();
  const purchases: ProductPurchase[] = [];
  for (const order of orders) {
    if (seen.has(order.orderId)) continue;
    seen.add(order.orderId);
    const quantity = order.items.filter((item) => item.sku === sku).reduce((sum, item) => sum + item.quantity, 0);
    if (quantity > 0) purchases.push({ orderId: order.orderId, placedAt: order.placedAt, quantity });
  }
  return purchases.sort((a, b) => (a.placedAt < b.placedAt ? -1 : a.placedAt > b.placedAt ? 1 : 0));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
