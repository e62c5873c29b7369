/** How the nightly state machine cuts a night into key ranges (core/analytics/nightly-run.ts). */
import { describe, expect, it } from 'vitest';
import { rangesFor } from '../../../functions/core/analytics/nightly-run.ts';
import { recomputeSettings } from '../../../functions/core/analytics/settings.ts';

describe('the key ranges of a night', () => {
  const { scan } = recomputeSettings({});

  it('are the scan segments for a small store, one per 20,000 customers past that, at most maxRanges', () => {
    expect(scan).toMatchObject({ totalSegments: 8, rangeCustomers: 20_000, maxRanges: 1000 });
    expect(rangesFor(undefined, scan)).toBe(8);
    expect(rangesFor(0, scan)).toBe(8);
    expect(rangesFor(160_000, scan)).toBe(8);
    expect(rangesFor(160_001, scan)).toBe(9);
    expect(rangesFor(1_000_000, scan)).toBe(50);
    expect(rangesFor(100_000_000, scan)).toBe(1000);
    expect(rangesFor(1_000_000, recomputeSettings({ scan: { rangeCustomers: 15_625 } }).scan)).toBe(64);
  });
});
