import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../functions/core/errors.ts';
import { fingerprint, parsePurchase, parseRefund } from '../../functions/core/purchase.ts';

const wire = {
  orderId: 42,
  placedAt: '2026-03-01T10:00:00+02:00',
  currency: 'EUR',
  total: '12.50',
  customer: { id: 'c-1', email: 'Ada@Example.COM', timezone: 'Europe/Kyiv', locale: 'uk-UA', consent: { email: true, sms: false } },
  items: [{ sku: 'A', quantity: 2, unitPrice: 6.25 }],
  promoCode: 'SPRING',
};

describe('parsePurchase', () => {
  it('normalises ids, dates, emails and money', () => {
    expect(parsePurchase(wire)).toEqual({
      orderId: '42',
      placedAt: '2026-03-01T08:00:00.000Z',
      currency: 'EUR',
      totalMinor: 1250,
      customer: { id: 'c-1', email: 'ada@example.com', locale: 'uk-UA', timezone: 'Europe/Kyiv', consent: { email: true, sms: false } },
      items: [{ sku: 'A', quantity: 2, unitPriceMinor: 625 }],
      promoCode: 'SPRING',
    });
  });

  it('reports every failing field at once', () => {
    const bad = { ...wire, currency: 'eur', items: [{ sku: '', quantity: -1, unitPrice: '1' }], customer: { id: '' } };
    try {
      parsePurchase(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      const paths = (error as InvalidInputError).issues.map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['currency', 'items.0.sku', 'items.0.quantity', 'customer.id']));
    }
  });

  it('refuses an unknown time zone or language tag however many known ones came before', () => {
    for (let round = 0; round < 3; round += 1) expect(parsePurchase(wire).customer).toMatchObject({ timezone: 'Europe/Kyiv', locale: 'uk-UA' });
    for (const customer of [{ ...wire.customer, timezone: 'Europe/Atlantis' }, { ...wire.customer, locale: 'not a tag' }]) {
      for (let round = 0; round < 2; round += 1) {
        try {
          parsePurchase({ ...wire, customer });
          expect.unreachable();
        } catch (error) {
          expect((error as InvalidInputError).issues.map((issue) => issue.path)).toEqual([customer.timezone === 'Europe/Atlantis' ? 'customer.timezone' : 'customer.locale']);
        }
      }
    }
    expect(parsePurchase({ ...wire, customer: { ...wire.customer, timezone: 'europe/kyiv' } }).customer.timezone).toBe('europe/kyiv');
  });

  it('gives the same fingerprint whatever the key order of the delivery', () => {
    const reordered = { items: wire.items, customer: { consent: wire.customer.consent, timezone: wire.customer.timezone, locale: wire.customer.locale, email: wire.customer.email, id: wire.customer.id }, total: wire.total, currency: wire.currency, placedAt: wire.placedAt, orderId: wire.orderId, promoCode: 'SPRING' };
    expect(fingerprint(parsePurchase(reordered))).toBe(fingerprint(parsePurchase(wire)));
    expect(fingerprint(parsePurchase({ ...wire, total: '12.51' }))).not.toBe(fingerprint(parsePurchase(wire)));
  });
});

describe('parseRefund', () => {
  it('converts the amount in the order currency', () => {
    expect(parseRefund({ amount: '3', refundId: 7, reason: 'late' }, 'JPY')).toEqual({ amountMinor: 3, refundId: '7', reason: 'late' });
  });

  it('refuses non-positive and malformed amounts', () => {
    expect(() => parseRefund({ amount: '0.00' }, 'USD')).toThrow(/must be positive/);
    expect(() => parseRefund({ amount: 'ten' }, 'USD')).toThrow(/amount is invalid/);
    expect(() => parseRefund({}, 'USD')).toThrow(/does not match the schema/);
  });
});
