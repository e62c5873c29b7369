/**
 * When win-back is due for one customer, pure. A customer is overdue by her own rhythm, not by one
 * number for the whole store:
 *
 * 1. her rhythm: with at least `minGaps` gaps between order days, the median gap times `gapFactor`
 *    (a monthly buyer is due after about 45 days, not 60);
 * 2. else the purchase model's expected time between her orders, when the store's model is fitted
 *    and she bought again at least once (for a one-time buyer the model knows only the store's
 *    average, so the fallback applies);
 * 3. else the fixed `fallbackDays` (60);
 *
 * and never earlier than the longest cycle the store declares for what she bought (a yearly licence
 * is not won back after 60 days), nor within `minDays` of her last order. Every trigger that starts
 * win-back (the daily sweep, the nightly recompute's due list, segment entries) asks this function,
 * so the rule lives here once.
 */
import type { BgnbdParams } from './models/bgnbd.ts';
import type { Catalog } from './catalog/rules.ts';
import { declaredCycle } from './catalog/replenishment.ts';
import { dayOf } from './analytics/facts.ts';
import type { CustomerProfile } from './profile.ts';

const DAY_MS = 86_400_000;

export interface WinBackTiming {
  /** Days without an order after which a customer without a rhythm or model enters win-back. */
  fallbackDays: number;
  /** The median gap is stretched by this: a customer is overdue when clearly late, not on the day. */
  gapFactor: number;
  /** Gaps needed before the customer's own rhythm counts (3 orders on separate days by default). */
  minGaps: number;
  /** Never due sooner than this many days after the last order. */
  minDays: number;
}

export const defaultWinBackTiming: WinBackTiming = { fallbackDays: 60, gapFactor: 1.5, minGaps: 2, minDays: 14 };

export interface WinBackRules {
  timing: WinBackTiming;
  /** The store's rules file: the declared consumption cycles of products and categories. */
  catalog?: Pick<Catalog, 'products' | 'categories'>;
}

/** What the rule reads of a customer. */
export interface WinBackCustomer {
  lastOrderAt: string;
  /** Days between consecutive order days (see analytics/facts.ts). */
  gaps: readonly number[];
  skus: readonly string[];
  categories: readonly string[];
}

/** The model's view of the customer: the expected days between her orders. */
export interface WinBackModel {
  expectedGapDays: number;
}

export type WinBackBasis = 'rhythm' | 'model' | 'fallback' | 'declared-cycle';

export interface WinBackDue {
  dueAt: string;
  /** Days after the last order. */
  days: number;
  basis: WinBackBasis;
}

/** The longest cycle the store declares for any product or category the customer bought; undefined when none. */
export function longestDeclaredCycle(catalog: WinBackRules['catalog'], customer: Pick<WinBackCustomer, 'skus' | 'categories'>): number | undefined {
  if (!catalog) return undefined;
  let longest: number | undefined;
  const consider = (days: number | undefined) => {
    if (days !== undefined && (longest === undefined || days > longest)) longest = days;
  };
  for (const sku of customer.skus) consider(declaredCycle(catalog as Catalog, sku)?.perUnitDays);
  for (const category of customer.categories) consider(catalog.categories.get(category)?.cycleDays);
  return longest;
}

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((u, v) => u - v);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function winBackDueAt(customer: WinBackCustomer, rules: WinBackRules, model?: WinBackModel): WinBackDue {
  const { timing } = rules;
  let days: number;
  let basis: WinBackBasis;
  if (customer.gaps.length >= timing.minGaps) {
    days = Math.ceil(medianOf(customer.gaps) * timing.gapFactor);
    basis = 'rhythm';
  } else if (model && customer.gaps.length > 0 && Number.isFinite(model.expectedGapDays) && model.expectedGapDays > 0) {
    days = Math.ceil(model.expectedGapDays);
    basis = 'model';
  } else {
    days = timing.fallbackDays;
    basis = 'fallback';
  }
  const declared = longestDeclaredCycle(rules.catalog, customer);
  if (declared !== undefined && declared > days) {
    days = declared;
    basis = 'declared-cycle';
  }
  days = Math.max(days, timing.minDays);
  const lastDay = Date.parse(`${customer.lastOrderAt.slice(0, 10)}T00:00:00Z`);
  return { dueAt: new Date(lastDay + days * DAY_MS).toISOString(), days, basis };
}

/**
 * Whether a trigger running at `now` starts win-back: due today or within the `lookbackDays` before
 * (so a missed night loses no one), and no earlier (a customer lost long ago is not started by a
 * later run).
 */
export function winBackDueNow(due: Pick<WinBackDue, 'dueAt'>, now: Date, lookbackDays: number): boolean {
  const at = Date.parse(due.dueAt);
  return at <= now.getTime() && at > now.getTime() - (lookbackDays + 1) * DAY_MS;
}

/**
 * The BG/NBD's expected days between this customer's orders while she is active: the posterior mean
 * of her purchase rate at her last order, (r + x) / (α + t_x), inverted. Taken at the last order,
 * so it does not drift while she stays away (the model's next-order date, taken today, always lies
 * ahead and would never come due).
 */
export function modelExpectedGapDays(params: Pick<BgnbdParams, 'r' | 'alpha'>, summary: { x: number; tx: number }): number {
  return (params.alpha + summary.tx) / (params.r + summary.x);
}

/** What the rule reads of a profile: its order days' gaps (none known for a profile without order days). */
export function winBackCustomerOf(profile: Pick<CustomerProfile, 'lastOrderAt' | 'skus' | 'categories' | 'orderDays'>): WinBackCustomer {
  const days = Object.keys(profile.orderDays ?? {})
    .map(dayOf)
    .sort((u, v) => u - v);
  const gaps: number[] = [];
  for (let index = 1; index < days.length; index += 1) if (days[index]! > days[index - 1]!) gaps.push(days[index]! - days[index - 1]!);
  return { lastOrderAt: profile.lastOrderAt, gaps, skus: profile.skus, categories: profile.categories };
}
