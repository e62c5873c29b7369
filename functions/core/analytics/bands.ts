/**
 * Recency bands from the store's own cycle. The nightly pass gathers every repeat-purchase gap
 * (days between two consecutive order days of one customer) into an exact histogram, overall and
 * per category (from customers who bought in that category only, so the gap is that category's);
 * the bands the next run classifies with are quantiles of those gaps:
 *
 * - active: last order fewer than q(activeQuantile) days ago (the median gap by default);
 * - sleeping: up to q(sleepingQuantile) (0.8); lapsing: up to q(lostQuantile) (0.95); lost: longer;
 * - new: first order fewer than min(newDays, active) days ago.
 *
 * With fewer than `minGaps` gaps (200 by default) a band set falls back to the seeds' days
 * (settings.recency: 30 / 90 / 182 / 365); with `recency.fixed` the settings' days are used as
 * given (an override). Every band set carries its basis, shown by GET /v1/segments and the report.
 */
import type { CustomerFacts } from './facts.ts';
import type { RecomputeSettings } from './settings.ts';

export interface RecencyBands {
  newDays: number;
  activeDays: number;
  sleepingDays: number;
  lapsingDays: number;
  basis: { kind: 'derived'; gaps: number } | { kind: 'fallback'; gaps: number; minGaps: number } | { kind: 'override' };
}

export interface StoreBands {
  overall: RecencyBands;
  /** Only categories with enough gaps of their own. */
  byCategory: Record<string, RecencyBands>;
}

/** Categories kept per run, the ones with the most gaps first: bounds the state item. */
const MAX_CATEGORIES = 100;
/** Gaps longer than this share one bucket. */
const MAX_GAP = 3650;

type Histogram = Map<number, number>;

function count(histogram: Histogram): number {
  let total = 0;
  for (const value of histogram.values()) total += value;
  return total;
}

/** The smallest gap with at least `quantile` of the gaps at or below it. */
function quantile(histogram: Histogram, total: number, q: number): number {
  const sorted = [...histogram.entries()].sort(([u], [v]) => u - v);
  const target = q * total;
  let seen = 0;
  for (const [gap, n] of sorted) {
    seen += n;
    if (seen >= target) return gap;
  }
  return sorted.at(-1)?.[0] ?? 0;
}

export function fixedBands(rules: RecomputeSettings['recency'], basis: RecencyBands['basis']): RecencyBands {
  return { newDays: rules.newDays, activeDays: rules.activeDays, sleepingDays: rules.sleepingDays, lapsingDays: rules.lapsingDays, basis };
}

/** Bands from one histogram, or the fallback when it is too thin. */
export function bandsFromGaps(histogram: Histogram, rules: RecomputeSettings['recency']): RecencyBands {
  const gaps = count(histogram);
  if (rules.fixed) return fixedBands(rules, { kind: 'override' });
  if (gaps < rules.minGaps) return fixedBands(rules, { kind: 'fallback', gaps, minGaps: rules.minGaps });
  // Strictly increasing, at least one day each (a gap of 0 days does not occur: gaps are between days).
  const activeDays = Math.max(1, quantile(histogram, gaps, rules.activeQuantile));
  const sleepingDays = Math.max(activeDays + 1, quantile(histogram, gaps, rules.sleepingQuantile));
  const lapsingDays = Math.max(sleepingDays + 1, quantile(histogram, gaps, rules.lostQuantile));
  return { newDays: Math.min(rules.newDays, activeDays), activeDays, sleepingDays, lapsingDays, basis: { kind: 'derived', gaps } };
}

/** The bands a customer is classified by: her only category's when it has its own, else the store's. */
export function bandsFor(bands: StoreBands, categories: readonly string[]): RecencyBands {
  if (categories.length === 1) return bands.byCategory[categories[0]!] ?? bands.overall;
  return bands.overall;
}

/** A GapDistribution as JSON: [gap, count] pairs, ascending. */
export interface GapDistributionState {
  overall: [number, number][];
  byCategory: Record<string, [number, number][]>;
}

const histogramState = (histogram: Histogram): [number, number][] => [...histogram].sort(([u], [v]) => u - v);

export class GapDistribution {
  private readonly overall: Histogram = new Map();
  private readonly byCategory = new Map<string, Histogram>();

  add(facts: Pick<CustomerFacts, 'gaps'>, categories: readonly string[]): void {
    if (facts.gaps.length === 0) return;
    let category: Histogram | undefined;
    if (categories.length === 1) {
      const name = categories[0]!;
      category = this.byCategory.get(name);
      if (!category) this.byCategory.set(name, (category = new Map()));
    }
    for (const raw of facts.gaps) {
      const gap = Math.min(raw, MAX_GAP);
      this.overall.set(gap, (this.overall.get(gap) ?? 0) + 1);
      if (category) category.set(gap, (category.get(gap) ?? 0) + 1);
    }
  }

  merge(other: GapDistribution): void {
    const into = (target: Histogram, from: Histogram) => {
      for (const [gap, n] of from) target.set(gap, (target.get(gap) ?? 0) + n);
    };
    into(this.overall, other.overall);
    for (const [name, histogram] of other.byCategory) {
      let mine = this.byCategory.get(name);
      if (!mine) this.byCategory.set(name, (mine = new Map()));
      into(mine, histogram);
    }
  }

  toJSON(): GapDistributionState {
    return { overall: histogramState(this.overall), byCategory: Object.fromEntries([...this.byCategory].map(([name, histogram]) => [name, histogramState(histogram)])) };
  }

  static fromJSON(state: GapDistributionState): GapDistribution {
    const distribution = new GapDistribution();
    for (const [gap, n] of state.overall) distribution.overall.set(gap, n);
    for (const [name, pairs] of Object.entries(state.byCategory)) distribution.byCategory.set(name, new Map(pairs));
    return distribution;
  }

  bands(rules: RecomputeSettings['recency']): StoreBands {
    const overall = bandsFromGaps(this.overall, rules);
    const byCategory: Record<string, RecencyBands> = {};
    if (!rules.fixed) {
      const candidates = [...this.byCategory.entries()]
        .map(([name, histogram]) => ({ name, histogram, gaps: count(histogram) }))
        .filter((candidate) => candidate.gaps >= rules.minGaps)
        .sort((u, v) => v.gaps - u.gaps || u.name.localeCompare(v.name))
        .slice(0, MAX_CATEGORIES);
      for (const { name, histogram } of candidates) byCategory[name] = bandsFromGaps(histogram, rules);
    }
    return { overall, byCategory };
  }
}

/** One line per band set: how it was set. */
export function describeBasis(bands: RecencyBands): string {
  switch (bands.basis.kind) {
    case 'derived':
      return `derived from ${bands.basis.gaps} repeat-purchase gaps`;
    case 'fallback':
      return `fallback (${bands.basis.gaps} gaps, fewer than the ${bands.basis.minGaps} needed)`;
    case 'override':
      return 'override (settings recency.fixed)';
  }
}
