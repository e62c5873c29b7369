/**
 * Segments: which groups a customer belongs to tonight. Built-in segments come in four families,
 * each a pure rule over the customer's facts (see facts.ts):
 *
 * - recency (exactly one): new (first order within `newDays`, or a one-time buyer within
 *   `activeDays`), active (bought again, last order within `activeDays`), sleeping (last order more than `activeDays` and at most `sleepingDays` ago),
 *   lapsing (up to `lapsingDays`), lost (longer); the days are the store's bands, derived nightly
 *   from its repeat-purchase gaps (bands.ts), the settings' days (3 / 6 / 12 months) as fallback;
 * - value (exactly one): vip needs a high average check AND frequent buying in the value window
 *   (12 months): orders at the store's vip quantile (never below `minFrequentOrders`) and an average
 *   order value at its `highCheckQuantile`; mid: net revenue or orders at the mid quantile (or vip by
 *   one measure only); a customer without an order in the window is base;
 * - trend (at most one): growing / stable / declining by the relative change of net spend (or of
 *   orders) between the last two periods; only for customers who already existed during the earlier
 *   period and bought in at least one of the two;
 * - churn-risk: P(alive) below the threshold among customers with at least `minOrders` orders,
 *   while the store's predictions are available.
 *
 * Custom segments are saved filters over the profile, its facts and the built-in segments.
 */
import * as z from '../zod.ts';
import { currencySchema } from '../purchase.ts';
import { InvalidInputError } from '../errors.ts';
import type { CustomerProfile } from '../profile.ts';
import type { CustomerFacts } from './facts.ts';
import type { RecomputeSettings } from './settings.ts';

export const recencySegments = ['new', 'active', 'sleeping', 'lapsing', 'lost'] as const;
export const valueSegments = ['vip', 'mid', 'base'] as const;
export const trendSegments = ['growing', 'stable', 'declining'] as const;
export const CHURN_RISK = 'churn-risk';

export type RecencySegment = (typeof recencySegments)[number];
export type ValueSegment = (typeof valueSegments)[number];
export type TrendSegment = (typeof trendSegments)[number];
export type BuiltInSegment = RecencySegment | ValueSegment | TrendSegment | typeof CHURN_RISK;

export const builtInSegments: readonly BuiltInSegment[] = [...recencySegments, ...valueSegments, ...trendSegments, CHURN_RISK];

export type SegmentKind = 'recency' | 'value' | 'trend' | 'risk' | 'custom';

export function isBuiltInSegment(name: string): name is BuiltInSegment {
  return (builtInSegments as readonly string[]).includes(name);
}

export function segmentKind(name: string): SegmentKind {
  if ((recencySegments as readonly string[]).includes(name)) return 'recency';
  if ((valueSegments as readonly string[]).includes(name)) return 'value';
  if ((trendSegments as readonly string[]).includes(name)) return 'trend';
  if (name === CHURN_RISK) return 'risk';
  return 'custom';
}

/** The day bounds of the recency segments: the store's derived bands or the settings' days. */
export type RecencyRules = Pick<RecomputeSettings['recency'], 'newDays' | 'activeDays' | 'sleepingDays' | 'lapsingDays'>;

export function recencySegment(facts: CustomerFacts, rules: RecencyRules): RecencySegment {
  if (facts.daysSinceFirst < rules.newDays) return 'new';
  // active means bought again: a one-time buyer within the active band is still new.
  if (facts.daysSinceLast < rules.activeDays) return facts.orderCount < 2 ? 'new' : 'active';
  if (facts.daysSinceLast < rules.sleepingDays) return 'sleeping';
  if (facts.daysSinceLast < rules.lapsingDays) return 'lapsing';
  return 'lost';
}

/**
 * Net revenue (profile currency) per order in the value window; undefined without orders there.
 * Here, not in thresholds.ts, whose sketches library (29 KiB, CommonJS: never tree-shaken) would
 * otherwise come into every Lambda bundle that reads segments.
 */
