/** Cross-sell and upsell rules, learned co-purchases, price bands, and what each post-purchase step offers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerBand, DEFAULT_OFFER_LIMIT, MIN_CO_PURCHASE_SUPPORT, productBand, stepOffers, triggeredCrossSells, type CoPurchaseLookup, type OfferCustomer } from '../../../functions/core/catalog/offers.ts';
import { customer, testCatalog } from './fixtures.ts';

const catalog = testCatalog();
const none: CoPurchaseLookup = new Map();
const skus = (offers: { sku: string }[]) => offers.map((offer) => offer.sku);

/** A customer whose one order holds these products (categories from the rules file), mid band, paying in USD. */
function buyer(products: readonly string[], overrides: Partial<OfferCustomer> = {}): OfferCustomer {
  return {
    orders: [{ items: products.map((sku) => ({ sku })) }],
    boughtSkus: [],
    boughtCategories: products.flatMap((sku) => catalog.products.get(sku)?.category ?? []),
    band: 'mid',
    currency: 'USD',
    ...overrides,
  };
}

describe('cross-sell rules', () => {
  it('trigger on a product or a category, once per rule and product', () => {
    const found = triggeredCrossSells(catalog, [{ sku: 'PRINTER' }, { sku: 'LAPTOP' }, { sku: 'GAMING-LAPTOP', category: 'laptops' }, { sku: 'PRINTER' }]);
    expect(found.map(({ rule, sku }) => `${rule.id}:${sku}`)).toEqual(['printer-ink:PRINTER', 'laptop-kit:LAPTOP', 'laptop-kit:GAMING-LAPTOP']);
  });
});

describe('the complement step', () => {
  it('offers the rules whose wait ends by the step, with name, link and price in the file order', () => {
    const offers = stepOffers(catalog, none, buyer(['LAPTOP', 'PRINTER']), 'complement', { ruleWaitDays: 7 });
    expect(offers).toEqual([
      { sku: 'MOUSE', name: 'Mouse', url: 'https://shop.test/p/MOUSE', priceMinor: 2900, source: 'cross-sell', because: 'LAPTOP', ruleId: 'laptop-kit' },
      { sku: 'BAG', name: 'Laptop bag', url: 'https://shop.test/p/BAG', priceMinor: 5900, source: 'cross-sell', because: 'LAPTOP', ruleId: 'laptop-kit' },
    ]);
    // The printer's ink waits 60 days: its own scheduled message, not this step.
    expect(skus(stepOffers(catalog, none, buyer(['PRINTER']), 'complement', { ruleWaitDays: 7 }))).toEqual([]);
    expect(skus(stepOffers(catalog, none, buyer(['PRINTER']), 'complement', { ruleWaitDays: 60 }))).toEqual(['INK-BLACK', 'INK-COLOUR']);
  });

  it('leaves out what the customer bought, in any order, and a bought category where the rule says so', () => {
    expect(skus(stepOffers(catalog, none, buyer(['LAPTOP'], { boughtSkus: ['MOUSE'] }), 'complement'))).toEqual(['BAG']);
    const strict = testCatalog({ crossSell: [{ id: 'laptop-kit', when: { category: 'laptops' }, offer: ['MOUSE', 'BAG', 'INK-BLACK'], afterDays: 3, skipBoughtCategories: true }] });
    expect(skus(stepOffers(strict, none, buyer(['LAPTOP'], { boughtCategories: ['accessories'] }), 'complement'))).toEqual(['INK-BLACK']);
    expect(skus(stepOffers(catalog, none, buyer(['LAPTOP'], { boughtCategories: ['accessories'] }), 'complement'))).toEqual(['MOUSE', 'BAG']);
  });

  it('shows a price only in the currency the rules carry it in', () => {
    const [offer] = stepOffers(catalog, none, buyer(['LAPTOP'], { currency: 'UAH' }), 'complement');
    expect(offer).toMatchObject({ sku: 'MOUSE', priceMinor: null });
  });

  it('offers nothing for products no rule or learned count speaks for', () => {
    expect(stepOffers(catalog, none, buyer(['SNACK', 'UNLISTED']), 'complement')).toEqual([]);
  });
});

describe('learned co-purchases', () => {
  const coPurchases: CoPurchaseLookup = new Map([
    ['DOG-FOOD', [{ sku: 'SNACK', count: 40 }, { sku: 'FILTER', count: 30 }, { sku: 'OLD-MODEL', count: 25 }, { sku: 'UNLISTED', count: 20 }, { sku: 'CAT-FOOD', count: 19 }]],
    ['FILTER', [{ sku: 'PLAN-BASIC', count: 15 }, { sku: 'MOUSE', count: MIN_CO_PURCHASE_SUPPORT - 1 }]],
    ['LAPTOP', [{ sku: 'INK-BLACK', count: MIN_CO_PURCHASE_SUPPORT }]],
  ]);

  it('come after the rules, by counts summed over her products, only with enough support and never of a category she has', () => {
    expect(MIN_CO_PURCHASE_SUPPORT).toBe(3);
    const offers = stepOffers(catalog, coPurchases, buyer(['LAPTOP', 'DOG-FOOD', 'FILTER']), 'complement', { limit: 5 });
    expect(offers.map((offer) => [offer.sku, offer.source, offer.because])).toEqual([
      ['MOUSE', 'cross-sell', 'LAPTOP'],
      ['BAG', 'cross-sell', 'LAPTOP'],
      // SNACK 40: deli; FILTER bought; OLD-MODEL no longer offered; UNLISTED has no name or link; CAT-FOOD is pet food like hers.
      ['SNACK', 'co-purchase', 'DOG-FOOD'],
      ['PLAN-BASIC', 'co-purchase', 'FILTER'],
      ['INK-BLACK', 'co-purchase', 'LAPTOP'],
    ]);
  });

  it('stop at the limit (3 unless told), rules first', () => {
    expect(DEFAULT_OFFER_LIMIT).toBe(3);
    expect(stepOffers(catalog, coPurchases, buyer(['LAPTOP', 'DOG-FOOD', 'FILTER']), 'complement')).toHaveLength(DEFAULT_OFFER_LIMIT);
    expect(stepOffers(catalog, coPurchases, buyer(['LAPTOP', 'DOG-FOOD']), 'complement', { limit: 3 }).map((offer) => offer.source)).toEqual(['cross-sell', 'cross-sell', 'co-purchase']);
  });
});

