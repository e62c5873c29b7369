/**
 * The rules of the nightly recompute: segment boundaries, metric windows, model refits. Every value
 * has a documented default; a store overrides any of them with one JSON document (the handler reads
 * it from COMEBACK_RECOMPUTE_SETTINGS). Unknown keys are refused, so a typo cannot silently fall
 * back to a default.
 */
import * as z from 'zod';
import { InvalidInputError } from '../errors.ts';
import { invalid } from '../purchase.ts';

const days = z.number().int().positive().max(3650);
const share = z.number().gt(0).lt(1);

export const recomputeSettingsSchema = z.strictObject({
  /**
   * Recency segments, in whole days since the first or last order: "within n days" means fewer than
   * n days ago (today is 0 days ago).
   */
  recency: z
    .strictObject({
      /** new: first order within this many days. */
      newDays: days.default(30),
      /** active: last order within this many days. */
      activeDays: days.default(90),
      /** sleeping: no order for activeDays, and last order within this many days (3 to 6 months). */
      sleepingDays: days.default(182),
      /** lapsing: last order within this many days (6 to 12 months); lost: longer ago (over a year). */
      lapsingDays: days.default(365),
      /**
       * The days above are the fallback: each night the bands are derived from the store's own
       * repeat-purchase gaps (bands.ts) when there are at least minGaps of them. true: use the days
       * above as they are (an override).
       */
      fixed: z.boolean().default(false),
      minGaps: z.number().int().min(1).default(200),
      /** active: within this quantile of the gaps (the median); sleeping up to the next; lost past the last. */
      activeQuantile: share.default(0.5),
      sleepingQuantile: share.default(0.8),
      lostQuantile: share.default(0.95),
    })
    .prefault({})
    .refine((r) => r.newDays <= r.activeDays && r.activeDays < r.sleepingDays && r.sleepingDays < r.lapsingDays, {
      message: 'needs newDays <= activeDays < sleepingDays < lapsingDays',
    })
    .refine((r) => r.activeQuantile < r.sleepingQuantile && r.sleepingQuantile < r.lostQuantile, {
      message: 'needs activeQuantile < sleepingQuantile < lostQuantile',
    }),
  /** Value segments: thresholds are quantiles of the store's own customers over the window. */
  value: z
    .strictObject({
      windowDays: days.default(365),
      /** vip: revenue (or orders) in the window at or above this quantile (0.9 = top 10 %). */
      vipQuantile: share.default(0.9),
      /** mid: at or above this quantile; base: everyone else. */
      midQuantile: share.default(0.5),
      /** vip also needs an average order value at or above this quantile of the store's (a high check AND frequent buying). */
      highCheckQuantile: share.default(0.75),
      /** Orders in the window never count as vip or mid below this (a one-time buyer is not frequent). */
      minFrequentOrders: z.number().int().min(1).default(2),
    })
    .prefault({})
    .refine((v) => v.midQuantile < v.vipQuantile, { message: 'needs midQuantile < vipQuantile' }),
  /** Trend segments: the last period against the one before. */
  trend: z
    .strictObject({
      periodDays: days.default(90),
      /** What is compared: net spend in the customer's currency, or the number of orders. */
      measure: z.enum(['spend', 'orders']).default('spend'),
      /** growing above +tolerance relative change, declining below -tolerance, stable between. */
      tolerance: z.number().min(0).max(10).default(0.2),
    })
    .prefault({}),
  /** churn-risk: P(alive) under the threshold, among customers with at least minOrders orders. */
  churnRisk: z
    .strictObject({
      pAliveBelow: share.default(0.3),
      minOrders: z.number().int().min(2).default(2),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** "This period" of the daily snapshot: the last periodDays days, the run's day included. */
      periodDays: days.default(30),
      npsWindowDays: days.default(90),
      /** Journey results count the entries of this many days. */
      journeyWindowDays: days.default(90),
      /** First-purchase cohorts reported, newest month first. */
      cohortMonths: z.number().int().min(1).max(60).default(24),
      /** Confidence of the uplift interval. */
      confidence: z.number().gt(0.5).lt(1).default(0.95),
    })
    .prefault({}),
  models: z
    .strictObject({
      refitEveryDays: days.default(7),
      /**
       * Below this many repeat buyers the store's predictions are "not yet available". 20: the fits
       * are MAP with weak priors and every prediction carries its credible interval (predictions.ts);
       * on CDNOW subsamples of 50 customers (about 20 repeat buyers) they beat the naive rate.
       */
      minRepeatBuyers: z.number().int().min(1).default(20),
      /** Customers drawn uniformly (reservoir sampling) for the fit: bounds its memory and time. */
      sampleSize: z.number().int().min(100).max(2_000_000).default(50_000),
      clvHorizonDays: days.default(365),
      /** Discount per 30-day period for the predicted CLV; 0 = undiscounted. */
      monthlyDiscountRate: z.number().min(0).lt(1).default(0),
      seed: z.number().int().default(20_260_101),
    })
    .prefault({}),
  scan: z
    .strictObject({
      /** DynamoDB parallel scan segments, each read by its own worker. */
      totalSegments: z.number().int().min(1).max(1000).default(8),
      /** Writes in flight per worker. */
      writeConcurrency: z.number().int().min(1).max(100).default(8),
      /**
       * Customers per key range of the nightly state machine: a night is cut into
       * max(totalSegments, ceil(yesterday's customers / rangeCustomers)) ranges, one Map child each
       * (at most maxRanges), so a child's share stays far inside a Lambda's 15 minutes.
       */
      rangeCustomers: z.number().int().min(1000).default(20_000),
      maxRanges: z.number().int().min(1).max(10_000).default(1000),
    })
    .prefault({}),
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
