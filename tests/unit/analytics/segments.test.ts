import { describe, expect, it } from 'vitest';
import {
  builtInMemberships,
  isChurnRisk,
  matchesFilter,
  parseSegmentDefinition,
  recencySegment,
  trendSegment,
  valueSegment,
  type SegmentFilter,
  type ValueThresholds,
} from '../../../functions/core/analytics/segments.ts';
import { recomputeSettings, recomputeSettingsFromJson } from '../../../functions/core/analytics/settings.ts';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { daysBefore, defaults, factsOf, profileOf, refunded } from './customers.ts';

const today = '2026-06-01';
const ago = (days: number) => daysBefore(today, days);
const facts = (...orders: Parameters<typeof profileOf>[1]) => factsOf(profileOf('c', orders), today);

describe('recency segments', () => {
  it.each([
    [[0], 'new'],
    [[29], 'new'],
    [[30], 'new'],
    [[89], 'new'],
    [[400, 30], 'active'],
    [[400, 89], 'active'],
    [[400, 90], 'sleeping'],
    [[400, 181], 'sleeping'],
    [[182], 'lapsing'],
    [[364], 'lapsing'],
    [[365], 'lost'],
    [[900, 700], 'lost'],
  ])('orders %j days ago: %s', (days, expected) => {
    expect(recencySegment(facts(...days.map((d) => ({ at: ago(d) }))), defaults.recency)).toBe(expected);
  });

  it('follows configured boundaries', () => {
    const rules = recomputeSettings({ recency: { newDays: 7, activeDays: 30, sleepingDays: 60, lapsingDays: 120 } }).recency;
    expect(recencySegment(facts({ at: ago(300) }, { at: ago(10) }), rules)).toBe('active');
    expect(recencySegment(facts({ at: ago(45) }), rules)).toBe('sleeping');
    expect(recencySegment(facts({ at: ago(90) }), rules)).toBe('lapsing');
    expect(recencySegment(facts({ at: ago(130) }), rules)).toBe('lost');
  });
});

describe('value segments', () => {
  const thresholds: ValueThresholds = {
    revenue: { USD: { vip: 10_000, mid: 3000, customers: 100 } },
    orders: { vip: 5, mid: 2 },
    averageOrder: { USD: { high: 2000 } },
  };
  const value = (f: ReturnType<typeof facts>, t: ValueThresholds | undefined = thresholds) => valueSegment(f, t, defaults.value);

  it('ranks by 12-month net revenue against the thresholds of the currency; one big order is not vip', () => {
    expect(value(facts({ at: ago(10), totalMinor: 12_000 }))).toBe('mid');
    expect(value(facts({ at: ago(10), totalMinor: 10_000 }))).toBe('mid');
    expect(value(facts({ at: ago(10), totalMinor: 5000 }))).toBe('mid');
    expect(value(facts({ at: ago(10), totalMinor: 1000 }))).toBe('base');
  });

  it('ranks frequent buyers by their orders, never a one-time buyer', () => {
    // vip needs a high average check AND frequent buying.
    expect(value(facts(...[10, 20, 30, 40, 50].map((d) => ({ at: ago(d), totalMinor: 2000 }))))).toBe('vip');
    expect(value(facts(...[10, 20, 30, 40, 50].map((d) => ({ at: ago(d), totalMinor: 100 }))))).toBe('mid');
    expect(value(facts(...[10, 20, 30, 40].map((d) => ({ at: ago(d), totalMinor: 5000 }))))).toBe('mid');
    expect(value(facts({ at: ago(10), totalMinor: 100 }, { at: ago(20), totalMinor: 100 }))).toBe('mid');
    const oneTimers: ValueThresholds = { revenue: {}, orders: { vip: 1, mid: 1 } };
    expect(value(facts({ at: ago(10), totalMinor: 100 }), oneTimers)).toBe('base');
  });

  it('counts only the value window and only money that stayed', () => {
    expect(value(facts({ at: ago(400), totalMinor: 50_000 }))).toBe('base');
    expect(value(facts({ at: ago(400), totalMinor: 50_000 }, { at: ago(10), totalMinor: 1000 }))).toBe('base');
    const allRefunded = factsOf(refunded(profileOf('c', [{ at: ago(10), totalMinor: 20_000 }]), 'USD', 20_000), today);
    expect(value(allRefunded)).toBe('base');
    const halfRefunded = factsOf(refunded(profileOf('c', [{ at: ago(10), totalMinor: 20_000 }]), 'USD', 10_000), today);
    expect(halfRefunded.valueRevenue).toBe(10_000);
    expect(value(halfRefunded)).toBe('mid');
  });

  it('is base without thresholds or without thresholds for the currency', () => {
    expect(valueSegment(facts({ at: ago(10), totalMinor: 50_000 }), undefined, defaults.value)).toBe('base');
    expect(value(facts({ at: ago(10), totalMinor: 50_000, currency: 'EUR' }))).toBe('base');
  });
});