export function averageOrderValue(facts: Pick<CustomerFacts, 'valueRevenue' | 'valueOrders'>): number | undefined {
  return facts.valueOrders > 0 ? facts.valueRevenue / facts.valueOrders : undefined;
}

/** Value thresholds of one run, used by the next (see thresholds.ts). */
export interface ValueThresholds {
  /** Per currency: net revenue in the value window (minor units) at the vip and mid quantiles. */
  revenue: Record<string, { vip: number; mid: number; customers: number }>;
  /** Orders in the value window at the vip and mid quantiles. */
  orders: { vip: number; mid: number };
  /** Per currency: the average order value (minor units) at the highCheckQuantile. */
  averageOrder?: Record<string, { high: number }>;
}

const rank: Record<ValueSegment, number> = { base: 0, mid: 1, vip: 2 };

/**
 * vip: a high average check AND frequent buying (orders in the window at the vip quantile, at least
 * minFrequentOrders, and an average order value at the highCheckQuantile of the store's); mid:
 * revenue or orders at the mid quantile (or a vip by one measure only); base: the rest.
 */
export function valueSegment(facts: CustomerFacts, thresholds: ValueThresholds | undefined, rules: RecomputeSettings['value']): ValueSegment {
  if (facts.valueOrders === 0 || !thresholds) return 'base';
  const high = thresholds.averageOrder?.[facts.currency]?.high;
  const average = averageOrderValue(facts);
  const frequent = facts.valueOrders >= Math.max(thresholds.orders.vip, rules.minFrequentOrders);
  if (frequent && high !== undefined && average !== undefined && average >= high) return 'vip';
  return rank[byRevenueOrOrders(facts, thresholds, rules)] > 0 ? 'mid' : 'base';
}

function byRevenueOrOrders(facts: CustomerFacts, thresholds: ValueThresholds, rules: RecomputeSettings['value']): ValueSegment {
  const revenue = facts.valueRevenue;
  const byRevenue = thresholds.revenue[facts.currency];
  const revenueTier: ValueSegment =
    !byRevenue || revenue <= 0 ? 'base' : revenue >= byRevenue.vip ? 'vip' : revenue >= byRevenue.mid ? 'mid' : 'base';
  const orders = facts.valueOrders;
  const vipOrders = Math.max(thresholds.orders.vip, rules.minFrequentOrders);
  const midOrders = Math.max(thresholds.orders.mid, rules.minFrequentOrders);
  const ordersTier: ValueSegment = orders >= vipOrders ? 'vip' : orders >= midOrders ? 'mid' : 'base';
  return rank[revenueTier] >= rank[ordersTier] ? revenueTier : ordersTier;
}

/**
 * The relative change between the previous and the current trend period. A customer whose first
 * order falls inside the current period has no earlier period to compare with: no trend. Nor has one
 * who bought in neither period. From nothing to something is growing; from something to nothing is
 * declining.
 */
export function trendSegment(facts: CustomerFacts, rules: RecomputeSettings['trend']): TrendSegment | undefined {
  if (facts.daysSinceFirst < rules.periodDays) return undefined;
  const [previous, current] = rules.measure === 'spend' ? facts.trendSpend : facts.trendOrders;
  if (previous <= 0 && current <= 0) return undefined;
  if (previous <= 0) return 'growing';
  const change = (current - previous) / previous;
  if (change > rules.tolerance) return 'growing';
  if (change < -rules.tolerance) return 'declining';
  return 'stable';
}

export function isChurnRisk(facts: CustomerFacts, pAlive: number | undefined, rules: RecomputeSettings['churnRisk']): boolean {
  return pAlive !== undefined && facts.orderCount >= rules.minOrders && pAlive < rules.pAliveBelow;
}

