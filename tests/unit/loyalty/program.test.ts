/** Points, the tier window, tiers, progress, nudges and the redemption cap: integer arithmetic only. */
import { describe, expect, it } from 'vitest';
import { CatalogError, parseCatalog } from '../../../functions/core/catalog/rules.ts';
import {
  addActivity,
  daysLookedBack,
  inProgramCurrency,
  isCloseToNext,
  leavesWindowOn,
  percentText,
  pointsFor,
  redeemCap,
  tierProgress,
  windowTotals,
} from '../../../functions/core/loyalty/program.ts';
import { testCatalog } from '../catalog/fixtures.ts';

const program = testCatalog().loyalty;
const ordersProgram = testCatalog({ loyalty: { basis: 'orders' } }).loyalty;
const now = new Date('2026-06-01T12:00:00.000Z');

describe('orders in other currencies', () => {
  const rules = (currency: string, exchangeRates: Record<string, string>) =>
    parseCatalog({ currency, productUrl: 'https://shop.test/{sku}', reorderUrl: 'https://shop.test/{sku}', loyalty: { exchangeRates } }).loyalty;

  it.each([
    // program currency, rates, amount in minor units of the order currency, order currency, program minor units
    ['USD', { EUR: '1.08' }, 100_00, 'EUR', 108_00],
    ['USD', { EUR: '1.08' }, 1, 'EUR', 1], // 1.08 cents, rounded down
    ['USD', { JPY: '0.0067' }, 10_000, 'JPY', 67_00], // ¥10,000 (no minor unit) = $67.00
    ['JPY', { USD: '149.5' }, 10_00, 'USD', 1_495], // $10.00 = ¥1,495
    ['USD', { KWD: '3.25' }, 1_000, 'KWD', 3_25], // 1.000 KWD (three decimals) = $3.25
    ['UAH', { EUR: '45.12' }, 99_99, 'EUR', 4_511_54], // €99.99 = ₴4,511.5488
    ['USD', {}, 100_00, 'USD', 100_00],
  ])('a program in %s with rates %o takes %i minor units of %s as %i', (currency, rates, amount, orderCurrency, expected) => {
    expect(inProgramCurrency(rules(currency, rates), amount, orderCurrency)).toBe(expected);
  });

  it('knows no amount in a currency the store gave no rate for', () => {
    expect(inProgramCurrency(rules('USD', { EUR: '1.08' }), 100_00, 'PLN')).toBeUndefined();
  });

  it('refuses a rate for the program currency itself, and rates that are not positive decimals', () => {
    expect(() => rules('USD', { USD: '1' })).toThrow(CatalogError);
    expect(() => rules('USD', { EUR: '0' })).toThrow(CatalogError);
    expect(() => rules('USD', { EUR: '-1.2' })).toThrow(CatalogError);
    expect(() => rules('USD', { EUR: '1,08' })).toThrow(CatalogError);
  });
});

describe('points', () => {
  it('earn a percentage of the amount, rounded down to whole points (1 point = 1 minor unit)', () => {
    expect(pointsFor(5497, 300)).toBe(164); // 3% of $54.97 = 164.91
    expect(pointsFor(5497, 700)).toBe(384);
    expect(pointsFor(33, 300)).toBe(0);
    expect(pointsFor(0, 500)).toBe(0);
    expect(pointsFor(-100, 500)).toBe(0);
  });

  it('stay exact on amounts where floating point would not', () => {
    // 9,007,199,254,740,991 minor units * 7% overflows 2^53 in doubles; the result is exact.
    expect(pointsFor(Number.MAX_SAFE_INTEGER, 700)).toBe(630_503_947_831_869);
    expect(pointsFor(1_000_000_007, 333)).toBe(33_300_000);
  });

  it('print rates as short percentages', () => {
    expect([300, 250, 1234, 5000].map(percentText)).toEqual(['3', '2.5', '12.34', '50']);
  });
});

