/**
 * Offers, pure: what to suggest to a customer, from the store's cross-sell rules ("bought a camera:
 * a camera bag"), its upsell rules ("on the basic plan: the pro plan"), and what the store's own
 * customers bought with a product or after it (the nightly co-purchase counts). Never what the
 * customer already has, never a product the store stopped offering, and never above the customer's
 * price band.
 *
 * Price bands: a product's is declared, or follows from its price against `priceBands` (mid,
 * premium); a customer's follows from her average order value against the same thresholds, and is
 * premium for a VIP (the segments job's `vip`, or net revenue from `priceBands.vipNetRevenue`). A
 * customer sees products of her band and below: an entry-level buyer is not shown the premium range.
 */
import type { CustomerProfile } from '../profile.ts';
import type { Catalog, CrossSellRule, PriceBand, Product, RuleTrigger } from './rules.ts';

export interface CoPurchaseNeighbour {
  sku: string;
  /** Times bought together with or after the product (the nightly count's estimate; see copurchase.ts). */
  count: number;
}

/** Top neighbours per product, as the nightly co-purchase job stored them. */
export type CoPurchaseLookup = ReadonlyMap<string, readonly CoPurchaseNeighbour[]>;

/** Reads what the nightly co-purchase job stored: the neighbours of the products asked for. */
export interface CoPurchaseReader {
  lookup(skus: readonly string[]): Promise<CoPurchaseLookup>;
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
 * What a post-purchase step offers: 'complement' (the 7-day step) or 'upsell' (the 30- and 90-day
 * steps).
 */
export type OfferPurpose = 'complement' | 'upsell';

/**
 * When learned co-purchases are data enough to offer: a neighbour the nightly count saw with the
 * product in at least this many orders (together, or in a later order of the same customer). The
 * count is a Space-Saving estimate (never below the true count), so below it a pair may be noise.
 * The stored counts hold pairs, not each product's own orders, so support is the only threshold a
 * step can check; confidence is left to the count's top-k (a product keeps its 10 best neighbours).
 */
export const MIN_CO_PURCHASE_SUPPORT = 3;
/** Offers in one message, at most. */
export const DEFAULT_OFFER_LIMIT = 3;

export interface OfferCustomer {
  /** Her orders to find complements or upsells for, newest first (items with SKU and category). */
  orders: readonly { items: readonly { sku: string; category?: string }[] }[];
  /** Every product and category she ever bought (the profile's), beyond those orders. */
  boughtSkus: readonly string[];
  boughtCategories: readonly string[];
  /** Her price band (customerBand): nothing above it is offered. */
  band: PriceBand;
  /** The currency she pays in: prices are shown when the rules carry them in it. */
  currency: string;
}

export interface StepOffer {
  sku: string;
  name: string;
  url: string;
  /** The rules' price, only when the rules' currency is the customer's; else null. */
  priceMinor: number | null;
  source: 'cross-sell' | 'co-purchase' | 'upsell';
  /** The product she bought that led to it. */
  because: string;
  /** The rule, for rule offers. */
  ruleId?: string;
}

/**
 * The offers of one post-purchase step, best first, deterministic for the same inputs.
 *
 * - complement: the store's cross-sell rules whose wait (`afterDays`) ends by the step
 *   (`ruleWaitDays`; a rule waiting longer goes out as its own scheduled message, follow-ups.ts), in
 *   the file's order; then learned co-purchases of her products with at least
 *   MIN_CO_PURCHASE_SUPPORT, by count summed over her products, then SKU. A learned complement is
 *   never of a category she bought (another product of a kind she has is a substitute, not a
 *   complement); a rule leaves out such products only when it says `skipBoughtCategories`.
 * - upsell: the store's upsell rules, in the file's order.
 *
 * Never a product she bought, one the store no longer offers or one unknown to the rules file (no
 * name or link to show), nor one above her price band. Empty means nothing relevant: the step
 * sends nothing.
 */
export function stepOffers(
  catalog: Catalog,
  coPurchases: CoPurchaseLookup,
  customer: OfferCustomer,
  purpose: OfferPurpose,
  options: { ruleWaitDays?: number; limit?: number } = {},
): StepOffer[] {
  const limit = options.limit ?? DEFAULT_OFFER_LIMIT;
  const products = new Map<string, string | undefined>();
  for (const order of customer.orders) {
    for (const item of order.items) if (!products.has(item.sku)) products.set(item.sku, categoryOf(catalog, item.sku, item.category));
  }
  const owned = new Set([...customer.boughtSkus, ...products.keys()]);
  const ownedCategories = new Set([...customer.boughtCategories, ...[...products.values()].filter((category) => category !== undefined)]);
  const offers: StepOffer[] = [];
  const add = (sku: string, source: StepOffer['source'], because: string, skipBoughtCategories: boolean, ruleId?: string): void => {
    if (offers.length >= limit || offers.some((offer) => offer.sku === sku)) return;
    const offer = offerFor(catalog, sku, owned, customer.band);
    if (!offer) return;
    if (skipBoughtCategories && offer.product.category !== undefined && ownedCategories.has(offer.product.category)) return;
    const priced = offer.product.priceMinor !== undefined && catalog.currency === customer.currency;
    offers.push({ sku, name: offer.product.name, url: offer.product.url, priceMinor: priced ? offer.product.priceMinor! : null, source, because, ...(ruleId ? { ruleId } : {}) });
  };
  const firstTrigger = (when: RuleTrigger): string | undefined => [...products].find(([sku, category]) => matchesTrigger(when, sku, category))?.[0];

  if (purpose === 'upsell') {
    for (const rule of catalog.upsell) {
      const because = firstTrigger(rule.when);
      if (because !== undefined) for (const sku of rule.offer) add(sku, 'upsell', because, false, rule.id);
    }
    return offers;
  }

  const wait = options.ruleWaitDays ?? Number.POSITIVE_INFINITY;
  for (const rule of catalog.crossSell) {
    if (rule.afterDays > wait) continue;
    const because = firstTrigger(rule.when);
    if (because !== undefined) for (const sku of rule.offer) add(sku, 'cross-sell', because, rule.skipBoughtCategories, rule.id);
  }
  const scores = new Map<string, { score: number; because: string }>();
  for (const sku of products.keys()) {
    for (const neighbour of coPurchases.get(sku) ?? []) {
      if (neighbour.count < MIN_CO_PURCHASE_SUPPORT || owned.has(neighbour.sku)) continue;
      const current = scores.get(neighbour.sku);
      scores.set(neighbour.sku, { score: (current?.score ?? 0) + neighbour.count, because: current?.because ?? sku });
    }
  }
  const ranked = [...scores].sort(([a, x], [b, y]) => y.score - x.score || (a < b ? -1 : a > b ? 1 : 0));
  for (const [sku, { because }] of ranked) add(sku, 'co-purchase', because, true);
  return offers;
}