describe('trend segments', () => {
  const trend = (f: ReturnType<typeof facts>, rules = defaults.trend) => trendSegment(f, rules);

  it('compares net spend in the last 90 days with the 90 days before', () => {
    expect(trend(facts({ at: ago(100), totalMinor: 1000 }, { at: ago(10), totalMinor: 1300 }))).toBe('growing');
    expect(trend(facts({ at: ago(100), totalMinor: 1000 }, { at: ago(10), totalMinor: 1100 }))).toBe('stable');
    expect(trend(facts({ at: ago(100), totalMinor: 1000 }, { at: ago(10), totalMinor: 700 }))).toBe('declining');
    expect(trend(facts({ at: ago(100), totalMinor: 1000 }))).toBe('declining');
    expect(trend(facts({ at: ago(300), totalMinor: 1000 }, { at: ago(5), totalMinor: 500 }))).toBe('growing');
  });

  it('puts an order exactly one period ago in the earlier period', () => {
    const f = facts({ at: ago(150), totalMinor: 1000 }, { at: ago(90), totalMinor: 1000 });
    expect(f.trendSpend).toEqual([2000, 0]);
    expect(trend(f)).toBe('declining');
  });

  it('has no trend for a customer too new to compare, or idle in both periods', () => {
    expect(trend(facts({ at: ago(50) }, { at: ago(10) }))).toBeUndefined();
    expect(trend(facts({ at: ago(300) }))).toBeUndefined();
  });

  it('can compare orders instead of spend', () => {
    const rules = recomputeSettings({ trend: { measure: 'orders' } }).trend;
    const f = facts({ at: ago(120), totalMinor: 100 }, { at: ago(100), totalMinor: 100 }, { at: ago(10), totalMinor: 5000 });
    expect(trend(f)).toBe('growing');
    expect(trend(f, rules)).toBe('declining');
  });
});

describe('churn risk', () => {
  const twice = facts({ at: ago(300) }, { at: ago(200) });
  it('is P(alive) under the threshold among customers who bought twice', () => {
    expect(isChurnRisk(twice, 0.2, defaults.churnRisk)).toBe(true);
    expect(isChurnRisk(twice, 0.3, defaults.churnRisk)).toBe(false);
    expect(isChurnRisk(facts({ at: ago(300) }), 0.1, defaults.churnRisk)).toBe(false);
    expect(isChurnRisk(twice, undefined, defaults.churnRisk)).toBe(false);
  });

  it('joins the built-in memberships', () => {
    const thresholds: ValueThresholds = { revenue: { USD: { vip: 10_000, mid: 3000, customers: 10 } }, orders: { vip: 5, mid: 2 } };
    expect(builtInMemberships(twice, { settings: defaults, thresholds, pAlive: 0.1 })).toEqual(['lapsing', 'mid', 'churn-risk']);
    expect(builtInMemberships(facts({ at: ago(3) }), { settings: defaults, thresholds: undefined, pAlive: undefined })).toEqual(['new', 'base']);
  });
});

