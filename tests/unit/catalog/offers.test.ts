/** Cross-sell and upsell rules, co-purchases where no rule speaks, price bands, and offer picking. */
import { describe, expect, it } from 'vitest';
import { customerBand, pickOffers, productBand, triggeredCrossSells, type CoPurchaseLookup } from '../../../functions/core/catalog/offers.ts';
import { customer, testCatalog } from './fixtures.ts';

const catalog = testCatalog();
const DAY = 86_400_000;
const lastOrder = '2026-03-01T10:00:00.000Z';
const after = (days: number) => new Date(Date.parse(lastOrder) + days * DAY);
const none: CoPurchaseLookup = new Map();
const skus = (offers: { sku: string }[]) => offers.map((offer) => offer.sku);

describe('cross-sell rules', () => {
  it('trigger on a product or a category, once per rule and product', () => {
    const found = triggeredCrossSells(catalog, [{ sku: 'PRINTER' }, { sku: 'LAPTOP' }, { sku: 'GAMING-LAPTOP', category: 'laptops' }, { sku: 'PRINTER' }]);
    expect(found.map(({ rule, sku }) => `${rule.id}:${sku}`)).toEqual(['printer-ink:PRINTER', 'laptop-kit:LAPTOP', 'laptop-kit:GAMING-LAPTOP']);
  });

  it('offer after their wait, counted from the purchase when known, else from the last order', () => {
    const profile = customer({ skus: ['PRINTER'] });
    expect(pickOffers(profile, catalog, none, after(59))).toEqual([]);
    expect(skus(pickOffers(profile, catalog, none, after(60)))).toEqual(['INK-BLACK', 'INK-COLOUR']);
    expect(skus(pickOffers(profile, catalog, none, after(10), { boughtAt: { PRINTER: '2025-12-01T00:00:00.000Z' } }))).toEqual(['INK-BLACK', 'INK-COLOUR']);
  });

  it('never offer what the customer already has', () => {
    const offers = pickOffers(customer({ skus: ['PRINTER', 'INK-BLACK', 'LAPTOP', 'MOUSE'] }), catalog, none, after(90));
    expect(offers.map((offer) => [offer.sku, offer.source, offer.because, offer.ruleId])).toEqual([
      ['INK-COLOUR', 'cross-sell', 'PRINTER', 'printer-ink'],
      ['BAG', 'cross-sell', 'LAPTOP', 'laptop-kit'],
    ]);
  });
});

describe('upsell rules', () => {
  it('offer the next plan to a customer on the lower one, until she has it', () => {
    const offers = pickOffers(customer({ skus: ['PLAN-BASIC'] }), catalog, none, after(1));
    expect(offers).toEqual([
      { sku: 'PLAN-PRO', name: 'Pro plan', priceMinor: 2900, currency: 'USD', url: 'https://shop.test/p/PLAN-PRO', band: 'entry', source: 'upsell', because: 'PLAN-BASIC', ruleId: 'basic-to-pro' },
    ]);
    expect(pickOffers(customer({ skus: ['PLAN-BASIC', 'PLAN-PRO'] }), catalog, none, after(1))).toEqual([]);
  });
});

describe('co-purchases', () => {
  const coPurchases: CoPurchaseLookup = new Map([
    ['DOG-FOOD', [{ sku: 'SNACK', count: 40 }, { sku: 'CAT-FOOD', count: 30 }, { sku: 'OLD-MODEL', count: 25 }, { sku: 'UNLISTED', count: 20 }]],
    ['FILTER', [{ sku: 'CAT-FOOD', count: 15 }, { sku: 'MOUSE', count: 12 }]],
    ['PRINTER', [{ sku: 'MOUSE', count: 99 }]],
  ]);

  it('fill in where no rule exists, by counts summed over the customer products', () => {
    const offers = pickOffers(customer({ skus: ['DOG-FOOD', 'FILTER'] }), catalog, coPurchases, after(1), { limit: 5 });
    expect(offers.map((offer) => [offer.sku, offer.source, offer.because])).toEqual([
      ['CAT-FOOD', 'co-purchase', 'FILTER'],
      ['SNACK', 'co-purchase', 'DOG-FOOD'],
      ['MOUSE', 'co-purchase', 'FILTER'],
    ]);
  });

  it('leave alone products a rule covers, even while the rule still waits', () => {
    expect(pickOffers(customer({ skus: ['PRINTER'] }), catalog, coPurchases, after(1))).toEqual([]);
  });

  it('stop at the limit, rules first', () => {
    const offers = pickOffers(customer({ skus: ['PLAN-BASIC', 'DOG-FOOD'] }), catalog, coPurchases, after(1), { limit: 2 });
    expect(offers.map((offer) => offer.source)).toEqual(['upsell', 'co-purchase']);
  });
});

describe('price bands', () => {
  it('come from the declared band or the price', () => {
    expect(productBand(catalog, catalog.products.get('SNACK')!)).toBe('entry');
    expect(productBand(catalog, catalog.products.get('BAG')!)).toBe('mid');
    expect(productBand(catalog, catalog.products.get('CAVIAR')!)).toBe('premium');
    expect(productBand(testCatalog({ products: [{ sku: 'X', name: 'X', price: '1.00', band: 'premium' }], crossSell: [], upsell: [] }), { sku: 'X', name: 'X', priceMinor: 100, band: 'premium', url: '', reorderUrl: '', offered: true })).toBe('premium');
  });

  it('follow the customer average order, net revenue or VIP segment', () => {
    expect(customerBand(catalog, customer({ revenueByCurrency: { USD: 6_000 }, orderCount: 2 }))).toBe('entry');
    expect(customerBand(catalog, customer({ revenueByCurrency: { USD: 12_000 }, orderCount: 2 }))).toBe('mid');
    expect(customerBand(catalog, customer({ revenueByCurrency: { USD: 40_000 }, orderCount: 2 }))).toBe('premium');
    expect(customerBand(catalog, customer({ revenueByCurrency: { USD: 200_000 }, orderCount: 100 }))).toBe('premium');
    expect(customerBand(catalog, customer({ revenueByCurrency: { USD: 1_000 }, orderCount: 1 }), ['vip'])).toBe('premium');
    expect(customerBand(catalog, customer({ revenueByCurrency: { EUR: 1_000 } }))).toBe('mid');
  });

  it('keep premium products for premium customers, and the mid range for mid and up', () => {
    const coPurchases: CoPurchaseLookup = new Map([['SNACK', [{ sku: 'CAVIAR', count: 50 }, { sku: 'BAG', count: 20 }, { sku: 'DOG-FOOD', count: 5 }]]]);
    const entry = customer({ skus: ['SNACK'], revenueByCurrency: { USD: 600 }, orderCount: 2 });
    expect(skus(pickOffers(entry, catalog, coPurchases, after(1)))).toEqual(['DOG-FOOD']);
    expect(skus(pickOffers({ ...entry, revenueByCurrency: { USD: 9_000 } }, catalog, coPurchases, after(1)))).toEqual(['BAG', 'DOG-FOOD']);
    expect(skus(pickOffers(entry, catalog, coPurchases, after(1), { segments: ['vip'] }))).toEqual(['CAVIAR', 'BAG', 'DOG-FOOD']);
  });
});
