/** A small rules file for the catalog and loyalty unit tests, and a customer profile to go with it. */
import { parseCatalog, type Catalog, type CatalogFile } from '../../../functions/core/catalog/rules.ts';
import type { CustomerProfile } from '../../../functions/core/profile.ts';

export function rulesFile(overrides: Partial<CatalogFile> = {}): CatalogFile {
  return {
    currency: 'USD',
    productUrl: 'https://shop.test/p/{sku}',
    reorderUrl: 'https://shop.test/cart/add?sku={sku}&qty={quantity}',
    priceBands: { mid: '40.00', premium: '150.00', vipNetRevenue: '2000.00' },
    categories: [
      { name: 'pet-food', cycleDays: 30 },
      { name: 'water-filters', cycleDays: 90 },
      { name: 'licences', cycleDays: 365 },
    ],
    products: [
      { sku: 'DOG-FOOD', name: 'Dog food 5 kg', category: 'pet-food', price: '39.99' },
      { sku: 'CAT-FOOD', name: 'Cat food 2 kg', category: 'pet-food', price: '19.99', cycleDays: 21 },
      { sku: 'FILTER', name: 'Water filter', category: 'water-filters', price: '24.90' },
      { sku: 'PRINTER', name: 'Printer', category: 'printers', price: '189.00' },
      { sku: 'INK-BLACK', name: 'Black ink', category: 'ink', price: '24.00' },
      { sku: 'INK-COLOUR', name: 'Colour ink', category: 'ink', price: '32.00' },
      { sku: 'LAPTOP', name: 'Laptop', category: 'laptops', price: '899.00' },
      { sku: 'MOUSE', name: 'Mouse', category: 'accessories', price: '29.00' },
      { sku: 'BAG', name: 'Laptop bag', category: 'accessories', price: '59.00' },
      { sku: 'PLAN-BASIC', name: 'Basic plan', category: 'plans', price: '9.00' },
      { sku: 'PLAN-PRO', name: 'Pro plan', category: 'plans', price: '29.00' },
      { sku: 'CAVIAR', name: 'Caviar', category: 'deli', price: '250.00' },
      { sku: 'SNACK', name: 'Snack', category: 'deli', price: '3.00' },
      { sku: 'OLD-MODEL', name: 'Old model', category: 'deli', price: '5.00', offered: false },
    ],
    crossSell: [
      { id: 'printer-ink', when: { sku: 'PRINTER' }, offer: ['INK-BLACK', 'INK-COLOUR'], afterDays: 60 },
      { id: 'laptop-kit', when: { category: 'laptops' }, offer: ['MOUSE', 'BAG'], afterDays: 3 },
    ],
    upsell: [{ id: 'basic-to-pro', when: { sku: 'PLAN-BASIC' }, offer: ['PLAN-PRO'] }],
    ...overrides,
  };
}

export function testCatalog(overrides: Partial<CatalogFile> = {}): Catalog {
  return parseCatalog(rulesFile(overrides), 'test-rules.json');
}

export function customer(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    customerId: 'cust-1',
    email: 'ada@example.com',
    name: 'Ada',
    timezone: 'UTC',
    consent: { email: true },
    consentAsOf: { email: '2026-01-01T10:00:00.000Z' },
    contactAsOf: '2026-01-01T10:00:00.000Z',
    orderCount: 2,
    revenueByCurrency: { USD: 12_000 },
    currency: 'USD',
    firstOrderAt: '2026-01-01T10:00:00.000Z',
    lastOrderAt: '2026-03-01T10:00:00.000Z',
    categories: [],
    skus: [],
    refundedMinorByCurrency: {},
    ...overrides,
  };
}
