/** Consumption cycles, declared and learned, and when the reminder goes out. */
import { describe, expect, it } from 'vitest';
import { productLines } from '../../../functions/core/catalog/follow-ups.ts';
import { cycleFor, declaredCycle, learnedPerUnitDays, purchasesOf, reminderSchedule, type ProductPurchase } from '../../../functions/core/catalog/replenishment.ts';
import { testCatalog } from './fixtures.ts';

const catalog = testCatalog();
const DAY = 86_400_000;
const start = Date.parse('2026-01-01T10:00:00.000Z');
const on = (days: number, quantity = 1, orderId = `o-${days}`): ProductPurchase => ({ orderId, placedAt: new Date(start + days * DAY).toISOString(), quantity });

describe('declared cycles', () => {
  it('come from the product first, then from its category (the line or the catalog says which)', () => {
    expect(declaredCycle(catalog, 'CAT-FOOD')).toEqual({ perUnitDays: 21, source: 'product' });
    expect(declaredCycle(catalog, 'DOG-FOOD')).toEqual({ perUnitDays: 30, source: 'category' });
    expect(declaredCycle(catalog, 'UNLISTED', 'licences')).toEqual({ perUnitDays: 365, source: 'category' });
    expect(declaredCycle(catalog, 'PRINTER')).toBeUndefined();
  });

  it('scale with the quantity bought', () => {
    expect(cycleFor(catalog, { sku: 'DOG-FOOD', quantity: 2 }, [])).toEqual({ cycleDays: 60, perUnitDays: 30, source: 'category' });
    expect(cycleFor(catalog, { sku: 'FILTER', quantity: 1 }, [])).toMatchObject({ cycleDays: 90 });
    expect(cycleFor(catalog, { sku: 'FILTER', quantity: 20 }, [])).toMatchObject({ cycleDays: 730 }); // capped at maxCycleDays
  });
});

describe('learned cycles', () => {
  it('need at least two intervals of the customer own repeat purchases, and take their median per unit', () => {
    expect(learnedPerUnitDays([on(0), on(20)], 2)).toBeUndefined();
    expect(learnedPerUnitDays([on(0), on(20), on(41)], 2)).toBe(20.5);
    expect(learnedPerUnitDays([on(0), on(20), on(40), on(100)], 2)).toBe(20);
    // Two units lasted 40 days: 20 per unit.
    expect(learnedPerUnitDays([on(0, 2), on(40, 1), on(60, 1)], 2)).toBe(20);
  });

  it('count purchases on the same day as one restock, in any order', () => {
    expect(learnedPerUnitDays([on(30, 1, 'b'), on(0, 1, 'a1'), on(0, 1, 'a2'), on(60, 1, 'c')], 2)).toBe(22.5);
  });

  it('apply where the store declares nothing, scaled by the quantity', () => {
    const history = [on(0), on(14), on(28)];
    expect(cycleFor(catalog, { sku: 'COFFEE', quantity: 1 }, history)).toEqual({ cycleDays: 14, perUnitDays: 14, source: 'learned' });
    expect(cycleFor(catalog, { sku: 'COFFEE', quantity: 3 }, history)).toMatchObject({ cycleDays: 42 });
    expect(cycleFor(catalog, { sku: 'COFFEE', quantity: 1 }, history.slice(0, 2))).toBeUndefined();
    expect(cycleFor(testCatalog({ replenishment: { minLearnedIntervals: 1 } }), { sku: 'COFFEE', quantity: 1 }, history.slice(0, 2))).toMatchObject({ cycleDays: 14 });
  });

  it('read the purchases of one product from the customer orders, each order once', () => {
    const orders = [
      { orderId: 'o-2', placedAt: '2026-02-01T00:00:00.000Z', items: [{ sku: 'DOG-FOOD', quantity: 1 }, { sku: 'DOG-FOOD', quantity: 2 }] },
      { orderId: 'o-1', placedAt: '2026-01-01T00:00:00.000Z', items: [{ sku: 'DOG-FOOD', quantity: 1 }] },
      { orderId: 'o-3', placedAt: '2026-03-01T00:00:00.000Z', items: [{ sku: 'TREATS', quantity: 1 }] },
      { orderId: 'o-2', placedAt: '2026-02-01T00:00:00.000Z', items: [{ sku: 'DOG-FOOD', quantity: 3 }] },
    ];
    expect(purchasesOf(orders, 'DOG-FOOD').map((purchase) => [purchase.orderId, purchase.quantity])).toEqual([
      ['o-1', 1],
      ['o-2', 3],
    ]);
    expect(productLines({ items: [{ sku: 'A', quantity: 1, unitPriceMinor: 1 }, { sku: 'A', name: 'A', quantity: 2, unitPriceMinor: 1 }] })).toEqual([{ sku: 'A', name: 'A', quantity: 3 }]);
  });
});

describe('the reminder', () => {
  const placedAt = new Date(start).toISOString();

  it('goes out lead days before the need', () => {
    expect(reminderSchedule(placedAt, 30, 7, new Date(start))).toEqual({ remindAt: new Date(start + 23 * DAY).toISOString(), needBy: new Date(start + 30 * DAY).toISOString() });
  });

  it('never earlier than half way through a short cycle', () => {
    expect(reminderSchedule(placedAt, 10, 7, new Date(start))!.remindAt).toBe(new Date(start + 5 * DAY).toISOString());
  });

  it('goes out at once when only its own time is past, and not at all when the need is past', () => {
    expect(reminderSchedule(placedAt, 30, 7, new Date(start + 25 * DAY))!.remindAt).toBe(new Date(start + 25 * DAY).toISOString());
    expect(reminderSchedule(placedAt, 30, 7, new Date(start + 31 * DAY))).toBeUndefined();
  });
});
