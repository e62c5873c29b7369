import { describe, expect, it } from 'vitest';
import {
  applyOrder,
  applyRefund,
  orderChange,
  orderHistoryOf,
  placementOf,
  profileView,
  stateCheckoutConsent,
  MAX_ORDER_DAYS,
  MAX_TRACKED_BYTES,
  MAX_TRACKED_VALUES,
  type CustomerProfile,
} from '../../functions/core/profile.ts';
import type { Purchase } from '../../functions/core/purchase.ts';

function order(placedAt: string, overrides: Partial<Purchase> = {}, customer: Partial<Purchase['customer']> = {}): Purchase {
  return {
    orderId: `o-${placedAt}`,
    placedAt,
    currency: 'USD',
    totalMinor: 1000,
    customer: { id: 'c1', ...customer },
    items: [{ sku: 'A', category: 'cat-a', quantity: 1, unitPriceMinor: 1000 }],
    ...overrides,
  };
}

const fold = (orders: Purchase[]) => orders.reduce<CustomerProfile | undefined>((profile, next) => applyOrder(profile, next), undefined)!;

describe('customer aggregates', () => {
  it('starts a profile from the first order', () => {
    const profile = applyOrder(undefined, order('2026-01-01T00:00:00.000Z', {}, { email: 'a@b.c', consent: { email: true } }));
    expect(profileView(profile)).toMatchObject({
      customerId: 'c1',
      orderCount: 1,
      netRevenueMinor: 1000,
      currency: 'USD',
      firstOrderAt: '2026-01-01T00:00:00.000Z',
      lastOrderAt: '2026-01-01T00:00:00.000Z',
      email: 'a@b.c',
      consent: { email: true },
      categories: ['cat-a'],
      skus: ['A'],
    });
  });

  it('is the same whatever order the webhooks arrive in', () => {
    const orders = [
      order('2026-03-01T00:00:00.000Z', { currency: 'EUR', totalMinor: 500, items: [{ sku: 'B', quantity: 1, unitPriceMinor: 500 }] }, { phone: '+15550001', consent: { sms: true } }),
      order('2026-01-01T00:00:00.000Z', { totalMinor: 700 }, { phone: '+15550000', name: 'Old Name', consent: { sms: false, email: true } }),
      order('2026-02-01T00:00:00.000Z', { totalMinor: 300 }, { name: 'New Name' }),
    ];
    const permutations = [
      [0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0],
    ].map((indexes) => fold(indexes.map((index) => orders[index]!)));
    for (const profile of permutations) {
      expect(profileView(profile)).toMatchObject({
        orderCount: 3,
        currency: 'USD',
        netRevenueMinor: 1000,
        revenueByCurrency: { USD: 1000, EUR: 500 },
        firstOrderAt: '2026-01-01T00:00:00.000Z',
        lastOrderAt: '2026-03-01T00:00:00.000Z',
        phone: '+15550001',
        consent: { sms: true, email: true },
      });
      expect([...profile.skus].sort()).toEqual(['A', 'B']);
    }
  });

  it('takes consent per channel from the newest order that states it', () => {
    const profile = fold([
      order('2026-01-03T00:00:00.000Z', {}, {}),
      order('2026-01-01T00:00:00.000Z', {}, { consent: { email: false } }),
      order('2026-01-02T00:00:00.000Z', {}, { consent: { email: true } }),
    ]);
    expect(profile.consent).toEqual({ email: true });
  });

  it('takes refunds off net revenue in the order currency', () => {
    const profile = applyRefund(fold([order('2026-01-01T00:00:00.000Z')]), 'USD', 1000);
    expect(profileView(profile)).toMatchObject({ netRevenueMinor: 0, orderCount: 1, refundedMinorByCurrency: { USD: 1000 } });
  });

  it('keeps the lists of SKUs bounded', () => {
    const items = Array.from({ length: MAX_TRACKED_VALUES + 20 }, (_, index) => ({ sku: `S${index}`, quantity: 1, unitPriceMinor: 1 }));
    const profile = applyOrder(undefined, order('2026-01-01T00:00:00.000Z', { items }));
    expect(profile.skus).toHaveLength(MAX_TRACKED_VALUES);
    expect(profile.skus.at(-1)).toBe(`S${MAX_TRACKED_VALUES + 19}`);
  });

  it('keeps each list within MAX_TRACKED_BYTES of UTF-8, the latest values first, whatever their length', () => {
    // 256 characters of three bytes: 500 of them would be 384 KB, near DynamoDB's 400 KB item.
    const long = (index: number) => `${String(index).padStart(3, '0')}${'€'.repeat(253)}`;
    const items = Array.from({ length: 200 }, (_, index) => ({ sku: long(index), category: long(index), quantity: 1, unitPriceMinor: 1 }));
    const profile = applyOrder(applyOrder(undefined, order('2026-01-01T00:00:00.000Z', { items: items.slice(0, 100) })), order('2026-01-02T00:00:00.000Z', { orderId: 'later', items: items.slice(100) }));
    const perValue = Buffer.byteLength(long(0));
    const fits = Math.floor(MAX_TRACKED_BYTES / perValue);
    for (const list of [profile.skus, profile.categories]) {
      expect(list).toEqual(items.slice(200 - fits).map((item) => item.sku));
      expect(list.reduce((bytes, value) => bytes + Buffer.byteLength(value), 0)).toBeLessThanOrEqual(MAX_TRACKED_BYTES);
    }
    expect(orderHistoryOf([order('2026-01-02T00:00:00.000Z', { orderId: 'later', items: items.slice(100) }), order('2026-01-01T00:00:00.000Z', { items: items.slice(0, 100) })]).skus).toEqual(profile.skus);
  });

  it('keeps orders per day and currency, and the largest order, whatever the arrival order', () => {
    const orders = [
      order('2026-03-01T09:00:00.000Z', { orderId: 'a', totalMinor: 500 }),
      order('2026-03-01T18:30:00.000Z', { orderId: 'b', totalMinor: 700, currency: 'EUR' }),
      order('2026-03-01T20:00:00.000Z', { orderId: 'c', totalMinor: 300 }),
      order('2026-01-15T10:00:00.000Z', { orderId: 'd', totalMinor: 2500 }),
    ];
    const expected = {
      '2026-01-15': { USD: { orders: 1, totalMinor: 2500 } },
      '2026-03-01': { USD: { orders: 2, totalMinor: 800 }, EUR: { orders: 1, totalMinor: 700 } },
    };
    for (const indexes of permutationsOf([0, 1, 2, 3])) {
      const profile = fold(indexes.map((index) => orders[index]!));
      expect(profile.orderDays).toEqual(expected);
      expect(profile.largestOrderMinorByCurrency).toEqual({ USD: 2500, EUR: 700 });
    }
  });

  it('keeps the latest order days only, the same whatever the arrival order', () => {
    const days = Array.from({ length: MAX_ORDER_DAYS + 5 }, (_, index) => new Date(Date.UTC(2024, 0, 1 + index)).toISOString());
    const forwards = fold(days.map((day) => order(day)));
    const backwards = fold([...days].reverse().map((day) => order(day)));
    const shuffled = fold(days.map((day, index) => ({ day, key: (index * 7919) % days.length })).sort((u, v) => u.key - v.key).map(({ day }) => order(day)));
    for (const profile of [forwards, backwards, shuffled]) {
      const kept = Object.keys(profile.orderDays ?? {}).sort();
      expect(kept).toHaveLength(MAX_ORDER_DAYS);
      expect(kept[0]).toBe(days[5]!.slice(0, 10));
      expect(kept.at(-1)).toBe(days.at(-1)!.slice(0, 10));
      expect(profile.orderCount).toBe(MAX_ORDER_DAYS + 5);
      expect(profile.firstOrderAt).toBe(days[0]);
    }
    expect(backwards.orderDays).toEqual(forwards.orderDays);
    expect(shuffled.orderDays).toEqual(forwards.orderDays);
  });

  it('leaves the order days alone on a refund', () => {
    const profile = fold([order('2026-01-01T00:00:00.000Z')]);
    expect(applyRefund(profile, 'USD', 400).orderDays).toEqual(profile.orderDays);
  });

  it('counts the order days, largest orders, categories and SKUs of a history as applyOrder keeps them from orders in time order', () => {
    const orders = [
      order('2026-03-02T09:00:00.000Z', { items: [{ sku: 'B', category: 'cat-b', quantity: 1, unitPriceMinor: 1000 }] }),
      order('2026-01-01T00:00:00.000Z', { totalMinor: 9000 }),
      order('2026-03-02T20:00:00.000Z', { currency: 'EUR', totalMinor: 300, items: [{ sku: 'A', quantity: 1, unitPriceMinor: 300 }, { sku: 'C', category: 'cat-c', quantity: 1, unitPriceMinor: 300 }] }),
    ];
    const inTime = fold([orders[1]!, orders[0]!, orders[2]!]);
    const { orderDays, largestOrderMinorByCurrency, categories, skus } = inTime;
    expect(orderHistoryOf(orders)).toEqual({ orderDays, largestOrderMinorByCurrency, categories, skus });
    expect(orderHistoryOf(orders)).toMatchObject({ categories: ['cat-a', 'cat-b', 'cat-c'], skus: ['A', 'B', 'C'] });
  });

  it('recounts the latest categories and SKUs by the time their orders were placed, whatever order they are given in', () => {
    const orders = Array.from({ length: MAX_TRACKED_VALUES + 5 }, (_, index) =>
      order(new Date(Date.UTC(2025, 0, 1 + index)).toISOString(), { items: [{ sku: `S${index}`, category: `cat-${index}`, quantity: 1, unitPriceMinor: 100 }] }),
    );
    const expected = { skus: orders.slice(5).map((placed) => placed.items[0]!.sku), categories: orders.slice(5).map((placed) => placed.items[0]!.category) };
    for (const given of [orders, [...orders].reverse(), orders.map((placed, index) => ({ placed, key: (index * 7919) % orders.length })).sort((u, v) => u.key - v.key).map(({ placed }) => placed)]) {
      expect(orderHistoryOf(given)).toMatchObject(expected);
    }
  });

  it('places an order among a profile\'s orders: newest, older than the newest, or older than the first', () => {
    const profile = fold([order('2026-01-01T00:00:00.000Z'), order('2026-03-01T00:00:00.000Z')]);
    expect(placementOf(profile, { placedAt: '2026-03-01T00:00:00.000Z' })).toBe('newest');
    expect(placementOf(profile, { placedAt: '2026-02-01T00:00:00.000Z' })).toBe('older');
    expect(placementOf(profile, { placedAt: '2026-01-01T00:00:00.000Z' })).toBe('older');
    expect(placementOf(profile, { placedAt: '2025-12-31T00:00:00.000Z' })).toBe('earliest');
  });

  it("states a newest order's change so that, where there is no profile yet, it starts the profile applyOrder starts", () => {
    const first = order(
      '2026-03-01T00:00:00.000Z',
      {
        items: [
          { sku: 'A', category: 'cat-a', quantity: 1, unitPriceMinor: 400 },
          { sku: 'B', category: 'cat-a', quantity: 2, unitPriceMinor: 300 },
          { sku: 'A', quantity: 1, unitPriceMinor: 400 },
        ],
        totalMinor: 1400,
      },
      { email: 'ada@example.com', name: 'Ada', consent: { email: true, sms: false } },
    );
    const change = orderChange(first, 'newest');
    const started = applyOrder(undefined, first);

    const { customerId, email, name, contactAsOf, lastOrderAt, firstOrderAt, currency, categories, skus, consent, consentAsOf } = started;
    expect({ customerId: change.customerId, ...change.set, ...change.fill }).toEqual({ customerId, email, name, contactAsOf, lastOrderAt, firstOrderAt, currency, categories, skus });
    expect(stateCheckoutConsent({ consent: {}, consentAsOf: {} }, change.consent, change.requires.at)).toEqual({ consent, consentAsOf });
    expect(change.add).toEqual({ currency: 'USD', totalMinor: 1400 });
    expect(started).toMatchObject({ orderCount: 1, revenueByCurrency: { USD: 1400 }, refundedMinorByCurrency: {} });
  });

  it("leaves a returning customer's first order, currency and lists to her profile in a newest order's change (only a missing profile takes them)", () => {
    const later = order('2026-04-01T00:00:00.000Z', { currency: 'EUR' });
    const profile = fold([order('2026-03-01T00:00:00.000Z')]);
    const change = orderChange(later, 'newest');
    // What applyOrder gives, where the change's `requires` hold (she bought the products before).
    expect(applyOrder(profile, later)).toMatchObject({ firstOrderAt: profile.firstOrderAt, currency: 'USD', categories: change.fill.categories, skus: change.fill.skus });
    // Nothing is required of her lists: the recount after the write (orderHistoryOf) keeps them.
    expect(change.requires).toEqual({ placement: 'newest', at: later.placedAt, consentWins: [], consentLoses: [] });
  });
});

function permutationsOf(values: number[]): number[][] {
  if (values.length <= 1) return [values];
  return values.flatMap((value, index) => permutationsOf([...values.slice(0, index), ...values.slice(index + 1)]).map((rest) => [value, ...rest]));
}
