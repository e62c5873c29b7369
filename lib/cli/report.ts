/**
 * `npm run comeback -- report`: the latest daily metrics drawn in the terminal, because segment
 * sizes, cohort returns and journey uplift are read faster as bars and shades than as JSON.
 */
import type { MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import type { RecencyBandsView, RfmTiersView } from '../../functions/core/analytics/segment-views.ts';
import type { ValueThresholds } from '../../functions/core/analytics/segments.ts';

/** What GET /v1/segments says of the recency bands the last recompute classified with. */
export interface StoreRules {
  recencyBands: { overall: RecencyBandsView; byCategory: Record<string, RecencyBandsView> } | null;
  /** The store's value lines of the last recompute (absent from older hosts). */
  valueThresholds?: ValueThresholds | null;
  /** Customers per RFM tier with the quintile cut points they were scored by (absent from older hosts). */
  rfmTiers?: RfmTiersView | null;
}

const BAR_WIDTH = 40;
const SHADES = [' ', '░', '▒', '▓', '█'];

export function renderReport(snapshot: MetricsSnapshot, rules?: StoreRules): string {
  const lines: string[] = [`Comeback on ${snapshot.day}: ${snapshot.customers} customers, ${snapshot.returningCustomers} came back this period`, ''];
  lines.push(...headline(snapshot), '', 'Segments', ...bars(snapshot.segments), '', 'First-purchase cohorts: share back in month 1, 2, 3... (░ <25% ▒ <50% ▓ <75% █ 75%+)', ...cohortGrid(snapshot), '');
  if (rules) lines.push(...bandLines(rules), '');
  lines.push('Journeys: conversion of treated vs holdout, and the uplift with its 95% interval', ...journeyLines(snapshot));
  return `${lines.join('\n')}\n`;
}

function headline(snapshot: MetricsSnapshot): string[] {
  const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
  return [
    `  retention ${percent(snapshot.retentionRate)}   repeat purchase ${percent(snapshot.repeatPurchaseRate)}   churn ${percent(snapshot.churnRate)}   NPS ${snapshot.nps.score ?? 'n/a'} (${snapshot.nps.answers} answers)`,
  ];
}

function bars(values: Record<string, number>): string[] {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  const largest = Math.max(1, ...entries.map(([, size]) => size));
  const width = Math.max(...entries.map(([name]) => name.length), 4);
  return entries.map(([name, size]) => `  ${name.padEnd(width)} ${'█'.repeat(Math.round((size / largest) * BAR_WIDTH)).padEnd(BAR_WIDTH)} ${size}`);
}

function cohortGrid(snapshot: MetricsSnapshot): string[] {
  if (snapshot.cohorts.length === 0) return ['  (no cohorts yet)'];
  return snapshot.cohorts.map((cohort) => {
    const cells = cohort.returned.map((back) => {
      const share = cohort.customers === 0 ? 0 : back / cohort.customers;
      return SHADES[share === 0 ? 0 : Math.min(4, 1 + Math.floor(share * 4))]!;
    });
    return `  ${cohort.month} ${String(cohort.customers).padStart(6)} |${cells.join('')}|`;
  });
}

function journeyLines(snapshot: MetricsSnapshot): string[] {
  const entries = Object.entries(snapshot.journeys);
  if (entries.length === 0) return ['  (no journey entries yet)'];
  const rate = (value: number | null) => (value === null ? '  n/a' : `${(value * 100).toFixed(1).padStart(5)}%`);
  return entries.map(([journey, result]) => {
    const uplift = result.uplift
      ? `uplift ${(result.uplift.difference * 100).toFixed(1)} pts [${(result.uplift.low * 100).toFixed(1)}, ${(result.uplift.high * 100).toFixed(1)}]`
      : 'uplift n/a (no holdout yet)';
    return `  ${journey.padEnd(15)} treated ${rate(result.treated.conversionRate)} of ${result.treated.entered}   holdout ${rate(result.holdout.conversionRate)} of ${result.holdout.entered}   ${uplift}`;
  });
}

function bandLines(rules: StoreRules): string[] {
  const lines = ['Recency bands, days since the last order: active below the first bound, sleeping below the second, lapsing below the third, lost from it'];
  const bands = rules.recencyBands;
  if (!bands) return [...lines, '  (not computed yet)'];
  const line = (name: string, set: RecencyBandsView) =>
    `  ${name.padEnd(15)} new <${String(set.newDays).padStart(4)}   active <${String(set.activeDays).padStart(4)}   sleeping <${String(set.sleepingDays).padStart(4)}   lapsing <${String(set.lapsingDays).padStart(4)}   ${set.description}`;
  return [...lines, line('store', bands.overall), ...Object.entries(bands.byCategory).map(([name, set]) => line(name, set)), ...valueLines(rules), ...rfmLines(rules)];
}

function rfmLines(rules: StoreRules): string[] {
  const rfm = rules.rfmTiers;
  if (rfm === undefined) return [];
  const title = "RFM tiers: R + F + M, each scored 1-5 by the store's quintiles (5 = most recent, most orders, most spent)";
  if (rfm === null) return [title, '  (not computed yet)'];
  return [title, `  basis: ${rfm.description}`, ...bars(Object.fromEntries(Object.entries(rfm.tiers).map(([score, count]) => [`score ${score.padStart(2)}`, count]))).reverse()];
}

function valueLines(rules: StoreRules): string[] {
  const value = rules.valueThresholds;
  if (!value) return [];
  const money = (minor: number) => (minor / 100).toFixed(2);
  return [
    `Value tiers (the store's own quantiles, 12 months): vip = at least ${value.orders.vip} orders AND an average check of at least:`,
    ...Object.entries(value.averageOrder ?? {}).map(([currency, line]) => `  ${currency} ${money(line.high)} (mid: net revenue from ${money(value.revenue[currency]?.mid ?? 0)} or ${value.orders.mid}+ orders)`),
  ];
}
