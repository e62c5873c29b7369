import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { isWooCommercePing, wooCommerceOrderToPurchase } from '../../../functions/core/platforms/woocommerce.ts';
import { parsePurchase, type Purchase } from '../../../functions/core/purchase.ts';
import { parseLosslessJson } from '../../../functions/handlers/http.ts';

type Json = Record<string, unknown>;

function fixtureText(name: string): string {
  return readFileSync(new URL(`../../fixtures/woocommerce/${name}`, import.meta.url), 'utf8');
}

/** The fixture as the webhook handler sees it: parsed losslessly. */
function fixture(name: string): Json {
  return parseLosslessJson(fixtureText(name)) as Json;
}

const guest = (): Json => fixture('order-created-guest.json');
const registered = (): Json => fixture('order-created-customer.json');
const lineItemsOf = (order: Json): Json[] => order.line_items as Json[];

function record(payload: unknown): Purchase {
  return parsePurchase(wooCommerceOrderToPurchase(payload));
}

function rejection(payload: unknown): InvalidInputError {
  try {
    wooCommerceOrderToPurchase(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('the payload was accepted');
}

describe('wooCommerceOrderToPurchase', () => {
  it('maps the REST v3 order example (a guest checkout) to a purchase', () => {
    expect(record(guest())).toEqual({
      orderId: '727',
      // date_created_gmt is UTC without an offset; date_created (16:28:02) is the store's local time.
      placedAt: '2017-03-22T19:28:02.000Z',
      currency: 'USD',
      totalMinor: 2935,
      // customer_id 0: identified by the lower-cased billing email; "(555) 555-5555" read in the billing country (US).
      customer: { id: 'john.doe@example.com', email: 'john.doe@example.com', phone: '+15555555555', name: 'John Doe' },
      items: [
        { sku: 'product:93', name: 'Woo Single #1', quantity: 2, unitPriceMinor: 300 },
        { sku: 'Bar3', name: 'Ship Your Idea \u2013 Color: Black, Size: M Test', quantity: 1, unitPriceMinor: 1200 },
      ],
      orderName: '#727',
      channel: 'rest-api',
    });
  });

  it('keeps 64-bit ids exact, and prices a fractional unit price from the subtotal', () => {
    const text = fixtureText('order-created-customer.json');
    expect(Number.isSafeInteger(Number('9007199254740993'))).toBe(false);
    expect(String((JSON.parse(text) as Json).customer_id)).not.toBe('9007199254740993');

    expect(record(parseLosslessJson(text))).toEqual({
      orderId: '12345678901234567890',
      placedAt: '2025-06-01T08:04:05.000Z',
      currency: 'EUR',
      totalMinor: 4490,
      customer: { id: '9007199254740993', email: 'anna.mueller@example.de', phone: '+49301234567', name: 'Anna Müller' },
      items: [
        // price 8.333333333333334 has more decimals than EUR: 25.00 / 3 rounded to the cent.
        { sku: 'product:501', name: 'Bohnen & Filter \u2013 Starter Set', quantity: 3, unitPriceMinor: 833 },
        { sku: 'variant:18014398509481985', name: 'Tasse - Blau', quantity: 1, unitPriceMinor: 2000 },
      ],
      orderName: '#12345678901234567890',
      channel: 'checkout',
      promoCode: 'sommer5',
    });
  });

  it('refuses ids that already went through a double', () => {
    const error = rejection(JSON.parse(fixtureText('order-created-customer.json')));
    expect(error.issues.map((issue) => issue.path)).toEqual(['id', 'customer_id', 'line_items.1.variation_id']);
    expect(error.issues[0]?.message).toMatch(/above 2\^53 and has lost digits/);
  });

  it('treats a missing customer_id as a guest and refuses a guest without an email', () => {
    const { customer_id: _customerId, ...withoutCustomer } = registered();
    expect(record(withoutCustomer).customer.id).toBe('anna.mueller@example.de');

    const error = rejection({ ...guest(), billing: { ...(guest().billing as Json), email: '' } });
    expect(error.message).toBe('the WooCommerce order has neither a customer id nor an email, so the buyer cannot be identified');
    expect(error.issues).toEqual([{ path: 'billing.email', message: 'an email is required when the order has no customer id' }]);
  });

  describe('creation date', () => {
    it('uses date_created only when it states its own offset', () => {
      const withOffset = { ...guest(), date_created_gmt: null, date_created: '2017-03-22T16:28:02-03:00' };
      expect(record(withOffset).placedAt).toBe('2017-03-22T19:28:02.000Z');
    });

    it('refuses an order whose only date is store-local time', () => {
      const error = rejection({ ...guest(), date_created_gmt: null });
      expect(error.issues).toEqual([
        { path: 'date_created_gmt', message: "required: date_created has no offset, so the store's time zone is unknown" },
      ]);
    });
  });

  describe('payloads missing required fields', () => {
    it('names every missing order field', () => {
      const error = rejection({ status: 'processing', billing: { email: 'a@example.com' } });
      expect(error.message).toBe('the WooCommerce order lacks fields an order webhook carries');
      expect(error.issues.map((issue) => issue.path).sort()).toEqual(['currency', 'id', 'line_items', 'total']);
    });

    it('names the line item field that is missing', () => {
      const [first, second] = lineItemsOf(guest());
      const { quantity: _quantity, ...withoutQuantity } = second as Json;
      expect(rejection({ ...guest(), line_items: [first, withoutQuantity] }).issues.map((issue) => issue.path)).toEqual(['line_items.1.quantity']);

      const { price: _price, subtotal: _subtotal, ...withoutPrice } = first as Json;
      const error = rejection({ ...guest(), line_items: [withoutPrice, second] });
      expect(error.issues).toEqual([{ path: 'line_items.0.price', message: 'price or subtotal is required' }]);
    });
  });
});

describe('isWooCommercePing', () => {
  it('recognises the form-encoded ping sent when a webhook is saved', () => {
    expect(isWooCommercePing('webhook_id=15')).toBe(true);
  });

  it('does not mistake anything else for a ping', () => {
    expect(isWooCommercePing(fixtureText('order-created-guest.json'))).toBe(false);
    expect(isWooCommercePing('{"webhook_id":15}')).toBe(false);
    expect(isWooCommercePing('webhook_id=')).toBe(false);
    expect(isWooCommercePing('webhook_id=abc')).toBe(false);
    expect(isWooCommercePing('webhook_id=15&action=order.created')).toBe(false);
    expect(isWooCommercePing('')).toBe(false);
  });
});
