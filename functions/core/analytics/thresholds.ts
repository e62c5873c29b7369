/**
 * The store's own distribution of 12-month value, in bounded memory whatever the number of
 * customers: net revenue per currency goes into a DDSketch (relative accuracy 1 %, at most 2,048
 * bins: a quantile comes back within 1 % of a value actually present), orders into an exact
 * histogram. Both merge, so scan segments read by separate workers or functions add up.
 *
 * Who counts: customers with at least one order in the value window; the others are base anyway.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import type { CustomerFacts } from './facts.ts';
import { averageOrderValue, type ValueThresholds } from './segments.ts';
import { sketchFromState, sketchState, type SketchState } from './sketch-state.ts';
import type { RecomputeSettings } from './settings.ts';

const RELATIVE_ACCURACY = 0.01;
const BIN_LIMIT = 2048;
/** Order counts above this share one histogram bucket (it is never a quantile in practice). */
const ORDER_BUCKETS = 10_000;

const newSketch = () => new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });

/** A ValueDistribution as JSON (a key range's part of the nightly recompute). */
export interface ValueDistributionState {
  customers: number;
  revenue: Record<string, SketchState>;
  averageOrder: Record<string, SketchState>;
  /** [order count, customers], ascending. */
  orders: [number, number][];
}

export class ValueDistribution {
  private readonly revenue = new Map<string, LogCollapsingLowestDenseDDSketch>();
  private readonly orders = new Map<number, number>();
  private readonly averageOrder = new Map<string, LogCollapsingLowestDenseDDSketch>();
  private customers = 0;

  add(facts: CustomerFacts): void {
    if (facts.valueOrders === 0) return;
    this.customers++;
    let sketch = this.revenue.get(facts.currency);
    if (!sketch) {
      sketch = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });
      this.revenue.set(facts.currency, sketch);
    }
    sketch.accept(Math.max(0, facts.valueRevenue));
    const average = averageOrderValue(facts);
    if (average !== undefined) {
      let checks = this.averageOrder.get(facts.currency);
      if (!checks) this.averageOrder.set(facts.currency, (checks = newSketch()));
      checks.accept(Math.max(0, average));
    }
    const bucket = Math.min(facts.valueOrders, ORDER_BUCKETS);
    this.orders.set(bucket, (this.orders.get(bucket) ?? 0) + 1);
  }

  merge(other: ValueDistribution): void {
    this.customers += other.customers;
    for (const [currency, sketch] of other.revenue) {
      const mine = this.revenue.get(currency);
      if (mine) mine.merge(sketch);
      else {
        const copy = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });
        copy.merge(sketch);
        this.revenue.set(currency, copy);
      }
    }
    for (const [currency, sketch] of other.averageOrder) {
      const mine = this.averageOrder.get(currency);
      if (mine) mine.merge(sketch);
      else {
        const copy = newSketch();
        copy.merge(sketch);
        this.averageOrder.set(currency, copy);
      }
    }
    for (const [orders, count] of other.orders) this.orders.set(orders, (this.orders.get(orders) ?? 0) + count);
  }

  toJSON(): ValueDistributionState {
    const sketches = (from: Map<string, LogCollapsingLowestDenseDDSketch>) => Object.fromEntries([...from].map(([currency, sketch]) => [currency, sketchState(sketch)]));
    return { customers: this.customers, revenue: sketches(this.revenue), averageOrder: sketches(this.averageOrder), orders: [...this.orders].sort(([u], [v]) => u - v) };
  }

  static fromJSON(state: ValueDistributionState): ValueDistribution {
    const distribution = new ValueDistribution();
    distribution.customers = state.customers;
    for (const [currency, sketch] of Object.entries(state.revenue)) distribution.revenue.set(currency, sketchFromState(sketch, newSketch));
    for (const [currency, sketch] of Object.entries(state.averageOrder)) distribution.averageOrder.set(currency, sketchFromState(sketch, newSketch));
    for (const [orders, count] of state.orders) distribution.orders.set(orders, count);
    return distribution;
  }

  /** Thresholds at the vip and mid quantiles; undefined when no customer bought in the window. */
  thresholds(rules: RecomputeSettings['value']): ValueThresholds | undefined {
    if (this.customers === 0) return undefined;
    const revenue: ValueThresholds['revenue'] = {};
    for (const [currency, sketch] of this.revenue) {
      revenue[currency] = {
        vip: Math.round(sketch.getValueAtQuantile(rules.vipQuantile)),
        mid: Math.round(sketch.getValueAtQuantile(rules.midQuantile)),
        customers: sketch.count,
      };
    }
    const averageOrder: NonNullable<ValueThresholds['averageOrder']> = {};
    for (const [currency, sketch] of this.averageOrder) averageOrder[currency] = { high: Math.round(sketch.getValueAtQuantile(rules.highCheckQuantile)) };
    return { revenue, averageOrder, orders: { vip: this.orderQuantile(rules.vipQuantile), mid: this.orderQuantile(rules.midQuantile) } };
  }

  /** The smallest order count with at least `quantile` of the customers at or below it. */
  private orderQuantile(quantile: number): number {
    const counts = [...this.orders.entries()].sort(([u], [v]) => u - v);
    const target = quantile * this.customers;
    let seen = 0;
    for (const [orders, count] of counts) {
      seen += count;
      if (seen >= target) return orders;
    }
    return counts.at(-1)?.[0] ?? 0;
  }
}