describe('the upsell steps', () => {
  it('offer the next plan to a customer on the lower one, until she has it', () => {
    expect(stepOffers(catalog, none, buyer(['PLAN-BASIC']), 'upsell')).toEqual([
      { sku: 'PLAN-PRO', name: 'Pro plan', url: 'https://shop.test/p/PLAN-PRO', priceMinor: 2900, source: 'upsell', because: 'PLAN-BASIC', ruleId: 'basic-to-pro' },
    ]);
    expect(stepOffers(catalog, none, buyer(['PLAN-BASIC'], { boughtSkus: ['PLAN-PRO'] }), 'upsell')).toEqual([]);
  });

  it('offer no complements, rule or learned', () => {
    const coPurchases: CoPurchaseLookup = new Map([['LAPTOP', [{ sku: 'SNACK', count: 50 }]]]);
    expect(stepOffers(catalog, coPurchases, buyer(['LAPTOP']), 'upsell')).toEqual([]);
  });
});

describe('any customer, any rules and counts', () => {
  const sku = fc.constantFrom(...catalog.products.keys(), 'UNLISTED-1', 'UNLISTED-2');
  const order = fc.record({ items: fc.array(fc.record({ sku, category: fc.option(fc.constantFrom('laptops', 'deli', 'pet-food'), { nil: undefined }) }), { maxLength: 4 }) });
  const lookup = fc
    .array(fc.tuple(sku, fc.uniqueArray(fc.record({ sku, count: fc.integer({ min: 0, max: 60 }) }), { selector: (neighbour) => neighbour.sku, maxLength: 6 })), { maxLength: 8 })
    .map((entries): CoPurchaseLookup => new Map(entries));
  const shopper = fc.record({
    orders: fc.array(order, { maxLength: 4 }),
    boughtSkus: fc.array(sku, { maxLength: 4 }),
    boughtCategories: fc.array(fc.constantFrom('accessories', 'ink', 'deli', 'plans'), { maxLength: 2 }),
    band: fc.constantFrom('entry' as const, 'mid' as const, 'premium' as const),
    currency: fc.constantFrom('USD', 'EUR'),
  });
  const purpose = fc.constantFrom('complement' as const, 'upsell' as const);
  const wait = fc.constantFrom(0, 7, 60, 365);

  it('never offer what was bought, twice the same product, or more than the limit', () => {
    fc.assert(
      fc.property(shopper, lookup, purpose, wait, fc.integer({ min: 1, max: 5 }), (who, coPurchases, why, ruleWaitDays, limit) => {
        const offers = stepOffers(catalog, coPurchases, who, why, { ruleWaitDays, limit });
        const bought = new Set([...who.boughtSkus, ...who.orders.flatMap((each) => each.items.map((item) => item.sku))]);
        expect(offers.filter((offer) => bought.has(offer.sku))).toEqual([]);
        expect(new Set(skus(offers)).size).toBe(offers.length);
        expect(offers.length).toBeLessThanOrEqual(limit);
        for (const offer of offers) expect(catalog.products.get(offer.sku)?.offered).toBe(true);
      }),
    );
  });

  it('give the same offers in the same order for the same inputs, however the lookup was built', () => {
    fc.assert(
      fc.property(shopper, lookup, purpose, wait, (who, coPurchases, why, ruleWaitDays) => {
        const rebuilt: CoPurchaseLookup = new Map([...coPurchases].reverse());
        expect(stepOffers(catalog, rebuilt, who, why, { ruleWaitDays })).toEqual(stepOffers(catalog, coPurchases, who, why, { ruleWaitDays }));
      }),
    );
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
    const coPurchases: CoPurchaseLookup = new Map([['FILTER', [{ sku: 'CAVIAR', count: 50 }, { sku: 'BAG', count: 20 }, { sku: 'DOG-FOOD', count: 5 }]]]);
    const bought = buyer(['FILTER']);
    expect(skus(stepOffers(catalog, coPurchases, { ...bought, band: 'entry' }, 'complement'))).toEqual(['DOG-FOOD']);
    expect(skus(stepOffers(catalog, coPurchases, { ...bought, band: 'mid' }, 'complement'))).toEqual(['BAG', 'DOG-FOOD']);
    expect(skus(stepOffers(catalog, coPurchases, { ...bought, band: 'premium' }, 'complement'))).toEqual(['CAVIAR', 'BAG', 'DOG-FOOD']);
  });
});
