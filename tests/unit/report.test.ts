import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import { renderReport } from '../../lib/cli/report.ts';

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
