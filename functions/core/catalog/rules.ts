/**
 * The store's rules file (workflows/catalog.json by default): the loyalty program, product
 * consumption cycles, cross-sell and upsell rules and price bands. The store owns it; Comeback
 * validates it once, at start, and refuses to start on a bad entry with one line per problem that
 * names the entry ("products[2] (sku "INK-BLACK").cycleDays: ...").
 *
 * Money in the file is decimal text in the file's `currency` ("39.99"), converted to integer minor
 * units; percentages become basis points (3% = 300), so points and caps are integer arithmetic.
 */
import { createHash } from 'node:crypto';
import * as z from '../zod.ts';
import { ComebackError } from '../errors.ts';
import { toMinorUnits } from '../money.ts';
import { currencySchema } from '../purchase.ts';

export class CatalogError extends ComebackError {
  override readonly name: string = 'CatalogError';
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid rules file ${source}: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export const priceBands = ['entry', 'mid', 'premium'] as const;
export type PriceBand = (typeof priceBands)[number];

export type TierBasis = 'spend' | 'orders';

export interface TierDefinition {
  name: string;
  /** Points per 100 minor units, in basis points: 3% is 300. */
  cashbackBp: number;
  /** 12-month spend needed, in minor units of the program currency (basis 'spend'). */
  minSpendMinor: number;
  /** Orders in the window needed (basis 'orders'). */
  minOrders: number;
  benefits: string[];
  /** What a storefront applies for the tier, as data: a discount on every order, in basis points. */
  discountBp: number;
  freeShipping: boolean;
  prioritySupport: boolean;
}

export interface LoyaltyProgram {
  /** 1 point = 1 minor unit of this currency. */
  currency: string;
  /**
   * What one unit of another currency the store sells in is worth in the program currency, as
   * decimal text ("EUR": "1.08"): orders in it earn points and count as spend at that rate. Orders
   * in a currency without a rate count as orders only.
   */
  exchangeRates: Readonly<Record<string, string>>;
  basis: TierBasis;
  windowDays: number;
  /** Lowest first; the first needs nothing. */
  tiers: TierDefinition[];
  bonuses: { feedback: number; referral: number };
  /** Share of an order's value points may pay for, in basis points (50% = 5000). */
  maxRedeemBp: number;
  nudge: { withinOrders: number; withinSpendBp: number };
}

export interface Product {
  sku: string;
  name: string;
  category?: string;
  priceMinor?: number;
  /** Days one unit lasts. */
  cycleDays?: number;
  band?: PriceBand;
  /** The product page; defaults to the file's productUrl with {sku}. */
  url: string;
  /** The one-click reorder link template, {sku} and {quantity} filled in. */
  reorderUrl: string;
  /** false: never offered (discontinued); reminders still go out. */
  offered: boolean;
}

export interface Category {
  name: string;
  cycleDays?: number;
}

/** What a rule reacts to: a product, or any product of a category. */
export type RuleTrigger = { sku: string } | { category: string };

export interface CrossSellRule {
  id: string;
  when: RuleTrigger;
  offer: string[];
  afterDays: number;
  /** Leave out offered products of a category the customer already bought from (she has one of those). */
  skipBoughtCategories: boolean;
}

export interface UpsellRule {
  id: string;
  when: RuleTrigger;
  offer: string[];
}

export interface Catalog {
  currency: string;
  /** Product page and one-click reorder link templates, {sku} and {quantity} filled in. */
  productUrl: string;
  reorderUrl: string;
  loyalty: LoyaltyProgram;
  replenishment: { leadDays: number; minLearnedIntervals: number; maxCycleDays: number };
  priceBands: { midMinor: number; premiumMinor: number; vipNetRevenueMinor?: number };
  products: ReadonlyMap<string, Product>;
  categories: ReadonlyMap<string, Category>;
  crossSell: CrossSellRule[];
  upsell: UpsellRule[];
}

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const skuSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));
const amount = z.string().check(z.regex(/^\d+(\.\d+)?$/, 'an amount as decimal text, like "39.99"'));
const days = z.number().check(z.int(), z.positive(), z.lte(3650));
const percent = z.number().check(z.gte(0), z.lte(100), z.refine((value) => Number.isInteger(Math.round(value * 100)) && Math.abs(value * 100 - Math.round(value * 100)) < 1e-9, {
    message: 'at most two decimals',
  }));
