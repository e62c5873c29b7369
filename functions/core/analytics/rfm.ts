/**
 * RFM scores by the store's own quintiles. Each customer with an order gets three scores, 1 to 5:
 *
 * - R (recency): days since her last order; the most recent fifth of the store's customers score 5;
 * - F (frequency): her orders, all time; the most frequent fifth score 5;
 * - M (monetary): her net revenue, all time, in her profile currency (each currency its own
 *   quintiles); the highest fifth score 5;
 *
 * and `score` = R + F + M (3 to 15): the RFM tier. The cut points are the store's 20th, 40th, 60th
 * and 80th percentiles, gathered in the same nightly pass that derives the recency bands and used
 * by the next run (the first run observes first), with the same bounded memory: exact histograms of
 * days and orders, a DDSketch (1 % relative accuracy) of money per currency.
 *
 * Ties share a score: a value scores one point per cut point it lies above (R: below), so scores
 * never decrease as the value grows (R: never increase), and a store where most customers bought
 * once gives them all F = 1, not an arbitrary spread over 1 to 4.
 *
 * A customer's scores are kept as her membership of one RFM cell, `rfm-<R><F><M>` (rfm-545):
 * written only when it changes, read back by GET /v1/customers/{id} as `rfm: {r, f, m, score}`.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import type { CustomerFacts } from './facts.ts';
import type { RfmCuts, RfmScores } from './rfm-cells.ts';
import { sketchFromState, sketchState, type SketchState } from './sketch-state.ts';

export { RFM_PREFIX, describeRfmBasis, isRfmCell, rfmCell, scoresOfCell, type RfmCuts, type RfmScores } from './rfm-cells.ts';

export const RFM_QUANTILES = [0.2, 0.4, 0.6, 0.8] as const;
/** What the rule reads of one customer. */
export type RfmSubject = Pick<CustomerFacts, 'daysSinceLast' | 'orderCount' | 'currency'> & { netRevenue: number };

/** 1 + the cut points the value lies above: 1..5, never decreasing in the value. */
export function higherIsBetter(value: number, cuts: readonly number[]): number {
  let score = 1;
  for (const cut of cuts) if (value > cut) score++;
  return Math.min(5, score);
}

/** 5 - the cut points the value lies above: 1..5, never increasing in the value. */
export function lowerIsBetter(value: number, cuts: readonly number[]): number {
  return 6 - higherIsBetter(value, cuts);
}

/** A customer's scores; undefined without cut points, or without an order. */
export function rfmScores(subject: RfmSubject, cuts: RfmCuts | undefined): RfmScores | undefined {
  if (!cuts || subject.orderCount < 1 || cuts.customers === 0) return undefined;
  const r = lowerIsBetter(subject.daysSinceLast, cuts.recencyDays);
  const f = higherIsBetter(subject.orderCount, cuts.orders);
  const monetary = cuts.monetary[subject.currency];
  // A currency the cut points do not know yet (its first customer bought today): the middle.
  const m = monetary ? higherIsBetter(subject.netRevenue, monetary) : 3;
  return { r, f, m, score: r + f + m };
}

/** The subject of a profile's facts: lifetime net revenue in the profile currency. */
export function rfmSubject(facts: CustomerFacts, revenueByCurrency: Readonly<Record<string, number>>): RfmSubject {
  return { daysSinceLast: facts.daysSinceLast, orderCount: facts.orderCount, currency: facts.currency, netRevenue: Math.max(0, revenueByCurrency[facts.currency] ?? 0) };
}

const MAX_DAYS = 36_500;
const ORDER_BUCKETS = 10_000;
const newSketch = () => new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: 0.01, binLimit: 2048 });

function exactQuantile(histogram: Map<number, number>, total: number, q: number): number {
  const sorted = [...histogram.entries()].sort(([u], [v]) => u - v);
  let seen = 0;
  for (const [value, n] of sorted) {
    seen += n;
    if (seen >= q * total) return value;
  }
  return sorted.at(-1)?.[0] ?? 0;
}

/** An RfmDistribution as JSON: [value, customers] pairs, ascending, and the money sketches. */
export interface RfmDistributionState {
  customers: number;
  days: [number, number][];
  orders: [number, number][];
  money: Record<string, SketchState>;
}