/** The built-in segments of one customer (churn-risk only when a P(alive) is known). */
export function builtInMemberships(
  facts: CustomerFacts,
  context: { settings: RecomputeSettings; thresholds: ValueThresholds | undefined; pAlive: number | undefined; recency?: RecencyRules },
): BuiltInSegment[] {
  const { settings } = context;
  const segments: BuiltInSegment[] = [recencySegment(facts, context.recency ?? settings.recency), valueSegment(facts, context.thresholds, settings.value)];
  const trend = trendSegment(facts, settings.trend);
  if (trend) segments.push(trend);
  if (isChurnRisk(facts, context.pAlive, settings.churnRisk)) segments.push(CHURN_RISK);
  return segments;
}

// Custom segments ---------------------------------------------------------------------------------

export type SegmentFilter =
  | { type: 'all'; filters: SegmentFilter[] }
  | { type: 'any'; filters: SegmentFilter[] }
  | { type: 'not'; filter: SegmentFilter }
  | { type: 'boughtCategory'; category: string }
  | { type: 'boughtSku'; sku: string }
  | { type: 'lastOrder'; minDaysAgo?: number; maxDaysAgo?: number }
  | { type: 'firstOrder'; minDaysAgo?: number; maxDaysAgo?: number }
  | { type: 'orderCount'; min?: number; max?: number }
  | { type: 'netRevenue'; currency: string; minMinor?: number; maxMinor?: number }
  | { type: 'orderTotal'; currency: string; overMinor: number }
  | { type: 'segment'; segment: BuiltInSegment }
  | { type: 'consent'; channel: 'email' | 'sms' };

const MAX_FILTER_NODES = 64;
const MAX_FILTER_DEPTH = 6;

const daysAgo = z.number().check(z.int(), z.gte(0), z.lte(36_500));
const minor = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const range = <K extends string>(low: K, high: K) => (value: Partial<Record<K, number>>) =>
  value[low] === undefined || value[high] === undefined || (value[low] ?? 0) <= (value[high] ?? 0);

export const segmentFilterSchema: z.ZodMiniType<SegmentFilter> = z.lazy(() =>
  z.union([
    z.strictObject({ type: z.literal('all'), filters: z.array(segmentFilterSchema).check(z.minLength(1), z.maxLength(MAX_FILTER_NODES)) }),
    z.strictObject({ type: z.literal('any'), filters: z.array(segmentFilterSchema).check(z.minLength(1), z.maxLength(MAX_FILTER_NODES)) }),
    z.strictObject({ type: z.literal('not'), filter: segmentFilterSchema }),
    z.strictObject({ type: z.literal('boughtCategory'), category: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) }),
    z.strictObject({ type: z.literal('boughtSku'), sku: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)) }),
    z.strictObject({ type: z.literal('lastOrder'), minDaysAgo: z.optional(daysAgo), maxDaysAgo: z.optional(daysAgo) }).check(z.refine(range('minDaysAgo', 'maxDaysAgo'), { message: 'minDaysAgo must not exceed maxDaysAgo' })),
    z.strictObject({ type: z.literal('firstOrder'), minDaysAgo: z.optional(daysAgo), maxDaysAgo: z.optional(daysAgo) }).check(z.refine(range('minDaysAgo', 'maxDaysAgo'), { message: 'minDaysAgo must not exceed maxDaysAgo' })),
    z.strictObject({ type: z.literal('orderCount'), min: z.optional(z.number().check(z.int(), z.gte(0))), max: z.optional(z.number().check(z.int(), z.gte(0))) }).check(z.refine(range('min', 'max'), { message: 'min must not exceed max' })),
    z.strictObject({ type: z.literal('netRevenue'), currency: currencySchema, minMinor: z.optional(z.number().check(z.int())), maxMinor: z.optional(z.number().check(z.int())) }).check(z.refine(range('minMinor', 'maxMinor'), { message: 'minMinor must not exceed maxMinor' })),
    z.strictObject({ type: z.literal('orderTotal'), currency: currencySchema, overMinor: minor }),
    z.strictObject({ type: z.literal('segment'), segment: z.enum(builtInSegments as [BuiltInSegment, ...BuiltInSegment[]]) }),
    z.strictObject({ type: z.literal('consent'), channel: z.enum(['email', 'sms']) }),
  ]),
);

