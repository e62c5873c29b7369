import { describe, expect, it } from 'vitest';
import { dayOf } from '../../../functions/core/analytics/facts.ts';
import { MetricsAccumulator, type JourneyEntryRecord } from '../../../functions/core/analytics/metrics.ts';
import type { CustomerProfile } from '../../../functions/core/profile.ts';
import { daysBefore, defaults, factsOf, profileOf, refunded } from './customers.ts';

const today = '2026-06-01';
const ago = (days: number) => daysBefore(today, days);

/**
 * The hand-computed store (30-day periods ending 2026-06-01):
 * A bought 40 and 5 days ago; B 45 days ago; C (new) 3 days ago; D 400 and 380 days ago (its year
 * without orders ran out in this period); E 500 days ago (lost long ago); F 10 days ago, all refunded.
 */
const store: Record<string, CustomerProfile> = {
  A: profileOf('A', [{ at: ago(40), totalMinor: 1000 }, { at: ago(5), totalMinor: 2000 }]),
  B: profileOf('B', [{ at: ago(45), totalMinor: 1500 }]),
  C: profileOf('C', [{ at: ago(3), totalMinor: 500 }]),
  D: profileOf('D', [{ at: ago(400), totalMinor: 1000 }, { at: ago(380), totalMinor: 1000 }]),
  E: profileOf('E', [{ at: ago(500), totalMinor: 700 }]),
  F: refunded(profileOf('F', [{ at: ago(10), totalMinor: 800 }]), 'USD', 800),
};

function accumulate(profiles: CustomerProfile[]): MetricsAccumulator {
  const metrics = new MetricsAccumulator(dayOf(today), defaults);
  for (const profile of profiles) metrics.addCustomer(factsOf(profile, today), profile);
  return metrics;
}

const snapshotOf = (metrics: MetricsAccumulator) =>
  metrics.snapshot({ computedAt: `${today}T02:30:00.000Z`, segmentNames: ['sleeping', 'vip'], model: { available: false, repeatBuyers: 0 } });

describe('the daily metrics', () => {
  const snapshot = snapshotOf(accumulate(Object.values(store)));

  it('counts customers, new, active and returning ones with what they spent', () => {
    expect(snapshot).toMatchObject({
      day: today,
      period: { days: 30, from: '2026-05-03', to: today },
      customers: 6,
      newCustomers: 2, // C, F
      activeCustomers: 3, // A, C, F
      returningCustomers: 1, // A: first order before the period
      returningRevenueMinor: { USD: 2000 },
    });
  });

  it('computes retention and churn', () => {
    // Previous period buyers: A and B; A bought again.
    expect(snapshot.retention).toEqual({ previousPeriodBuyers: 2, retained: 1 });
    expect(snapshot.retentionRate).toBe(0.5);
    // Not lost at the start: A, B, D (E was); D is lost at the end.
    expect(snapshot.churn).toEqual({ atRisk: 3, churned: 1 });
    expect(snapshot.churnRate).toBeCloseTo(1 / 3, 12);
  });

  it('computes repeat rate, frequency, order value and historic CLV', () => {
    expect(snapshot.repeatCustomers).toBe(2); // A, D
    expect(snapshot.repeatPurchaseRate).toBeCloseTo(2 / 6, 12);
    // 12 months: A 2 orders, B, C, F 1 each.
    expect(snapshot.purchaseFrequency).toBe(5 / 4);
    // Net in 12 months 3000 + 1500 + 500 + 0 over 5 orders.
    expect(snapshot.averageOrderValueMinor).toEqual({ USD: 1000 });
    // Net to date 3000 + 1500 + 500 + 2000 + 700 + 0 over 6 customers.
    expect(snapshot.historicClvMinor).toEqual({ USD: Math.round(7700 / 6) });
  });

  it('builds first-purchase cohorts by calendar month', () => {
    const cohorts = Object.fromEntries(snapshot.cohorts.map((cohort) => [cohort.month, cohort]));
    expect(snapshot.cohorts.map((cohort) => cohort.month)).toEqual(['2026-05', '2026-04', '2025-04', '2025-01']);
    expect(cohorts['2026-05']).toEqual({ month: '2026-05', customers: 2, returned: [0] }); // C, F
    expect(cohorts['2026-04']).toEqual({ month: '2026-04', customers: 2, returned: [1, 0] }); // A came back in May
    expect(cohorts['2025-04']?.returned[0]).toBe(1); // D in May 2025
    expect(cohorts['2025-04']?.returned).toHaveLength(14);
    expect(cohorts['2025-01']).toMatchObject({ customers: 1, returned: Array(17).fill(0) });
  });

  it('drops cohorts older than the configured months', () => {
    const metrics = new MetricsAccumulator(dayOf(today), { ...defaults, metrics: { ...defaults.metrics, cohortMonths: 3 } });
    for (const profile of Object.values(store)) metrics.addCustomer(factsOf(profile, today), profile);
    expect(snapshotOf(metrics).cohorts.map((cohort) => cohort.month)).toEqual(['2026-05', '2026-04']);
  });

  it('reports NPS over the answers of the last 90 days', () => {
    const metrics = accumulate([]);
    for (const [score, days] of [[10, 1], [9, 2], [9, 80], [8, 5], [3, 89], [0, 90], [10, 200]] as const) {
      metrics.addFeedback({ customerId: 'A', entryId: `e${days}`, score, at: `${ago(days)}T10:00:00.000Z` });
    }
    expect(snapshotOf(metrics).nps).toEqual({ score: 40, answers: 5, promoters: 3, passives: 1, detractors: 1, windowDays: 90 });
  });

  it('measures each journey against its holdout', () => {
    const metrics = accumulate([]);
    const entry = (index: number, holdout: boolean, converted: boolean, days = 10): JourneyEntryRecord => ({
      journey: 'win-back',
      entryId: `${holdout ? 'h' : 't'}${index}`,
      customerId: `c${index}`,
      enteredAt: `${ago(days)}T03:00:00.000Z`,
      status: converted ? 'converted' : 'completed',
      holdout,
      ...(converted ? { convertedOrderId: `o${index}`, convertedRevenueMinor: 1000, convertedCurrency: 'USD' } : {}),
    });
    for (let i = 0; i < 10; i++) metrics.addJourneyEntry(entry(i, false, i < 4));
    for (let i = 0; i < 5; i++) metrics.addJourneyEntry(entry(i, true, i < 1));
    metrics.addJourneyEntry(entry(99, false, true, 120));
    const result = snapshotOf(metrics).journeys['win-back'];
    expect(result?.treated).toEqual({ entered: 10, converted: 4, conversionRate: 0.4, revenueMinor: { USD: 4000 } });
    expect(result?.holdout).toEqual({ entered: 5, converted: 1, conversionRate: 0.2, revenueMinor: { USD: 1000 } });
    expect(result?.uplift).toMatchObject({ method: 'newcombe-wilson', confidence: 0.95 });
    expect(result?.uplift?.difference).toBeCloseTo(0.2, 12);
    expect(result?.uplift?.low).toBeLessThan(0);
    expect(result?.uplift?.high).toBeGreaterThan(0.2);
  });

  it('reports segment sizes, zero for empty ones', () => {
    const metrics = accumulate([]);
    metrics.addSegments(['sleeping', 'vip']);
    metrics.addSegments(['sleeping']);
    expect(snapshotOf(metrics).segments).toEqual({ sleeping: 2, vip: 1 });
  });

  it('adds up accumulators merged from separate scan segments', () => {
    const [first, second] = [accumulate([store.A!, store.C!, store.E!]), accumulate([store.B!, store.D!, store.F!])];
    first.merge(second);
    expect(snapshotOf(first)).toEqual(snapshot);
  });
});