describe('the tier window', () => {
  it('counts the orders of the last windowDays days, today included', () => {
    const activity = { '2025-06-01': { orders: 1, spendMinor: 100_00 }, '2025-06-02': { orders: 2, spendMinor: 300_00 }, '2026-06-01': { orders: 1, spendMinor: 50_00 } };
    expect(windowTotals(activity, now, 365)).toEqual({ orders: 3, spendMinor: 350_00 });
    expect(leavesWindowOn('2025-06-02T10:00:00.000Z', 365)).toBe('2026-06-02');
  });

  it('adds and takes back activity, dropping days that left the window', () => {
    let activity = addActivity({ '2025-01-01': { orders: 1, spendMinor: 10 } }, '2026-05-30', { orders: 1, spendMinor: 5000 }, now, 365);
    expect(activity).toEqual({ '2026-05-30': { orders: 1, spendMinor: 5000 } });
    activity = addActivity(activity, '2026-05-30', { orders: -1, spendMinor: -5000 }, now, 365);
    expect(activity).toEqual({});
    expect(addActivity({}, '2024-01-01', { orders: 1, spendMinor: 1 }, now, 365)).toEqual({});
  });
});

describe('the due days a run reads', () => {
  it('are the UTC days its look-back reaches, oldest first', () => {
    // The hourly dispatch (two hours): yesterday only in the two runs after midnight.
    expect(daysLookedBack(new Date('2026-01-16T00:15:00.000Z'), 2)).toEqual(['2026-01-15', '2026-01-16']);
    expect(daysLookedBack(new Date('2026-01-16T01:15:00.000Z'), 2)).toEqual(['2026-01-15', '2026-01-16']);
    expect(daysLookedBack(new Date('2026-01-16T02:15:00.000Z'), 2)).toEqual(['2026-01-16']);
    expect(daysLookedBack(new Date('2026-01-16T23:15:00.000Z'), 2)).toEqual(['2026-01-16']);
    // The nightly sweep (a week): eight dates, across a month's end.
    expect(daysLookedBack(new Date('2026-03-03T02:30:00.000Z'), 7 * 24)).toEqual(['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']);
  });
});

describe('tiers and progress', () => {
  it('gives the highest tier whose spend threshold is met, and what is left to the next', () => {
    expect(tierProgress(program, { orders: 9, spendMinor: 0 })).toMatchObject({ tier: { name: 'bronze' }, rank: 0, next: { tier: { name: 'silver' }, remaining: 50_000, percent: 0 } });
    expect(tierProgress(program, { orders: 1, spendMinor: 40_000 })).toMatchObject({ tier: { name: 'bronze' }, next: { remaining: 10_000, percent: 80 } });
    expect(tierProgress(program, { orders: 1, spendMinor: 50_000 })).toMatchObject({ tier: { name: 'silver' }, rank: 1, next: { tier: { name: 'gold' }, remaining: 100_000, percent: 33 } });
    const gold = tierProgress(program, { orders: 1, spendMinor: 1_000_000 });
    expect(gold.tier.name).toBe('gold');
    expect(gold.next).toBeUndefined();
  });

  it('counts orders instead when the program says so', () => {
    expect(tierProgress(ordersProgram, { orders: 5, spendMinor: 0 })).toMatchObject({ tier: { name: 'silver' }, next: { tier: { name: 'gold' }, remaining: 1, percent: 83 } });
  });

  it('is close to the next tier within one order, or within 10% of its spend', () => {
    expect(isCloseToNext(ordersProgram, tierProgress(ordersProgram, { orders: 5, spendMinor: 0 }))).toBe(true);
    expect(isCloseToNext(ordersProgram, tierProgress(ordersProgram, { orders: 4, spendMinor: 0 }))).toBe(false);
    expect(isCloseToNext(program, tierProgress(program, { orders: 1, spendMinor: 45_000 }))).toBe(true);
    expect(isCloseToNext(program, tierProgress(program, { orders: 1, spendMinor: 44_999 }))).toBe(false);
    expect(isCloseToNext(program, tierProgress(program, { orders: 1, spendMinor: 2_000_000 }))).toBe(false);
  });
});

describe('the redemption cap', () => {
  it('lets points pay for at most half of an order, rounded down', () => {
    expect(redeemCap(program, 5497)).toBe(2748);
    expect(redeemCap(program, 1)).toBe(0);
    expect(redeemCap(testCatalog({ loyalty: { maxRedeemPercent: 20 } }).loyalty, 10_000)).toBe(2000);
  });
});
