import { describe, expect, it } from 'vitest';
import { ValueDistribution } from '../../../functions/core/analytics/thresholds.ts';
import { recomputeSettings } from '../../../functions/core/analytics/settings.ts';
import type { CustomerFacts } from '../../../functions/core/analytics/facts.ts';
import { defaults } from './customers.ts';

const customer = (valueRevenue: number, valueOrders: number, currency = 'USD') => ({ currency, valueRevenue, valueOrders }) as CustomerFacts;

describe('value thresholds', () => {
  it('puts the vip and mid lines at the quantiles of 12-month revenue, within 1 %', () => {
    const distribution = new ValueDistribution();
    for (let i = 1; i <= 1000; i++) distribution.add(customer(i * 100, 1));
    const { revenue } = distribution.thresholds(defaults.value)!;
    expect(revenue['USD']!.customers).toBe(1000);
    expect(Math.abs(revenue['USD']!.vip - 90_000) / 90_000).toBeLessThan(0.02);
    expect(Math.abs(revenue['USD']!.mid - 50_000) / 50_000).toBeLessThan(0.02);
  });

  it('puts the high-check line at the 75th percentile of the average order value', () => {
    const distribution = new ValueDistribution();
    // Customer i spends i * 400 over 4 orders: an average check of i * 100.
    for (let i = 1; i <= 1000; i++) distribution.add(customer(i * 400, 4));
    const { averageOrder } = distribution.thresholds(defaults.value)!;
    expect(Math.abs(averageOrder!['USD']!.high - 75_000) / 75_000).toBeLessThan(0.02);
  });

  it('keeps currencies apart and leaves out customers idle in the window', () => {
    const distribution = new ValueDistribution();
    for (let i = 1; i <= 100; i++) distribution.add(customer(i, 1, 'USD'));
    for (let i = 1; i <= 100; i++) distribution.add(customer(i * 1000, 1, 'JPY'));
    distribution.add(customer(0, 0, 'EUR'));
    const { revenue } = distribution.thresholds(defaults.value)!;
    expect(Object.keys(revenue).sort()).toEqual(['JPY', 'USD']);
    expect(Math.abs(revenue['JPY']!.vip - 90_000) / 90_000).toBeLessThan(0.02);
    expect(Math.abs(revenue['USD']!.vip - 90) / 90).toBeLessThan(0.02);
  });

  it('takes exact order-count quantiles', () => {
    const distribution = new ValueDistribution();
    // 70 one-time buyers, 20 with 2 orders, 10 with 6.
    for (let i = 0; i < 100; i++) distribution.add(customer(100, i < 70 ? 1 : i < 90 ? 2 : 6));
    expect(distribution.thresholds(defaults.value)!.orders).toEqual({ vip: 2, mid: 1 });
    expect(distribution.thresholds(recomputeSettings({ value: { vipQuantile: 0.95 } }).value)!.orders.vip).toBe(6);
  });

  it('has no thresholds without customers, and merges distributions', () => {
    expect(new ValueDistribution().thresholds(defaults.value)).toBeUndefined();
    const [left, right, whole] = [new ValueDistribution(), new ValueDistribution(), new ValueDistribution()];
    for (let i = 1; i <= 500; i++) {
      (i % 2 ? left : right).add(customer(i * 10, 1 + (i % 4)));
      whole.add(customer(i * 10, 1 + (i % 4)));
    }
    left.merge(right);
    expect(left.thresholds(defaults.value)).toEqual(whole.thresholds(defaults.value));
  });
});