describe('custom segments', () => {
  const dogLovers: SegmentFilter = {
    type: 'all',
    filters: [
      { type: 'boughtCategory', category: 'pet-food' },
      { type: 'lastOrder', minDaysAgo: 182, maxDaysAgo: 365 },
      { type: 'orderTotal', currency: 'USD', overMinor: 5000 },
    ],
  };

  it('accepts a filter and refuses a built-in name, unknown conditions and reversed ranges', () => {
    expect(parseSegmentDefinition('lapsed-dog-lovers', { filter: dogLovers, description: 'Big pet-food buyers gone quiet' }).filter).toEqual(dogLovers);
    const refused = (name: string, body: unknown) => {
      try {
        parseSegmentDefinition(name, body);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return (error as InvalidInputError).issues.map((issue) => issue.path);
      }
      throw new Error('accepted');
    };
    expect(refused('vip', { filter: dogLovers })).toEqual(['name']);
    expect(refused('Bad Name', { filter: dogLovers })).toEqual(['name']);
    expect(refused('x', { filter: { type: 'spentOnMars' } })).toContain('filter');
    expect(refused('x', { filter: { type: 'lastOrder', minDaysAgo: 365, maxDaysAgo: 182 } })).toContain('filter');
    expect(refused('x', { filter: dogLovers, extra: 1 })).toEqual(['(body)']);
    let deep: SegmentFilter = { type: 'consent', channel: 'email' };
    for (let i = 0; i < 7; i++) deep = { type: 'not', filter: deep };
    expect(refused('x', { filter: deep })).toEqual(['filter']);
  });

  it('matches on categories, dates, order totals, revenue, counts, consent and built-in segments', () => {
    const lapsed = profileOf('c', [
      { at: ago(300), totalMinor: 6000, category: 'pet-food' },
      { at: ago(200), totalMinor: 2000, category: 'toys', sku: 'BALL' },
    ], { consent: { email: true } });
    const subject = { profile: lapsed, facts: factsOf(lapsed, today), builtIn: ['lapsing', 'mid'] };
    expect(matchesFilter(dogLovers, subject)).toBe(true);
    expect(matchesFilter({ ...dogLovers, filters: [...dogLovers.filters, { type: 'boughtSku', sku: 'BONE' }] } as SegmentFilter, subject)).toBe(false);
    expect(matchesFilter({ type: 'boughtSku', sku: 'BALL' }, subject)).toBe(true);
    expect(matchesFilter({ type: 'orderTotal', currency: 'USD', overMinor: 6000 }, subject)).toBe(false);
    expect(matchesFilter({ type: 'orderTotal', currency: 'EUR', overMinor: 0 }, subject)).toBe(false);
    expect(matchesFilter({ type: 'netRevenue', currency: 'USD', minMinor: 8000 }, subject)).toBe(true);
    expect(matchesFilter({ type: 'netRevenue', currency: 'USD', maxMinor: 7999 }, subject)).toBe(false);
    expect(matchesFilter({ type: 'netRevenue', currency: 'EUR', maxMinor: 100 }, subject)).toBe(false);
    expect(matchesFilter({ type: 'orderCount', min: 2, max: 2 }, subject)).toBe(true);
    expect(matchesFilter({ type: 'firstOrder', minDaysAgo: 301 }, subject)).toBe(false);
    expect(matchesFilter({ type: 'consent', channel: 'email' }, subject)).toBe(true);
    expect(matchesFilter({ type: 'consent', channel: 'sms' }, subject)).toBe(false);
    expect(matchesFilter({ type: 'any', filters: [{ type: 'segment', segment: 'vip' }, { type: 'segment', segment: 'lapsing' }] }, subject)).toBe(true);
    expect(matchesFilter({ type: 'not', filter: { type: 'segment', segment: 'lapsing' } }, subject)).toBe(false);
  });
});

describe('settings', () => {
  it('has the documented defaults and takes partial overrides', () => {
    expect(defaults.recency).toEqual({
      newDays: 30,
      activeDays: 90,
      sleepingDays: 182,
      lapsingDays: 365,
      fixed: false,
      minGaps: 200,
      activeQuantile: 0.5,
      sleepingQuantile: 0.8,
      lostQuantile: 0.95,
    });
    expect(defaults.value.vipQuantile).toBe(0.9);
    expect(defaults.churnRisk.pAliveBelow).toBe(0.3);
    expect(defaults.models).toMatchObject({ refitEveryDays: 7, minRepeatBuyers: 20 });
    const custom = recomputeSettingsFromJson('{"churnRisk":{"pAliveBelow":0.2},"models":{"minRepeatBuyers":50}}');
    expect(custom.churnRisk.pAliveBelow).toBe(0.2);
    expect(custom.models.minRepeatBuyers).toBe(50);
    expect(custom.models.refitEveryDays).toBe(7);
  });

  it('refuses unknown keys, bad JSON and inconsistent boundaries', () => {
    expect(() => recomputeSettingsFromJson('{"recency":{"newdays":10}}')).toThrow(InvalidInputError);
    expect(() => recomputeSettingsFromJson('{')).toThrow(/not valid JSON/);
    expect(() => recomputeSettingsFromJson('{"recency":{"activeDays":200}}')).toThrow(InvalidInputError);
  });
});
