import { describe, expect, it } from 'vitest';
import { bandsFor, describeBasis, GapDistribution } from '../../../functions/core/analytics/bands.ts';
import { recomputeSettings } from '../../../functions/core/analytics/settings.ts';
import { daysBefore, defaults, factsOf, profileOf } from './customers.ts';

const today = '2026-06-01';

/** A customer who bought every `gap` days, `orders` times, ending `endAgo` days before today. */
function regular(id: string, gap: number, orders: number, category = 'coffee', endAgo = 0) {
  const specs = Array.from({ length: orders }, (_, k) => ({ at: daysBefore(today, endAgo + (orders - 1 - k) * gap), category }));
  return profileOf(id, specs);
}

function distributionOf(profiles: ReturnType<typeof regular>[]) {
  const gaps = new GapDistribution();
  for (const profile of profiles) gaps.add(factsOf(profile, today), profile.categories);
  return gaps;
}

describe('recency bands from the store cycle', () => {
  it('reads the gaps between order days off the facts', () => {
    expect(factsOf(regular('a', 14, 4), today).gaps).toEqual([14, 14, 14]);
    expect(factsOf(profileOf('b', [{ at: today }]), today).gaps).toEqual([]);
  });

  it('derives active, sleeping and lost from the quantiles of the gaps', () => {
    // 100 customers every 10 days (3 gaps each = 300), 25 every 40 days (75), 10 every 100 days (30).
    const profiles = [
      ...Array.from({ length: 100 }, (_, i) => regular(`w${i}`, 10, 4)),
      ...Array.from({ length: 25 }, (_, i) => regular(`m${i}`, 40, 4)),
      ...Array.from({ length: 10 }, (_, i) => regular(`q${i}`, 100, 4)),
    ];
    const { overall } = distributionOf(profiles).bands(defaults.recency);
    // 405 gaps: the median is 10, the 80th percentile 40 (324th gap), the 95th 100 (385th gap).
    expect(overall).toEqual({ newDays: 10, activeDays: 10, sleepingDays: 40, lapsingDays: 100, basis: { kind: 'derived', gaps: 405 } });
    expect(describeBasis(overall)).toBe('derived from 405 repeat-purchase gaps');
  });

  it('falls back to the seeds days below the minimum of gaps, and keeps the override', () => {
    const thin = distributionOf(Array.from({ length: 66 }, (_, i) => regular(`t${i}`, 10, 4))); // 198 gaps
    expect(thin.bands(defaults.recency).overall).toEqual({
      newDays: 30,
      activeDays: 90,
      sleepingDays: 182,
      lapsingDays: 365,
      basis: { kind: 'fallback', gaps: 198, minGaps: 200 },
    });
    expect(thin.bands(recomputeSettings({ recency: { minGaps: 150 } }).recency).overall.basis).toEqual({ kind: 'derived', gaps: 198 });
    const fixed = thin.bands(recomputeSettings({ recency: { fixed: true, activeDays: 60 } }).recency);
    expect(fixed.overall).toMatchObject({ activeDays: 60, basis: { kind: 'override' } });
    expect(fixed.byCategory).toEqual({});
  });

  it('gives a category with enough gaps of its own its own bands, used for its single-category buyers', () => {
    const profiles = [
      ...Array.from({ length: 70 }, (_, i) => regular(`c${i}`, 7, 4, 'coffee')), // 210 gaps of 7 days
      ...Array.from({ length: 70 }, (_, i) => regular(`l${i}`, 300, 4, 'licence')), // 210 gaps of 300 days
      ...Array.from({ length: 10 }, (_, i) => regular(`f${i}`, 30, 4, 'filters')), // 30: too few
    ];
    const bands = distributionOf(profiles).bands(defaults.recency);
    expect(Object.keys(bands.byCategory).sort()).toEqual(['coffee', 'licence']);
    expect(bands.byCategory['coffee']).toMatchObject({ activeDays: 7, sleepingDays: 8, lapsingDays: 9 });
    expect(bands.byCategory['licence']).toMatchObject({ activeDays: 300, basis: { kind: 'derived', gaps: 210 } });
    expect(bandsFor(bands, ['licence']).activeDays).toBe(300);
    expect(bandsFor(bands, ['filters'])).toBe(bands.overall);
    expect(bandsFor(bands, ['coffee', 'licence'])).toBe(bands.overall);
  });

  it('merges distributions gathered by separate workers', () => {
    const one = distributionOf(Array.from({ length: 40 }, (_, i) => regular(`a${i}`, 10, 4)));
    const two = distributionOf(Array.from({ length: 40 }, (_, i) => regular(`b${i}`, 20, 4)));
    one.merge(two);
    expect(one.bands(defaults.recency).overall).toMatchObject({ activeDays: 10, sleepingDays: 20, basis: { kind: 'derived', gaps: 240 } });
  });
});
