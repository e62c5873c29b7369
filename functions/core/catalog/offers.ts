/**
 * Personal offers, pure: what to suggest to a customer, from the store's cross-sell rules ("bought a
 * printer: cartridges after 60 days"), its upsell rules ("on the basic plan: the pro plan"), and
 * where no rule speaks for a product, what the store's own customers bought with it or after it
 * (the nightly co-purchase counts). Never what the customer already has, never a product the store
 * stopped offering, and never above the customer's price band.
 *
 * Price bands: a product's is declared, or follows from its price against `priceBands` (mid,
 * premium); a customer's follows from her average order value against the same thresholds, and is
 * premium for a VIP (the segments job's `vip`, or net revenue from `priceBands.vipNetRevenue`). A
 * customer sees products of her band and below: an entry-level buyer is not shown the premium range.
 */
import type { CustomerProfile } from '../profile.ts';
import type { Catalog, CrossSellRule, PriceBand, Product, RuleTrigger } from './rules.ts';

const DAY_MS = 86_400_000;

export interface CoPurchaseNeighbour {
  sku: string;
  /** Times bought together with or after the product (the nightly count's estimate; see copurchase.ts). */
  count: number;
}

/** Top neighbours per product, as the nightly co-purchase job stored them. */
export type CoPurchaseLookup = ReadonlyMap<string, readonly CoPurchaseNeighbour[]>;

export type OfferSource = 'cross-sell' | 'upsell' | 'co-purchase';

export interface Offer {
  sku: string;
  name: string;
  priceMinor: number | null;
  currency: string;
  url: string;
  band: PriceBand;
  source: OfferSource;
  /** The product the customer has that led to this offer. */
  because: string;
  /** The rule that made it, for rule offers. */
  ruleId?: string;
}

export interface PickOptions {
  /** At most this many offers (default 3). */
  limit?: number;
  /** The customer's segments, when the segments job has them ('vip' sees premium). */
  segments?: readonly string[];
  /**
   * When each product was last bought, if known. A cross-sell rule waits `afterDays` from that time;
   * without it, from the customer's last order (never too early).
   */
  boughtAt?: Readonly<Record<string, string>>;
  /** How many of the customer's latest products look for co-purchases (default 20). */
  recentProducts?: number;
}

const bandRank: Record<PriceBand, number> = { entry: 0, mid: 1, premium: 2 };

export function productBand(catalog: Catalog, product: Product): PriceBand {
  if (product.band) return product.band;
  if (product.priceMinor === undefined) return 'entry';
  if (product.priceMinor >= catalog.priceBands.premiumMinor) return 'premium';
  if (product.priceMinor >= catalog.priceBands.midMinor) return 'mid';
  return 'entry';
}

/**
 * The customer's band: premium for a VIP, else by average order value (net revenue in the store's
 * currency over her orders). A customer who never paid in the store's currency is 'mid' (no way to
 * compare without exchange rates).
 */
export function customerBand(catalog: Catalog, profile: CustomerProfile, segments: readonly string[] = []): PriceBand {
  if (segments.includes('vip')) return 'premium';
  const revenue = profile.revenueByCurrency[catalog.currency];
  if (revenue === undefined) return 'mid';
  const vip = catalog.priceBands.vipNetRevenueMinor;
  if (vip !== undefined && revenue >= vip) return 'premium';
  const average = Math.floor(Math.max(0, revenue) / Math.max(1, profile.orderCount));
  if (average >= catalog.priceBands.premiumMinor) return 'premium';
  if (average >= catalog.priceBands.midMinor) return 'mid';
  return 'entry';
}

export function withinBand(offer: PriceBand, customer: PriceBand): boolean {
  return bandRank[offer] <= bandRank[customer];
}

export function matchesTrigger(trigger: RuleTrigger, sku: string, category: string | undefined): boolean {
  return 'sku' in trigger ? trigger.sku === sku : category !== undefined && trigger.category === category;
}

/** The category a product is known by: the line's own, else the catalog's. */
export function categoryOf(catalog: Catalog, sku: string, lineCategory?: string): string | undefined {
  return lineCategory ?? catalog.products.get(sku)?.category;
}

