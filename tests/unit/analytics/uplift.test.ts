import { describe, expect, it } from 'vitest';
import { conversionUplift, normalQuantile, wilsonInterval } from '../../../functions/core/analytics/uplift.ts';

describe('normal quantiles', () => {
  it('matches the tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853627, 8);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829304, 8);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe('Wilson intervals', () => {
  it('matches published values and stays inside [0, 1]', () => {
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const all = wilsonInterval(10, 10);
    expect(all.low).toBeCloseTo(0.7225, 4);
    expect(all.high).toBe(1);
  });
});

describe('uplift (Newcombe 1998, method 10)', () => {
  // Table II of the paper: the hybrid score interval for three of its worked examples.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
  ])('%i/%i against %i/%i: [%f, %f]', (treated, entered, holdout, holdoutEntered, low, high) => {
    const uplift = conversionUplift({ converted: treated, entered }, { converted: holdout, entered: holdoutEntered });
    expect(uplift?.difference).toBeCloseTo(treated / entered - holdout / holdoutEntered, 12);
    expect(uplift?.low).toBeCloseTo(low, 4);
    expect(uplift?.high).toBeCloseTo(high, 4);
  });

  it('is unknown while a group is empty', () => {
    expect(conversionUplift({ converted: 3, entered: 10 }, { converted: 0, entered: 0 })).toBeNull();
  });

  it('widens at a higher confidence', () => {
    const at95 = conversionUplift({ converted: 40, entered: 100 }, { converted: 30, entered: 100 }, 0.95)!;
    const at99 = conversionUplift({ converted: 40, entered: 100 }, { converted: 30, entered: 100 }, 0.99)!;
    expect(at99.low).toBeLessThan(at95.low);
    expect(at99.high).toBeGreaterThan(at95.high);
  });
});