const ascending = (histogram: Map<number, number>): [number, number][] => [...histogram].sort(([u], [v]) => u - v);

/** The store's distribution of R, F and M, in bounded memory; merges like the others. */
export class RfmDistribution {
  private readonly days = new Map<number, number>();
  private readonly orders = new Map<number, number>();
  private readonly money = new Map<string, LogCollapsingLowestDenseDDSketch>();
  private customers = 0;

  add(subject: RfmSubject): void {
    if (subject.orderCount < 1) return;
    this.customers++;
    const day = Math.min(Math.max(0, subject.daysSinceLast), MAX_DAYS);
    this.days.set(day, (this.days.get(day) ?? 0) + 1);
    const orders = Math.min(subject.orderCount, ORDER_BUCKETS);
    this.orders.set(orders, (this.orders.get(orders) ?? 0) + 1);
    let sketch = this.money.get(subject.currency);
    if (!sketch) this.money.set(subject.currency, (sketch = newSketch()));
    sketch.accept(Math.max(0, subject.netRevenue));
  }

  merge(other: RfmDistribution): void {
    this.customers += other.customers;
    for (const [day, n] of other.days) this.days.set(day, (this.days.get(day) ?? 0) + n);
    for (const [orders, n] of other.orders) this.orders.set(orders, (this.orders.get(orders) ?? 0) + n);
    for (const [currency, sketch] of other.money) {
      let mine = this.money.get(currency);
      if (!mine) this.money.set(currency, (mine = newSketch()));
      mine.merge(sketch);
    }
  }

  toJSON(): RfmDistributionState {
    return {
      customers: this.customers,
      days: ascending(this.days),
      orders: ascending(this.orders),
      money: Object.fromEntries([...this.money].map(([currency, sketch]) => [currency, sketchState(sketch)])),
    };
  }

  static fromJSON(state: RfmDistributionState): RfmDistribution {
    const distribution = new RfmDistribution();
    distribution.customers = state.customers;
    for (const [day, n] of state.days) distribution.days.set(day, n);
    for (const [orders, n] of state.orders) distribution.orders.set(orders, n);
    for (const [currency, sketch] of Object.entries(state.money)) distribution.money.set(currency, sketchFromState(sketch, newSketch));
    return distribution;
  }

  /** The cut points; undefined before any customer has ordered. */
  cuts(): RfmCuts | undefined {
    if (this.customers === 0) return undefined;
    const monetary: Record<string, number[]> = {};
    for (const [currency, sketch] of this.money) monetary[currency] = RFM_QUANTILES.map((q) => Math.round(sketch.getValueAtQuantile(q)));
    return {
      recencyDays: RFM_QUANTILES.map((q) => exactQuantile(this.days, this.customers, q)),
      orders: RFM_QUANTILES.map((q) => exactQuantile(this.orders, this.customers, q)),
      monetary,
      customers: this.customers,
    };
  }
}

/** Customers per RFM tier (the score, 3..15) of one run, with the cut points they were scored by. */
export interface RfmTiers {
  cuts: RfmCuts;
  tiers: Record<string, number>;
  scored: number;
}

export class RfmTierCounter {
  private readonly tiers = new Map<number, number>();
  private scored = 0;

  add(scores: RfmScores): void {
    this.scored++;
    this.tiers.set(scores.score, (this.tiers.get(scores.score) ?? 0) + 1);
  }

  merge(other: RfmTierCounter): void {
    this.scored += other.scored;
    for (const [score, n] of other.tiers) this.tiers.set(score, (this.tiers.get(score) ?? 0) + n);
  }

  toJSON(): { scored: number; tiers: [number, number][] } {
    return { scored: this.scored, tiers: ascending(this.tiers) };
  }

  static fromJSON(state: { scored: number; tiers: [number, number][] }): RfmTierCounter {
    const counter = new RfmTierCounter();
    counter.scored = state.scored;
    for (const [score, n] of state.tiers) counter.tiers.set(score, n);
    return counter;
  }

  result(cuts: RfmCuts): RfmTiers {
    const tiers: Record<string, number> = {};
    for (let score = 15; score >= 3; score--) tiers[String(score)] = this.tiers.get(score) ?? 0;
    return { cuts, tiers, scored: this.scored };
  }
}