/** The cross-sell rules an order's lines trigger, once per rule and triggering product. */
export function triggeredCrossSells(catalog: Catalog, lines: readonly { sku: string; category?: string }[]): { rule: CrossSellRule; sku: string }[] {
  const found: { rule: CrossSellRule; sku: string }[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const category = categoryOf(catalog, line.sku, line.category);
    for (const rule of catalog.crossSell) {
      const key = `${rule.id}\u0000${line.sku}`;
      if (seen.has(key) || !matchesTrigger(rule.when, line.sku, category)) continue;
      seen.add(key);
      found.push({ rule, sku: line.sku });
    }
  }
  return found;
}

/**
 * The product as an offer to this customer, or nothing: unknown to the catalog (no name or link to
 * show), no longer offered, already owned, or above her band.
 */
export function offerFor(catalog: Catalog, sku: string, owned: ReadonlySet<string>, band: PriceBand): { product: Product; band: PriceBand } | undefined {
  const product = catalog.products.get(sku);
  if (!product || !product.offered || owned.has(sku)) return undefined;
  const offerBand = productBand(catalog, product);
  return withinBand(offerBand, band) ? { product, band: offerBand } : undefined;
}

/**
 * The customer's personal offers, best first: cross-sell rules whose wait is over, then upsell rules,
 * then co-purchases of her latest products that no rule covers (by how often the store's customers
 * bought them together or after, summed over her products). Deterministic for the same inputs.
 */
export function pickOffers(profile: CustomerProfile, catalog: Catalog, coPurchases: CoPurchaseLookup, now: Date, options: PickOptions = {}): Offer[] {
  const limit = options.limit ?? 3;
  const owned = new Set(profile.skus);
  const band = customerBand(catalog, profile, options.segments);
  const offers: Offer[] = [];
  const chosen = new Set<string>();
  const add = (sku: string, source: OfferSource, because: string, ruleId?: string): void => {
    if (offers.length >= limit || chosen.has(sku)) return;
    const offer = offerFor(catalog, sku, owned, band);
    if (!offer) return;
    chosen.add(sku);
    offers.push({
      sku,
      name: offer.product.name,
      priceMinor: offer.product.priceMinor ?? null,
      currency: catalog.currency,
      url: offer.product.url,
      band: offer.band,
      source,
      because,
      ...(ruleId ? { ruleId } : {}),
    });
  };

  const ownedProducts = profile.skus.map((sku) => ({ sku, category: categoryOf(catalog, sku) }));
  const lastOrder = Date.parse(profile.lastOrderAt);
  const covered = new Set<string>();
  for (const rule of catalog.crossSell) {
    for (const product of ownedProducts) {
      if (!matchesTrigger(rule.when, product.sku, product.category)) continue;
      covered.add(product.sku);
      const bought = options.boughtAt?.[product.sku];
      const since = bought !== undefined ? Date.parse(bought) : lastOrder;
      if (now.getTime() < since + rule.afterDays * DAY_MS) continue;
      for (const sku of rule.offer) add(sku, 'cross-sell', product.sku, rule.id);
    }
  }
  for (const rule of catalog.upsell) {
    for (const product of ownedProducts) {
      if (!matchesTrigger(rule.when, product.sku, product.category)) continue;
      covered.add(product.sku);
      for (const sku of rule.offer) add(sku, 'upsell', product.sku, rule.id);
    }
  }

  if (offers.length < limit) {
    const scores = new Map<string, { score: number; because: string }>();
    const recent = profile.skus.slice(-(options.recentProducts ?? 20)).reverse();
    for (const sku of recent) {
      if (covered.has(sku)) continue;
      for (const neighbour of coPurchases.get(sku) ?? []) {
        if (owned.has(neighbour.sku)) continue;
        const current = scores.get(neighbour.sku);
        scores.set(neighbour.sku, { score: (current?.score ?? 0) + neighbour.count, because: current?.because ?? sku });
      }
    }
    const ranked = [...scores.entries()].sort(([a, x], [b, y]) => y.score - x.score || (a < b ? -1 : a > b ? 1 : 0));
    for (const [sku, { because }] of ranked) add(sku, 'co-purchase', because);
  }
  return offers;
}
