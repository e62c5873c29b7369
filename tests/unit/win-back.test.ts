import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultWinBackTiming, longestDeclaredCycle, modelExpectedGapDays, winBackCustomerOf, winBackDueAt, winBackDueNow, type WinBackRules } from '../../functions/core/win-back.ts';

const catalog: NonNullable<WinBackRules['catalog']> = {
  products: new Map([
    ['ANTIVIRUS-1Y', { sku: 'ANTIVIRUS-1Y', name: 'Antivirus', category: 'licences', url: '', reorderUrl: '', offered: true }],
    ['CAT-FOOD', { sku: 'CAT-FOOD', name: 'Cat food', category: 'pet-food', cycleDays: 21, url: '', reorderUrl: '', offered: true }],
  ]),
  categories: new Map([
    ['licences', { name: 'licences', cycleDays: 365 }],
    ['pet-food', { name: 'pet-food', cycleDays: 30 }],
  ]),
};
const rules: WinBackRules = { timing: defaultWinBackTiming, catalog };
const customer = (gaps: number[], skus: string[] = [], categories: string[] = []) => ({ lastOrderAt: '2026-01-01T10:00:00Z', gaps, skus, categories });
const daysAfter = (iso: string) => (Date.parse(iso) - Date.parse('2026-01-01T00:00:00Z')) / 86_400_000;

describe('win-back timing per customer', () => {
  it('is due by her own rhythm: the median gap times the factor', () => {
    const due = winBackDueAt(customer([28, 30, 31]), rules);
    expect(due).toMatchObject({ days: 45, basis: 'rhythm' });
    expect(daysAfter(due.dueAt)).toBe(45);
  });

  it('falls back to 60 days without a rhythm, and to the model for a repeat buyer when fitted', () => {
    expect(winBackDueAt(customer([]), rules)).toMatchObject({ days: 60, basis: 'fallback' });
    expect(winBackDueAt(customer([40]), rules, { expectedGapDays: 37.2 })).toMatchObject({ days: 38, basis: 'model' });
    // A one-time buyer: the model knows only the store's average, the fallback applies.
    expect(winBackDueAt(customer([]), rules, { expectedGapDays: 20 })).toMatchObject({ days: 60, basis: 'fallback' });
  });

  it('never fires before the longest declared cycle of what was bought', () => {
    expect(longestDeclaredCycle(catalog, { skus: ['ANTIVIRUS-1Y', 'CAT-FOOD'], categories: [] })).toBe(365);
    expect(winBackDueAt(customer([], ['ANTIVIRUS-1Y']), rules)).toMatchObject({ days: 365, basis: 'declared-cycle' });
    expect(winBackDueAt(customer([10, 10], ['CAT-FOOD']), rules)).toMatchObject({ days: 21, basis: 'declared-cycle' });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }), fc.subarray(['ANTIVIRUS-1Y', 'CAT-FOOD', 'UNKNOWN']), fc.option(fc.double({ min: 1, max: 500, noNaN: true }), { nil: undefined }), (gaps, skus, expected) => {
        const due = winBackDueAt(customer(gaps, skus), rules, expected === undefined ? undefined : { expectedGapDays: expected });
        expect(due.days).toBeGreaterThanOrEqual(longestDeclaredCycle(catalog, { skus, categories: [] }) ?? 0);
        expect(due.days).toBeGreaterThanOrEqual(defaultWinBackTiming.minDays);
        expect(daysAfter(due.dueAt)).toBe(due.days);
      }),
    );
  });

  it('starts only when due within the look-back, so a customer lost long ago is not started later', () => {
    const due = { dueAt: '2026-03-02T00:00:00.000Z' };
    expect(winBackDueNow(due, new Date('2026-03-01T23:00:00Z'), 6)).toBe(false);
    expect(winBackDueNow(due, new Date('2026-03-02T03:00:00Z'), 6)).toBe(true);
    expect(winBackDueNow(due, new Date('2026-03-08T03:00:00Z'), 6)).toBe(true);
    expect(winBackDueNow(due, new Date('2026-03-09T03:00:00Z'), 6)).toBe(false);
  });

  it('reads the gaps off the profile and the model at the last order', () => {
    const profile = { lastOrderAt: '2026-03-01T09:00:00Z', skus: [], categories: [], orderDays: { '2026-01-01': {}, '2026-03-01': {}, '2026-01-31': {} } };
    expect(winBackCustomerOf(profile).gaps).toEqual([30, 29]);
    expect(modelExpectedGapDays({ r: 0.25, alpha: 30 }, { x: 2, tx: 60 })).toBeCloseTo(40);
  });
});