describe('edge cases', () => {
  it('has zeros and no rates for an empty store', () => {
    expect(snapshotOf(accumulate([]))).toMatchObject({
      customers: 0,
      newCustomers: 0,
      activeCustomers: 0,
      returningCustomers: 0,
      returningRevenueMinor: {},
      retentionRate: null,
      churnRate: null,
      repeatPurchaseRate: null,
      purchaseFrequency: null,
      averageOrderValueMinor: {},
      historicClvMinor: {},
      nps: { score: null, answers: 0 },
      cohorts: [],
      journeys: {},
      segments: { sleeping: 0, vip: 0 },
    });
  });

  it('describes a store of one customer', () => {
    expect(snapshotOf(accumulate([store.C!]))).toMatchObject({
      customers: 1,
      newCustomers: 1,
      activeCustomers: 1,
      returningCustomers: 0,
      retentionRate: null,
      churnRate: null,
      repeatPurchaseRate: 0,
      purchaseFrequency: 1,
      averageOrderValueMinor: { USD: 500 },
      historicClvMinor: { USD: 500 },
      cohorts: [{ month: '2026-05', customers: 1, returned: [0] }],
    });
  });

  it('counts a store of refunds as customers worth nothing', () => {
    const allRefunds = [store.F!, refunded(profileOf('G', [{ at: ago(40), totalMinor: 300 }, { at: ago(2), totalMinor: 200 }]), 'USD', 500)];
    expect(snapshotOf(accumulate(allRefunds))).toMatchObject({
      customers: 2,
      activeCustomers: 2,
      returningCustomers: 1,
      returningRevenueMinor: { USD: 0 },
      averageOrderValueMinor: { USD: 0 },
      historicClvMinor: { USD: 0 },
      purchaseFrequency: 1.5,
    });
  });
});

describe('customer facts', () => {
  it('summarises the history for the models in days, net of refunds', () => {
    // Three order days (two orders on the second), a quarter refunded.
    const profile = refunded(
      profileOf('M', [
        { at: ago(100), totalMinor: 4000 },
        { at: `${ago(60)}T08:00:00.000Z`, totalMinor: 1000 },
        { at: `${ago(60)}T20:00:00.000Z`, totalMinor: 1000 },
        { at: ago(20), totalMinor: 2000 },
      ]),
      'USD',
      2000,
    );
    expect(factsOf(profile, today).model).toEqual({ x: 2, tx: 80, T: 100, meanRepeatValue: ((2000 + 2000) * 0.75) / 2 });
  });

  it('gives a one-time buyer x = 0 and no repeat value', () => {
    expect(factsOf(store.B!, today).model).toEqual({ x: 0, tx: 0, T: 45, meanRepeatValue: 0 });
  });

  it('reads a profile written before order days were kept', () => {
    const { orderDays: _days, largestOrderMinorByCurrency: _largest, ...old } = store.A!;
    const facts = factsOf(old, today);
    expect(facts.model).toMatchObject({ x: 1, tx: 35, T: 40 });
    expect(facts.boughtThisPeriod).toBe(true);
    expect(facts.valueRevenue).toBe(3000);
  });
});