const urlTemplate = z.string().check(z.refine((value) => URL.canParse(value.replaceAll('{sku}', 'x').replaceAll('{quantity}', '1')), { message: 'an absolute URL, {sku} and {quantity} allowed' }));

const triggerSchema = z.union([z.strictObject({ sku: skuSchema }), z.strictObject({ category: name })]);

const tierSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes')),
  cashbackPercent: percent,
  minSpend: z._default(amount, '0'),
  minOrders: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  benefits: z._default(z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))).check(z.maxLength(20)), []),
  discountPercent: z._default(percent, 0),
  freeShipping: z._default(z.boolean(), false),
  prioritySupport: z._default(z.boolean(), false),
});

const exchangeRate = z.string().check(z.regex(/^\d{1,12}(\.\d{1,12})?$/, 'a rate as decimal text, like "1.08"'), z.refine((value) => Number(value) > 0, 'a rate above 0'));

export const catalogFileSchema = z.strictObject({
  $comment: z.optional(z.string()),
  currency: currencySchema,
  productUrl: urlTemplate,
  reorderUrl: urlTemplate,
  loyalty: z.prefault(z.strictObject({
      basis: z._default(z.enum(['spend', 'orders']), 'spend'),
      exchangeRates: z._default(z.record(currencySchema, exchangeRate), {}),
      windowDays: z._default(days, 365),
      tiers: z._default(z.array(tierSchema).check(z.minLength(1), z.maxLength(10)), [
          { name: 'bronze', cashbackPercent: 3, minSpend: '0', minOrders: 0, benefits: ['3% back in points on every order'], discountPercent: 0, freeShipping: false, prioritySupport: false },
          {
            name: 'silver',
            cashbackPercent: 5,
            minSpend: '500',
            minOrders: 3,
            benefits: ['5% back in points on every order', 'free delivery'],
            discountPercent: 0,
            freeShipping: true,
            prioritySupport: false,
          },
          {
            name: 'gold',
            cashbackPercent: 7,
            minSpend: '1500',
            minOrders: 6,
            benefits: ['7% back in points on every order', 'free delivery', 'priority support', 'exclusive offers'],
            discountPercent: 5,
            freeShipping: true,
            prioritySupport: true,
          },
        ]),
      bonuses: z.prefault(z.strictObject({ feedback: z._default(z.number().check(z.int(), z.nonnegative()), 100), referral: z._default(z.number().check(z.int(), z.nonnegative()), 500) }), {}),
      maxRedeemPercent: z._default(percent, 50),
      nudge: z.prefault(z.strictObject({ withinOrders: z._default(z.number().check(z.int(), z.nonnegative()), 1), withinSpendPercent: z._default(percent, 10) }), {}),
    }), {}),
  replenishment: z.prefault(z.strictObject({
      leadDays: z._default(z.number().check(z.int(), z.nonnegative(), z.lte(365)), 7),
      minLearnedIntervals: z._default(z.number().check(z.int(), z.gte(1), z.lte(20)), 2),
      maxCycleDays: z._default(days, 730),
    }), {}),
  priceBands: z.optional(z.strictObject({ mid: amount, premium: amount, vipNetRevenue: z.optional(amount) })),
  categories: z._default(z.array(z.strictObject({ name, cycleDays: z.optional(days) })).check(z.maxLength(10_000)), []),
  products: z._default(z.array(
      z.strictObject({
        sku: skuSchema,
        name,
        category: z.optional(name),
        price: z.optional(amount),
        cycleDays: z.optional(days),
        band: z.optional(z.enum(priceBands)),
        url: z.optional(urlTemplate),
        reorderUrl: z.optional(urlTemplate),
        offered: z._default(z.boolean(), true),
      }),
    ).check(z.maxLength(100_000)), []),
  crossSell: z._default(z.array(z.strictObject({ id: z.optional(name), when: triggerSchema, offer: z.array(skuSchema).check(z.minLength(1), z.maxLength(20)), afterDays: z.number().check(z.int(), z.nonnegative(), z.lte(3650)), skipBoughtCategories: z._default(z.boolean(), false) })).check(z.maxLength(10_000)), []),
  upsell: z._default(z.array(z.strictObject({ id: z.optional(name), when: triggerSchema, offer: z.array(skuSchema).check(z.minLength(1), z.maxLength(20)) })).check(z.maxLength(10_000)), []),
});

