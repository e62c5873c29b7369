/**
 * The rules of the nightly recompute: segment boundaries, metric windows, model refits. Every value
 * has a documented default; a store overrides any of them with one JSON document (the handler reads
 * it from COMEBACK_RECOMPUTE_SETTINGS). Unknown keys are refused, so a typo cannot silently fall
 * back to a default.
 */
import * as z from '../zod.ts';
import { InvalidInputError } from '../errors.ts';
import { invalid } from '../purchase.ts';

const days = z.number().check(z.int(), z.positive(), z.lte(3650));
const share = z.number().check(z.gt(0), z.lt(1));

export const recomputeSettingsSchema = z.strictObject({
  /**
   * Recency segments, in whole days since the first or last order: "within n days" means fewer than
   * n days ago (today is 0 days ago).
   */
  recency: z.prefault(z.strictObject({
      /** new: first order within this many days. */
      newDays: z._default(days, 30),
      /** active: last order within this many days. */
      activeDays: z._default(days, 90),
      /** sleeping: no order for activeDays, and last order within this many days (3 to 6 months). */
      sleepingDays: z._default(days, 182),
      /** lapsing: last order within this many days (6 to 12 months); lost: longer ago (over a year). */
      lapsingDays: z._default(days, 365),
      /**
       * The days above are the fallback: each night the bands are derived from the store's own
       * repeat-purchase gaps (bands.ts) when there are at least minGaps of them. true: use the days
       * above as they are (an override).
       */
      fixed: z._default(z.boolean(), false),
      minGaps: z._default(z.number().check(z.int(), z.gte(1)), 200),
      /** active: within this quantile of the gaps (the median); sleeping up to the next; lost past the last. */
      activeQuantile: z._default(share, 0.5),
      sleepingQuantile: z._default(share, 0.8),
      lostQuantile: z._default(share, 0.95),
    }), {}).check(z.refine((r) => r.newDays <= r.activeDays && r.activeDays < r.sleepingDays && r.sleepingDays < r.lapsingDays, {
      message: 'needs newDays <= activeDays < sleepingDays < lapsingDays',
    }), z.refine((r) => r.activeQuantile < r.sleepingQuantile && r.sleepingQuantile < r.lostQuantile, {
      message: 'needs activeQuantile < sleepingQuantile < lostQuantile',
    })),
  /** Value segments: thresholds are quantiles of the store's own customers over the window. */
  value: z.prefault(z.strictObject({
      windowDays: z._default(days, 365),
      /** vip: revenue (or orders) in the window at or above this quantile (0.9 = top 10 %). */
      vipQuantile: z._default(share, 0.9),
      /** mid: at or above this quantile; base: everyone else. */
      midQuantile: z._default(share, 0.5),
      /** vip also needs an average order value at or above this quantile of the store's (a high check AND frequent buying). */
      highCheckQuantile: z._default(share, 0.75),
      /** Orders in the window never count as vip or mid below this (a one-time buyer is not frequent). */
      minFrequentOrders: z._default(z.number().check(z.int(), z.gte(1)), 2),
    }), {}).check(z.refine((v) => v.midQuantile < v.vipQuantile, { message: 'needs midQuantile < vipQuantile' })),
  /** Trend segments: the last period against the one before. */
  trend: z.prefault(z.strictObject({
      periodDays: z._default(days, 90),
      /** What is compared: net spend in the customer's currency, or the number of orders. */
      measure: z._default(z.enum(['spend', 'orders']), 'spend'),
      /** growing above +tolerance relative change, declining below -tolerance, stable between. */
      tolerance: z._default(z.number().check(z.gte(0), z.lte(10)), 0.2),
    }), {}),
  /** churn-risk: P(alive) under the threshold, among customers with at least minOrders orders. */
  churnRisk: z.prefault(z.strictObject({
      pAliveBelow: z._default(share, 0.3),
      minOrders: z._default(z.number().check(z.int(), z.gte(2)), 2),
    }), {}),
  metrics: z.prefault(z.strictObject({
      /** "This period" of the daily snapshot: the last periodDays days, the run's day included. */
      periodDays: z._default(days, 30),
      npsWindowDays: z._default(days, 90),
      /** Journey results count the entries of this many days. */
      journeyWindowDays: z._default(days, 90),
      /** First-purchase cohorts reported, newest month first. */
      cohortMonths: z._default(z.number().check(z.int(), z.gte(1), z.lte(60)), 24),
      /** Confidence of the uplift interval. */
      confidence: z._default(z.number().check(z.gt(0.5), z.lt(1)), 0.95),
    }), {}),
  models: z.prefault(z.strictObject({
      refitEveryDays: z._default(days, 7),
      /**
       * Below this many repeat buyers the store's predictions are "not yet available". 20: the fits
       * are MAP with weak priors and every prediction carries its credible interval (predictions.ts);
       * on CDNOW subsamples of 50 customers (about 20 repeat buyers) they beat the naive rate.
       */
      minRepeatBuyers: z._default(z.number().check(z.int(), z.gte(1)), 20),
      /** Customers drawn uniformly (reservoir sampling) for the fit: bounds its memory and time. */
      sampleSize: z._default(z.number().check(z.int(), z.gte(100), z.lte(2_000_000)), 50_000),
      clvHorizonDays: z._default(days, 365),
      /** Discount per 30-day period for the predicted CLV; 0 = undiscounted. */
      monthlyDiscountRate: z._default(z.number().check(z.gte(0), z.lt(1)), 0),
      seed: z._default(z.number().check(z.int()), 20_260_101),
    }), {}),
  scan: z.prefault(z.strictObject({
      /** DynamoDB parallel scan segments, each read by its own worker. */
      totalSegments: z._default(z.number().check(z.int(), z.gte(1), z.lte(1000)), 8),
      /** Writes in flight per worker. */
      writeConcurrency: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 8),
      /**
       * Customers per key range of the nightly state machine: a night is cut into
       * max(minRanges, ceil(yesterday's customers / rangeCustomers)) ranges, one Map child each
       * (at most maxRanges), so a child's share stays far inside a Lambda's 15 minutes.
       */
      rangeCustomers: z._default(z.number().check(z.int(), z.gte(1000)), 20_000),
      /**
       * The fewest key ranges of a night. One: a store of up to rangeCustomers customers is one
       * range, whose child reads it in one scan; every further range costs its child's checkpoint
       * reads and writes and its state transitions every night, however few customers it holds.
       */
      minRanges: z._default(z.number().check(z.int(), z.gte(1), z.lte(10_000)), 1),
      maxRanges: z._default(z.number().check(z.int(), z.gte(1), z.lte(10_000)), 1000),
    }), {}),
});

export type RecomputeSettings = z.output<typeof recomputeSettingsSchema>;
export type RecomputeSettingsInput = z.input<typeof recomputeSettingsSchema>;

export function recomputeSettings(input: unknown = {}): RecomputeSettings {
  const parsed = recomputeSettingsSchema.safeParse(input);
  if (!parsed.success) throw invalid('the recompute settings are invalid', parsed.error);
  return parsed.data;
}

/** Settings from a JSON document (empty or absent: every default). */
export function recomputeSettingsFromJson(json: string | undefined): RecomputeSettings {
  if (json === undefined || json.trim() === '') return recomputeSettings({});
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new InvalidInputError(`the recompute settings are not valid JSON: ${(error as Error).message}`, [], { cause: error });
  }
  return recomputeSettings(input);
}
