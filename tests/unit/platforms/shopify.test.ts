import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { shopifyOrderToPurchase } from '../../../functions/core/platforms/shopify.ts';
import { parsePurchase, type Purchase } from '../../../functions/core/purchase.ts';
import { parseLosslessJson } from '../../../functions/handlers/http.ts';

type Json = Record<string, unknown>;

function fixtureText(name: string): string {
  return readFileSync(new URL(`../../fixtures/shopify/${name}`, import.meta.url), 'utf8');
}

/** The fixture as the webhook handler sees it: parsed losslessly. */
function fixture(name: string): Json {
  return parseLosslessJson(fixtureText(name)) as Json;
}

const registered = (): Json => fixture('orders-create.json');
const guest = (): Json => fixture('orders-paid-guest.json');
const customerOf = (order: Json): Json => order.customer as Json;
const lineItemsOf = (order: Json): Json[] => order.line_items as Json[];

function record(payload: unknown): Purchase {
  return parsePurchase(shopifyOrderToPurchase(payload));
}

function rejection(payload: unknown): InvalidInputError {
  try {
    shopifyOrderToPurchase(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('the payload was accepted');
}

describe('shopifyOrderToPurchase', () => {
  it('maps the orders/create example to a purchase with exact 64-bit ids and minor units', () => {
    const text = fixtureText('orders-create.json');
    // The fixture really carries ids that a double cannot hold.
    expect(Number.isSafeInteger(Number('820982911946154508'))).toBe(false);
    expect(String((JSON.parse(text) as Json).id)).not.toBe('820982911946154508');

    expect(record(parseLosslessJson(text))).toEqual({
      orderId: '820982911946154508',
      placedAt: '2022-01-01T00:00:00.000Z',
      currency: 'USD',
      totalMinor: 19965,
      customer: {
        id: '115310627314723954',
        email: 'john@example.com',
        phone: '+16135550135',
        name: 'John Smith',
        locale: 'en-CA',
        consent: { email: false, sms: true },
      },
      items: [
        { sku: 'IPOD2008PINK', name: 'IPod Nano - 8GB', category: 'Cult Products', quantity: 1, unitPriceMinor: 19900 },
        { sku: 'variant:447654529', name: 'Screen Protector - Clear', quantity: 2, unitPriceMinor: 300 },
      ],
      orderName: '#9999',
      channel: 'web',
      promoCode: 'SPRING20',
    });
  });

  it('identifies a guest by the lower-cased order email and drops contact fields the schema refuses', () => {
    expect(record(guest())).toEqual({
      orderId: '5423908945098765432',
      placedAt: '2024-03-10T00:15:30.000Z',
      currency: 'JPY',
      totalMinor: 3960,
      // "555-555-SHIP" is no E.164 phone and "ja_JP" no BCP 47 tag: both dropped, the order kept.
      customer: { id: 'guest.buyer@example.com', email: 'guest.buyer@example.com', consent: { email: false } },
      items: [{ sku: 'product:8123456789012', name: 'Matcha Tin', quantity: 2, unitPriceMinor: 1980 }],
      orderName: '#1042',
      channel: 'pos',
    });
  });

  it('treats a customer without an id as a guest, identified by the email', () => {
    const order = { ...guest(), email: null, contact_email: null, customer: { id: null, email: 'Walk.In@Example.com', first_name: 'Walk', last_name: null } };
    expect(record(order).customer).toEqual({ id: 'walk.in@example.com', email: 'walk.in@example.com', name: 'Walk', consent: { email: false } });
  });

  it('refuses a guest order without an email, saying why', () => {
    const error = rejection({ ...guest(), email: null, contact_email: null });
    expect(error.message).toBe('the Shopify order has neither a customer id nor an email, so the buyer cannot be identified');
    expect(error.issues).toEqual([{ path: 'email', message: 'an email is required when the order has no customer id' }]);
  });

  describe('ids', () => {
    it('accepts safe JSON numbers and strings of digits', () => {
      const order = { ...registered(), id: 450789469, customer: { ...customerOf(registered()), id: '207119551' } };
      const purchase = record(order);
      expect(purchase.orderId).toBe('450789469');
      expect(purchase.customer.id).toBe('207119551');
    });

    it('refuses an id that already went through a double', () => {
      const text = fixtureText('orders-create.json');
      const error = rejection(JSON.parse(text));
      expect(error.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['id', 'customer.id', 'line_items.0.id']));
      expect(error.issues.find((issue) => issue.path === 'id')?.message).toMatch(/above 2\^53 and has lost digits/);
    });

    it('refuses ids that are not integers', () => {
      const error = rejection({ ...registered(), id: 'gid://shopify/Order/820982911946154508' });
      expect(error.issues).toEqual([{ path: 'id', message: 'must be an integer id (a JSON number or a string of digits)' }]);
    });
  });

  describe('consent', () => {
    const withConsent = (email: unknown, sms: unknown, buyerAccepts: unknown): Json => ({
      ...registered(),
      buyer_accepts_marketing: buyerAccepts,
      customer: { ...customerOf(registered()), email_marketing_consent: email, sms_marketing_consent: sms },
    });

    it('maps subscribed to true and unsubscribed to false', () => {
      expect(record(withConsent({ state: 'subscribed' }, { state: 'unsubscribed' }, false)).customer.consent).toEqual({ email: true, sms: false });
    });

    it('falls back to buyer_accepts_marketing for email when the consent object is missing', () => {
      expect(record(withConsent(null, null, true)).customer.consent).toEqual({ email: true });
      expect(record(withConsent(undefined, undefined, false)).customer.consent).toEqual({ email: false });
    });

    it('leaves consent unknown for pending states and absent answers', () => {
      expect(record(withConsent({ state: 'pending' }, null, true)).customer.consent).toBeUndefined();
      expect(record(withConsent(null, null, null)).customer).not.toHaveProperty('consent');
    });
  });

  describe('contact fields', () => {
    it('drops an invalid email but keeps the order and the customer id', () => {
      const purchase = record({ ...registered(), customer: { ...customerOf(registered()), email: 'john at example' } });
      expect(purchase.customer.id).toBe('115310627314723954');
      expect(purchase.customer).not.toHaveProperty('email');
    });

    it('writes phones as E.164, reading a national one in the billing country, and drops one of no possible length', () => {
      const phone = (value: string, order: Json = registered()) => record({ ...order, customer: { ...customerOf(order), phone: value } }).customer.phone;
      expect(phone('+44 20 7946 0958')).toBe('+442079460958');
      // The example's billing address is in the US.
      expect(phone('(613) 555-0135')).toBe('+16135550135');
      expect(phone('555-555-SHIP')).toBeUndefined();
      // Without any country on the order (and no default), a national number cannot be read.
      const nowhere = { ...registered(), billing_address: null, shipping_address: null, customer: { ...customerOf(registered()), default_address: null } };
      expect(phone('(613) 555-0135', nowhere)).toBeUndefined();
      expect(parsePurchase(shopifyOrderToPurchase({ ...nowhere, customer: { ...customerOf(nowhere), phone: '067 123 4567' } }, { defaultCountry: 'UA' })).customer.phone).toBe('+380671234567');
    });

    it('uses the order phone when the customer has none', () => {
      const purchase = record({ ...registered(), phone: '+16135550199', customer: { ...customerOf(registered()), phone: null } });
      expect(purchase.customer.phone).toBe('+16135550199');
    });
  });

  describe('items and order fields', () => {
    it('falls back from an empty SKU to the variant, the product, then the line', () => {
      const [first] = lineItemsOf(registered());
      const order = {
        ...registered(),
        line_items: [
          { ...first, sku: '  ', variant_id: 808950810 },
          { ...first, sku: null, variant_id: null },
          { ...first, sku: null, variant_id: null, product_id: null },
        ],
      };
      expect(record(order).items.map((item) => item.sku)).toEqual(['variant:808950810', 'product:632910392', 'line:866550311766439020']);
    });

    it('uses created_at when processed_at is absent, the title when the name is, and shopify as the channel', () => {
      const [first] = lineItemsOf(registered());
      const order = {
        ...registered(),
        processed_at: null,
        created_at: '2023-05-01T12:30:00+02:00',
        source_name: null,
        discount_codes: [],
        line_items: [{ ...first, name: null, product_type: '' }],
      };
      const purchase = record(order);
      expect(purchase.placedAt).toBe('2023-05-01T10:30:00.000Z');
      expect(purchase.channel).toBe('shopify');
      expect(purchase).not.toHaveProperty('promoCode');
      expect(purchase.items).toEqual([{ sku: 'IPOD2008PINK', name: 'IPod Nano - 8GB', quantity: 1, unitPriceMinor: 19900 }]);
    });
  });

  describe('payloads missing required fields', () => {
    it('names every missing order field', () => {
      const error = rejection({ email: 'jon@example.com' });
      expect(error.message).toBe('the Shopify order lacks fields an order webhook carries');
      expect(error.issues.map((issue) => issue.path).sort()).toEqual(['currency', 'id', 'line_items', 'total_price']);
      expect(error.issues.find((issue) => issue.path === 'id')?.message).toBe('required');
    });

    it('names the line item field that is missing', () => {
      const [first] = lineItemsOf(registered());
      const { price: _price, ...withoutPrice } = first as Json;
      const error = rejection({ ...registered(), line_items: [first, withoutPrice] });
      expect(error.issues.map((issue) => issue.path)).toEqual(['line_items.1.price']);
    });

    it('refuses an order without line items or without a date', () => {
      expect(rejection({ ...registered(), line_items: [] }).issues).toEqual([{ path: 'line_items', message: 'an order needs at least one line item' }]);
      expect(rejection({ ...registered(), processed_at: null, created_at: null }).issues).toEqual([
        { path: 'processed_at', message: 'processed_at or created_at is required' },
      ]);
    });

    it('refuses a body that is not an order object', () => {
      expect(rejection(null).issues[0]?.path).toBe('(body)');
      expect(rejection([registered()]).issues[0]?.path).toBe('(body)');
    });
  });
});
