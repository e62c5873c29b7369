/** The rules file: defaults, money and percentages as integers, and one clear line per bad entry. */
import { describe, expect, it } from 'vitest';
import { defaultCatalogFile, loadCatalogFile } from '../../../functions/adapters/catalog-file.ts';
import { CatalogError, fillUrl, parseCatalog } from '../../../functions/core/catalog/rules.ts';
import { rulesFile, testCatalog } from './fixtures.ts';

function problemsOf(input: unknown): string[] {
  try {
    parseCatalog(input, 'rules.json');
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).not.toContain('\n');
    return (error as CatalogError).problems;
  }
  throw new Error('the file was accepted');
}

describe('the rules file', () => {
  it('ships a valid default file', () => {
    const catalog = loadCatalogFile(defaultCatalogFile);
    expect(catalog.loyalty.tiers.map((tier) => [tier.name, tier.cashbackBp])).toEqual([
      ['bronze', 300],
      ['silver', 500],
      ['gold', 700],
    ]);
    expect(catalog.loyalty.tiers[1]!.benefits).toContain('free delivery');
    expect(catalog.loyalty.tiers[2]!.benefits).toEqual(expect.arrayContaining(['priority support', 'exclusive offers']));
  });

  it('fills the program from the defaults when the file only names the shop', () => {
    const catalog = parseCatalog({ currency: 'EUR', productUrl: 'https://shop.test/{sku}', reorderUrl: 'https://shop.test/cart?add={sku}' });
    expect(catalog.loyalty).toMatchObject({ currency: 'EUR', basis: 'spend', windowDays: 365, maxRedeemBp: 5000, bonuses: { feedback: 100, referral: 500 } });
    expect(catalog.loyalty.tiers.map((tier) => tier.minSpendMinor)).toEqual([0, 50_000, 150_000]);
    expect(catalog.replenishment).toEqual({ leadDays: 7, minLearnedIntervals: 2, maxCycleDays: 730 });
    expect(catalog.products.size).toBe(0);
  });

  it('keeps money as integer minor units of the file currency and percentages as basis points', () => {
    const catalog = parseCatalog(
      rulesFile({ currency: 'JPY', priceBands: { mid: '4000', premium: '15000' }, products: [{ sku: 'TEA', name: 'Tea', price: '1200' }], crossSell: [], upsell: [], loyalty: { tiers: [{ name: 'base', cashbackPercent: 2.5 }] } }),
    );
    expect(catalog.products.get('TEA')!.priceMinor).toBe(1200);
    expect(catalog.loyalty.tiers[0]!.cashbackBp).toBe(250);
  });

  it('fills product and reorder links', () => {
    const catalog = testCatalog();
    expect(catalog.products.get('DOG-FOOD')!.url).toBe('https://shop.test/p/DOG-FOOD');
    expect(fillUrl(catalog.products.get('DOG-FOOD')!.reorderUrl, 'DOG FOOD/1', 2)).toBe('https://shop.test/cart/add?sku=DOG%20FOOD%2F1&qty=2');
  });

  it.each([
    ['a bad cycle', { products: [{ sku: 'A', name: 'A' }, { sku: 'INK', name: 'Ink', cycleDays: 0 }] }, 'products[1] (sku "INK").cycleDays: Too small'],
    ['a typo in a key', { products: [{ sku: 'INK', name: 'Ink', cycledays: 30 }] }, 'products[0] (sku "INK"): Unrecognized key: "cycledays"'],
    ['too many decimals', { products: [{ sku: 'INK', name: 'Ink', price: '1.999' }] }, 'products[0] (sku "INK").price: "1.999" has more decimals than USD allows (2)'],
    ['a duplicate product', { products: [{ sku: 'INK', name: 'Ink' }, { sku: 'INK', name: 'Ink again' }] }, 'products[1] (sku "INK"): the sku is listed twice'],
    ['an unknown offer', { crossSell: [{ id: 'printer-ink', when: { sku: 'PRINTER' }, offer: ['NOPE'], afterDays: 60 }] }, 'crossSell[0] ("printer-ink"): offers "NOPE", which is not in products'],
    ['a bad trigger', { upsell: [{ id: 'up', when: { plan: 'BASIC' }, offer: ['PLAN-PRO'] }] }, 'upsell[0] ("up").when'],
    ['a category without a name', { categories: [{ cycleDays: 30 }] }, 'categories[0].name'],
  ])('names the entry with %s', (_label, overrides, expected) => {
    const problems = problemsOf(rulesFile(overrides as never));
    expect(problems.some((problem) => problem.startsWith(expected)), problems.join('\n')).toBe(true);
  });

  it('refuses tiers that do not climb, or a first tier that asks for something', () => {
    const problems = problemsOf(
      rulesFile({
        loyalty: {
          tiers: [
            { name: 'bronze', cashbackPercent: 3, minSpend: '10.00' },
            { name: 'silver', cashbackPercent: 5, minSpend: '500.00' },
            { name: 'gold', cashbackPercent: 7, minSpend: '400.00' },
          ],
        },
      }),
    );
    expect(problems).toEqual([
      'loyalty.tiers[0] ("bronze"): the first tier is everyone\'s, so its minSpend and minOrders must be 0',
      'loyalty.tiers[2] ("gold"): minSpend must be above the previous tier\'s',
    ]);
  });

  it('says which file is wrong when it is not JSON or not there', () => {
    expect(() => loadCatalogFile('/nonexistent/rules.json')).toThrow(/invalid rules file \/nonexistent\/rules\.json: cannot be read/);
  });
});