export const SEGMENT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const segmentNameSchema = z.string().check(z.regex(SEGMENT_NAME_PATTERN, 'lower-case letters, digits and inner hyphens, at most 64 characters'), z.refine((name) => !isBuiltInSegment(name), { message: 'is a built-in segment' }), z.refine((name) => !name.startsWith('rfm-'), { message: 'rfm- names are the RFM cells (rfm.ts)' }));

export const segmentDefinitionInputSchema = z.strictObject({
  description: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  filter: segmentFilterSchema,
});

export type SegmentDefinitionInput = z.output<typeof segmentDefinitionInputSchema>;

export interface SegmentDefinition {
  name: string;
  description?: string;
  filter: SegmentFilter;
  createdAt: string;
  updatedAt: string;
}

function measure(filter: SegmentFilter, depth = 1): { nodes: number; depth: number } {
  const children = filter.type === 'all' || filter.type === 'any' ? filter.filters : filter.type === 'not' ? [filter.filter] : [];
  let nodes = 1;
  let deepest = depth;
  for (const child of children) {
    const inner = measure(child, depth + 1);
    nodes += inner.nodes;
    deepest = Math.max(deepest, inner.depth);
  }
  return { nodes, depth: deepest };
}

/** Validates a segment's name and body; throws InvalidInputError naming every failing field. */
export function parseSegmentDefinition(name: string, body: unknown): SegmentDefinitionInput {
  const parsedName = segmentNameSchema.safeParse(name);
  const parsed = segmentDefinitionInputSchema.safeParse(body);
  const issues = [
    ...(parsedName.success ? [] : parsedName.error.issues.map((issue) => ({ path: 'name', message: issue.message }))),
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }))),
  ];
  if (!parsed.success || issues.length > 0) throw new InvalidInputError('the segment definition is invalid', issues);
  const size = measure(parsed.data.filter);
  if (size.nodes > MAX_FILTER_NODES || size.depth > MAX_FILTER_DEPTH) {
    throw new InvalidInputError('the segment filter is too large', [
      { path: 'filter', message: `at most ${MAX_FILTER_NODES} conditions nested at most ${MAX_FILTER_DEPTH} deep` },
    ]);
  }
  return parsed.data;
}

/** What a custom filter sees of one customer. */
export interface FilterSubject {
  profile: CustomerProfile;
  facts: CustomerFacts;
  builtIn: readonly string[];
}

const within = (value: number, low: number | undefined, high: number | undefined): boolean =>
  (low === undefined || value >= low) && (high === undefined || value <= high);

/** Whether a customer matches a filter. Days ago are whole days, both bounds included. */
export function matchesFilter(filter: SegmentFilter, subject: FilterSubject): boolean {
  const { profile, facts } = subject;
  switch (filter.type) {
    case 'all':
      return filter.filters.every((inner) => matchesFilter(inner, subject));
    case 'any':
      return filter.filters.some((inner) => matchesFilter(inner, subject));
    case 'not':
      return !matchesFilter(filter.filter, subject);
    case 'boughtCategory':
      return profile.categories.includes(filter.category);
    case 'boughtSku':
      return profile.skus.includes(filter.sku);
    case 'lastOrder':
      return within(facts.daysSinceLast, filter.minDaysAgo, filter.maxDaysAgo);
    case 'firstOrder':
      return within(facts.daysSinceFirst, filter.minDaysAgo, filter.maxDaysAgo);
    case 'orderCount':
      return within(profile.orderCount, filter.min, filter.max);
    case 'netRevenue':
      return within(profile.revenueByCurrency[filter.currency] ?? 0, filter.minMinor, filter.maxMinor) && filter.currency in profile.revenueByCurrency;
    case 'orderTotal':
      return (profile.largestOrderMinorByCurrency?.[filter.currency] ?? 0) > filter.overMinor;
    case 'segment':
      return subject.builtIn.includes(filter.segment);
    case 'consent':
      return profile.consent[filter.channel] === true;
  }
}