export type CatalogFile = z.input<typeof catalogFileSchema>;

/** Validates the parsed JSON of the rules file; `source` names the file in error messages. */
export function parseCatalog(input: unknown, source = 'the rules file'): Catalog {
  const parsed = catalogFileSchema.safeParse(input);
  if (!parsed.success) {
    throw new CatalogError(source, parsed.error.issues.map((issue) => `${describePath(input, issue.path)}: ${issue.message}`));
  }
  const file = parsed.data;
  const problems: string[] = [];
  const money = (value: string, where: string): number => {
    try {
      return toMinorUnits(value, file.currency);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      return 0;
    }
  };

  const tiers: TierDefinition[] = file.loyalty.tiers.map((tier, index) => ({
    name: tier.name,
    cashbackBp: basisPoints(tier.cashbackPercent),
    minSpendMinor: money(tier.minSpend, `loyalty.tiers[${index}] ("${tier.name}").minSpend`),
    minOrders: tier.minOrders,
    benefits: tier.benefits,
    discountBp: basisPoints(tier.discountPercent),
    freeShipping: tier.freeShipping,
    prioritySupport: tier.prioritySupport,
  }));
  for (const currency of Object.keys(file.loyalty.exchangeRates)) {
    if (currency === file.currency) problems.push(`loyalty.exchangeRates.${currency}: the program currency needs no rate`);
  }
  tiers.forEach((tier, index) => {
    const where = `loyalty.tiers[${index}] ("${tier.name}")`;
    if (tiers.findIndex((other) => other.name === tier.name) !== index) problems.push(`${where}: the tier name is used twice`);
    const previous = tiers[index - 1];
    if (!previous) {
      if (tier.minSpendMinor !== 0 || tier.minOrders !== 0) problems.push(`${where}: the first tier is everyone's, so its minSpend and minOrders must be 0`);
      return;
    }
    const threshold = file.loyalty.basis === 'spend' ? tier.minSpendMinor : tier.minOrders;
    const before = file.loyalty.basis === 'spend' ? previous.minSpendMinor : previous.minOrders;
    if (threshold <= before) problems.push(`${where}: min${file.loyalty.basis === 'spend' ? 'Spend' : 'Orders'} must be above the previous tier's`);
  });

  const categories = new Map<string, Category>();
  file.categories.forEach((category, index) => {
    if (categories.has(category.name)) problems.push(`categories[${index}] ("${category.name}"): the category is listed twice`);
    categories.set(category.name, { name: category.name, ...(category.cycleDays !== undefined ? { cycleDays: category.cycleDays } : {}) });
  });

  const products = new Map<string, Product>();
  file.products.forEach((product, index) => {
    const where = `products[${index}] (sku "${product.sku}")`;
    if (products.has(product.sku)) problems.push(`${where}: the sku is listed twice`);
    products.set(product.sku, {
      sku: product.sku,
      name: product.name,
      ...(product.category !== undefined ? { category: product.category } : {}),
      ...(product.price !== undefined ? { priceMinor: money(product.price, `${where}.price`) } : {}),
      ...(product.cycleDays !== undefined ? { cycleDays: product.cycleDays } : {}),
      ...(product.band !== undefined ? { band: product.band } : {}),
      url: fillUrl(product.url ?? file.productUrl, product.sku, 1),
      reorderUrl: product.reorderUrl ?? file.reorderUrl,
      offered: product.offered,
    });
  });

  const ruleIds = new Set<string>();
  const checkRule = (kind: 'crossSell' | 'upsell', index: number, rule: { id?: string | undefined; when: RuleTrigger; offer: string[] }): string => {
    const id = rule.id ?? `${kind}-${createHash('sha256').update(JSON.stringify([rule.when, rule.offer])).digest('hex').slice(0, 12)}`;
    const where = `${kind}[${index}] ("${id}")`;
    if (ruleIds.has(id)) problems.push(`${where}: the rule id is used twice`);
    ruleIds.add(id);
    for (const sku of rule.offer) {
      if (!products.has(sku)) problems.push(`${where}: offers "${sku}", which is not in products (an offer needs its name and link)`);
      if ('sku' in rule.when && rule.when.sku === sku) problems.push(`${where}: offers the very product that triggers it`);
    }
    return id;
  };
  const crossSell = file.crossSell.map((rule, index) => ({ id: checkRule('crossSell', index, rule), when: rule.when, offer: rule.offer, afterDays: rule.afterDays, skipBoughtCategories: rule.skipBoughtCategories }));
  const upsell = file.upsell.map((rule, index) => ({ id: checkRule('upsell', index, rule), when: rule.when, offer: rule.offer }));

  const bands = file.priceBands ?? { mid: '0', premium: '0' };
  const midMinor = money(bands.mid, 'priceBands.mid');
  const premiumMinor = money(bands.premium, 'priceBands.premium');
  if (file.priceBands && premiumMinor <= midMinor) problems.push('priceBands: premium must be above mid');
  const vipNetRevenueMinor = file.priceBands?.vipNetRevenue !== undefined ? money(file.priceBands.vipNetRevenue, 'priceBands.vipNetRevenue') : undefined;

  if (problems.length > 0) throw new CatalogError(source, problems);
  return {
    currency: file.currency,
    productUrl: file.productUrl,
    reorderUrl: file.reorderUrl,
    loyalty: {
      currency: file.currency,
      exchangeRates: file.loyalty.exchangeRates,
      basis: file.loyalty.basis,
      windowDays: file.loyalty.windowDays,
      tiers,
      bonuses: file.loyalty.bonuses,
      maxRedeemBp: basisPoints(file.loyalty.maxRedeemPercent),
      nudge: { withinOrders: file.loyalty.nudge.withinOrders, withinSpendBp: basisPoints(file.loyalty.nudge.withinSpendPercent) },
    },
    replenishment: file.replenishment,
    // Without bands every product is 'entry' and every customer sees every product.
    priceBands: file.priceBands ? { midMinor, premiumMinor, ...(vipNetRevenueMinor !== undefined ? { vipNetRevenueMinor } : {}) } : { midMinor: Number.MAX_SAFE_INTEGER, premiumMinor: Number.MAX_SAFE_INTEGER },
    products,
    categories,
    crossSell,
    upsell,
  };
}

/** A product's page or reorder link with its {sku} and {quantity} filled in, URL-encoded. */
export function fillUrl(template: string, sku: string, quantity: number): string {
  return template.replaceAll('{sku}', encodeURIComponent(sku)).replaceAll('{quantity}', String(quantity));
}

function basisPoints(percentValue: number): number {
  return Math.round(percentValue * 100);
}

/** `products[3] (sku "DOG-FOOD").cycleDays`: the path, with the entry's own name where it has one. */
function describePath(input: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the file)';
  let text = '';
  let value: unknown = input;
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
      value = Array.isArray(value) ? value[segment] : undefined;
      const label = entryLabel(value);
      if (label) text += ` (${label})`;
    } else {
      text += `${text ? '.' : ''}${String(segment)}`;
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[String(segment)] : undefined;
    }
  }
  return text;
}

function entryLabel(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entry = value as Record<string, unknown>;
  for (const key of ['sku', 'id', 'name']) {
    if (typeof entry[key] === 'string') return key === 'sku' ? `sku "${entry[key]}"` : `"${entry[key]}"`;
  }
  return undefined;
}
