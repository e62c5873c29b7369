/** How the nightly state machine cuts a night into key ranges (core/analytics/nightly-run.ts). */
import { describe, expect, it } from 'vitest';
import { rangesFor } from '../../../functions/core/analytics/nightly-run.ts';
import { recomputeSettings } from '../../../functions/core/analytics/settings.ts';

describe('the key ranges of a night', () => {
  const { scan } = recomputeSettings({});

  it('are one for a store of up to 20,000 customers, one per 20,000 customers past that, at most maxRanges', () => {
    expect(scan).toMatchObject({ minRanges: 1, rangeCustomers: 20_000, maxRanges: 1000 });
    expect(rangesFor(undefined, scan)).toBe(1);
    expect(rangesFor(0, scan)).toBe(1);
    expect(rangesFor(20_000, scan)).toBe(1);
    expect(rangesFor(20_001, scan)).toBe(2);
    expect(rangesFor(160_001, scan)).toBe(9);
    expect(rangesFor(1_000_000, scan)).toBe(50);
    expect(rangesFor(100_000_000, scan)).toBe(1000);
    expect(rangesFor(1_000_000, recomputeSettings({ scan: { rangeCustomers: 15_625 } }).scan)).toBe(64);
  });

  it('are at least minRanges, whatever the store', () => {
    const atLeastFour = recomputeSettings({ scan: { minRanges: 4 } }).scan;
    expect(rangesFor(undefined, atLeastFour)).toBe(4);
    expect(rangesFor(80, atLeastFour)).toBe(4);
    expect(rangesFor(100_001, atLeastFour)).toBe(6);
  });
});
