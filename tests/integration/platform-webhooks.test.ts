/**
 * Shopify and WooCommerce order webhooks through their handlers on DynamoDB Local, with payloads
 * shaped like the platforms' documented examples and signed the way each platform signs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler as shopifyOrder } from '../../functions/handlers/shopify-order.ts';
import { handler as wooCommerceOrder } from '../../functions/handlers/woocommerce-order.ts';
import { handler as getCustomer } from '../../functions/handlers/get-customer.ts';
import { TEST_SHOPIFY_SECRET, TEST_WOOCOMMERCE_SECRET } from '../support/environment.ts';
import { adminEvent, httpEvent, lambdaContext, platformEvent, uniqueId } from '../support/events.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** The fixture with its order id replaced (digits kept as text), so each test records a new order. */
function withOrderId(text: string, from: string, to: string): string {
  return text.replace(new RegExp(`("id":\\s*)${from}`), `$1${to}`);
}

const uniqueDigits = () => `${Date.now()}${Math.floor(Math.random() * 1e6)}`.padEnd(19, '7').slice(0, 19);

async function profileOf(customerId: string) {
  const result = await getCustomer(adminEvent(`/v1/customers/${customerId}`, { id: customerId }), lambdaContext);
  return JSON.parse(result.body ?? '{}') as { profile: Record<string, unknown>; orders: Record<string, unknown>[] };
}

describe('POST /v1/webhooks/shopify/orders', () => {
  const path = '/v1/webhooks/shopify/orders';

  it('records an order with its 64-bit ids kept exact', async () => {
    const orderId = uniqueDigits();
    const body = withOrderId(fixture('shopify/orders-create.json'), '820982911946154508', orderId);

    const result = await shopifyOrder(platformEvent(path, body, 'x-shopify-hmac-sha256', TEST_SHOPIFY_SECRET, { 'x-shopify-webhook-id': uniqueId('wh') }), lambdaContext);

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({ orderId, customerId: '115310627314723954', status: 'recorded' });
    const { orders } = await profileOf('115310627314723954');
    expect(orders.find((order) => order['orderId'] === orderId)).toMatchObject({ totalMinor: 19965, currency: 'USD', source: 'shopify' });
  });

  it('answers a redelivery with the same X-Shopify-Webhook-Id as a duplicate', async () => {
    const body = withOrderId(fixture('shopify/orders-create.json'), '820982911946154508', uniqueDigits());
    const deliveryId = uniqueId('wh');
    const deliver = () => shopifyOrder(platformEvent(path, body, 'x-shopify-hmac-sha256', TEST_SHOPIFY_SECRET, { 'x-shopify-webhook-id': deliveryId }), lambdaContext);

    const first = JSON.parse((await deliver()).body ?? '');
    const again = JSON.parse((await deliver()).body ?? '');

    expect([first.status, again.status]).toEqual(['recorded', 'duplicate']);
  });

  it('records a guest order under the lower-cased email', async () => {
    const text = fixture('shopify/orders-paid-guest.json');
    const result = await shopifyOrder(platformEvent(path, withOrderId(text, '5423908945098765432', uniqueDigits()), 'x-shopify-hmac-sha256', TEST_SHOPIFY_SECRET), lambdaContext);
    const answer = JSON.parse(result.body ?? '');
    expect(result.statusCode).toBe(202);
    expect(answer.customerId).toBe('guest.buyer@example.com');
  });

  it('refuses a body signed with another secret, storing nothing', async () => {
    const orderId = uniqueDigits();
    const body = withOrderId(fixture('shopify/orders-create.json'), '820982911946154508', orderId);
    const result = await shopifyOrder(platformEvent(path, body, 'x-shopify-hmac-sha256', 'not-the-secret'), lambdaContext);
    expect(result.statusCode).toBe(401);
    const { orders } = await profileOf('115310627314723954');
    expect(orders.some((order) => order['orderId'] === orderId)).toBe(false);
  });
});

describe('POST /v1/webhooks/woocommerce/orders', () => {
  const path = '/v1/webhooks/woocommerce/orders';

  it("answers WooCommerce's ping delivery with 200", async () => {
    const result = await wooCommerceOrder(httpEvent({ path, body: 'webhook_id=15', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), lambdaContext);
    expect(result.statusCode).toBe(200);
  });

  it('records a registered customer order with exact ids', async () => {
    const orderId = uniqueDigits();
    const body = withOrderId(fixture('woocommerce/order-created-customer.json'), '12345678901234567890', orderId);

    const result = await wooCommerceOrder(platformEvent(path, body, 'x-wc-webhook-signature', TEST_WOOCOMMERCE_SECRET), lambdaContext);

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({ orderId, customerId: '9007199254740993', status: 'recorded' });
    const { orders } = await profileOf('9007199254740993');
    expect(orders.find((order) => order['orderId'] === orderId)).toMatchObject({ totalMinor: 4490, source: 'woocommerce' });
  });

  it('refuses a missing signature', async () => {
    const result = await wooCommerceOrder(httpEvent({ path, body: fixture('woocommerce/order-created-guest.json'), headers: { 'content-type': 'application/json' } }), lambdaContext);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '').detail).toMatch(/X-WC-Webhook-Signature header is missing/);
  });
});
