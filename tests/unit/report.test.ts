import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import { recompute, type RecomputeState, type RecomputeStore } from '../../functions/core/analytics/recompute.ts';
import { segmentsView } from '../../functions/core/analytics/segment-views.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import { applyOrder, type CustomerProfile } from '../../functions/core/profile.ts';
import type { Purchase } from '../../functions/core/purchase.ts';
import { renderReport, type StoreRules } from '../../lib/cli/report.ts';

const snapshot = {
  day: '2026-06-01',
  customers: 120,
  returningCustomers: 9,
  retentionRate: 0.25,
  repeatPurchaseRate: 0.4,
  churnRate: null,
  nps: { score: 42, answers: 10 },
  segments: { active: 40, sleeping: 20, vip: 0 },
  cohorts: [{ month: '2026-04', customers: 10, returned: [0, 1, 5, 10] }],
  journeys: {
    'win-back': {
      treated: { entered: 90, converted: 18, conversionRate: 0.2, revenueMinor: {} },
      holdout: { entered: 10, converted: 1, conversionRate: 0.1, revenueMinor: {} },
      uplift: { difference: 0.1, low: -0.05, high: 0.2, confidence: 0.95, method: 'newcombe-wilson' },
    },
  },
} as unknown as MetricsSnapshot;

describe('the terminal report', () => {
  it('draws segment sizes as bars scaled to the largest', () => {
    const text = renderReport(snapshot);
    expect(text).toContain(`  active   ${'█'.repeat(40)} 40`);
    expect(text).toContain(`  sleeping ${'█'.repeat(20).padEnd(40)} 20`);
    expect(text).toContain(`  vip      ${' '.repeat(40)} 0`);
  });

  it('prints the recency bands with how each was set', () => {
    const derived = { newDays: 7, activeDays: 7, sleepingDays: 30, lapsingDays: 90, basis: { kind: 'derived', gaps: 405 }, description: 'derived from 405 repeat-purchase gaps' } as const;
    const text = renderReport(snapshot, { recencyBands: { overall: derived, byCategory: { coffee: { ...derived, activeDays: 5 } } } });
    expect(text).toContain('  store           new <   7   active <   7   sleeping <  30   lapsing <  90   derived from 405 repeat-purchase gaps');
    expect(text).toContain('  coffee          new <   7   active <   5');
    expect(renderReport(snapshot, { recencyBands: null })).toContain('  (not computed yet)');
    const valueThresholds = { revenue: { USD: { vip: 50_000, mid: 8000, customers: 10 } }, orders: { vip: 5, mid: 2 }, averageOrder: { USD: { high: 4500 } } };
    const withValue = renderReport(snapshot, { recencyBands: { overall: derived, byCategory: {} }, valueThresholds });
    expect(withValue).toContain('vip = at least 5 orders AND an average check of at least:');
    expect(withValue).toContain('  USD 45.00 (mid: net revenue from 80.00 or 2+ orders)');
  });

  it('shades cohort returns by quarter and prints uplift with its interval', () => {
    const text = renderReport(snapshot);
    // 0/10 blank, 1/10 light, 5/10 dark, 10/10 full.
    expect(text).toContain('  2026-04     10 | ░▓█|');
    expect(text).toContain('win-back        treated  20.0% of 90   holdout  10.0% of 10   uplift 10.0 pts [-5.0, 20.0]');
    expect(text).toContain('retention 25.0%   repeat purchase 40.0%   churn n/a   NPS 42 (10 answers)');
  });
});

describe('the report on the CDNOW history', () => {
  it('prints the bands and RFM tiers the store gets, with their basis', async () => {
    // Prepare: every CDNOW order as a profile update, and one nightly run as of 1998-07-01.
    const lines = readFileSync(fileURLToPath(new URL('../fixtures/cdnow/CDNOW_master.txt', import.meta.url)), 'utf8').split('\n').slice(1);
    const profiles = new Map<string, CustomerProfile>();
    const ordersOf = new Map<string, number[]>();
    for (const [index, line] of lines.entries()) {
      const [id, date, cds, dollars] = line.trim().split(/\s+/);
      if (!id || !date || !cds || !dollars) continue;
      const placedAt = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00.000Z`;
      const totalMinor = Math.round(Number(dollars) * 100);
      const purchase: Purchase = { orderId: `cdnow-${index}`, placedAt, currency: 'USD', totalMinor, customer: { id }, items: [{ sku: 'CD', category: 'music', quantity: Number(cds), unitPriceMinor: 0 }] };
      profiles.set(id, applyOrder(profiles.get(id), purchase));
      ordersOf.set(id, [...(ordersOf.get(id) ?? []), Date.parse(placedAt) / 86_400_000]);
    }
    let state: RecomputeState | undefined;
    const store: RecomputeStore = {
      readState: async () => state,
      saveState: async (next) => void (state = next),
      readModels: async () => undefined,
      saveModels: async () => undefined,
      saveSnapshot: async () => undefined,
      listDefinitions: async () => [],
      async *scan(segment, total) {
        if (segment !== 0 || total < 1) return;
        yield [...profiles.values()].map((profile) => ({ kind: 'customer' as const, customerId: profile.customerId, profile, segments: [] }));
      },
      enterSegment: async () => true,
      leaveSegments: async () => undefined,
      putPredictions: async () => undefined,
      deletePredictions: async () => undefined,
    };
    const today = Date.parse('1998-07-01T00:00:00Z') / 86_400_000;
    await recompute({ store, events: { entered: async () => undefined }, now: () => new Date('1998-07-01T03:00:00Z') }, recomputeSettings({ models: { minRepeatBuyers: 1_000_000 } }));

    // Act
    const text = renderReport(snapshot, segmentsView(state, []) as unknown as StoreRules);

    // Assess: the quintiles, recomputed here from the file (the smallest value with at least q of the customers at or below it).
    const quintiles = (values: number[]) => {
      const sorted = [...values].sort((u, v) => u - v);
      return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.ceil(q * sorted.length) - 1]!);
    };
    const recency = quintiles([...ordersOf.values()].map((days) => today - Math.max(...days)));
    const orders = quintiles([...ordersOf.values()].map((days) => days.length));
    let gaps = 0;
    for (const days of ordersOf.values()) gaps += new Set(days).size - 1;
    expect(profiles.size).toBe(23_570);
    expect(text).toContain(`derived from ${gaps} repeat-purchase gaps`);
    expect(text).toContain("RFM tiers: R + F + M, each scored 1-5 by the store's quintiles (5 = most recent, most orders, most spent)");
    expect(text).toContain(`  basis: quintiles of 23570 customers: R days since last order ${recency.join(' / ')}; F orders ${orders.join(' / ')}; M USD `);
    const tierLines = text.split('\n').filter((line) => /^ {2}score +\d+ /.test(line));
    expect(tierLines.map((line) => Number(/score +(\d+)/.exec(line)![1]))).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(tierLines.reduce((sum, line) => sum + Number(line.trim().split(/\s+/).at(-1)), 0)).toBe(23_570);
  }, 60_000);
});
