/**
 * Shopify and WooCommerce webhooks through their handlers on DynamoDB Local, with payloads shaped
 * like the platforms' documented examples and signed the way each platform signs: which orders
 * count, cancellations and refunds in any order of arrival (revenue and points reversed once),
 * phones, and consent given on the store's site.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { parseLosslessJson } from '../../functions/handlers/http.ts';
import { journeyRuntime, TEST_SHOPIFY_SECRET, TEST_WOOCOMMERCE_SECRET } from '../support/environment.ts';
import { adminEvent, httpEvent, lambdaContext, platformEvent, signedEvent, uniqueId } from '../support/events.ts';

// The store's default country, read by the handlers when first imported.
process.env['COMEBACK_DEFAULT_COUNTRY'] = 'US';
const { handler: shopifyHandler } = await import('../../functions/handlers/shopify-order.ts');
const { handler: wooCommerceHandler } = await import('../../functions/handlers/woocommerce-order.ts');
const { handler: getCustomer } = await import('../../functions/handlers/get-customer.ts');
const { handler: recordConsent } = await import('../../functions/handlers/record-consent.ts');

type Json = Record<string, unknown>;

const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): Json => parseLosslessJson(fixtureText(name)) as Json;

/** The fixture with its order id replaced (digits kept as text), so each test records a new order. */
function withOrderId(text: string, from: string, to: string): string {
  return text.replace(new RegExp(`("id":\\s*)${from}`), `$1${to}`);
}

const uniqueDigits = () => `${Date.now()}${Math.floor(Math.random() * 1e6)}`.padEnd(19, '7').slice(0, 19);
const loyalty = loyaltyPorts();

interface Answer {
  status: number;
  body: Json;
}

async function answerOf(result: { statusCode?: number; body?: string }): Promise<Answer> {
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') as Json };
}

async function profileOf(customerId: string) {
  const result = await getCustomer(adminEvent(`/v1/customers/${customerId}`, { id: customerId }), lambdaContext);
  return { status: result.statusCode ?? 200, ...(JSON.parse(result.body ?? '{}') as { profile: Json; orders: Json[] }) };
}

/** The points once the reactions to what was recorded (from the table's stream) have run. */
async function pointsOf(customerId: string) {
  await journeyRuntime.settled();
  const account = await loyalty.store.getAccount(customerId);
  const entries = await loyalty.store.recentEntries(customerId, 100);
  return { balance: account?.balance ?? 0, refunds: entries.filter((entry) => entry.kind === 'refund').length };
}

const shopifyPath = '/v1/webhooks/shopify/orders';
const wooPath = '/v1/webhooks/woocommerce/orders';

/** Shopify's orders/create example as a live (not test) order of a new customer, placed in the test clock's week. */
function shopifyOrder(overrides: Json = {}): Json {
  const example = fixture('shopify/orders-create.json');
  return {
    ...example,
    id: uniqueDigits(),
    test: false,
    created_at: '2026-05-30T10:00:00-04:00',
    processed_at: '2026-05-30T10:00:00-04:00',
    customer: { ...(example['customer'] as Json), id: uniqueDigits() },
    ...overrides,
  };
}

function postShopify(topic: string, body: Json | string, deliveryId: string = uniqueId('wh')) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return shopifyHandler(platformEvent(shopifyPath, text, 'x-shopify-hmac-sha256', TEST_SHOPIFY_SECRET, { 'x-shopify-topic': topic, 'x-shopify-webhook-id': deliveryId }), lambdaContext).then(answerOf);
}

/** Shopify's refunds/create body: money back through a successful refund transaction. */
function shopifyRefund(order: Json, amount: string, refundId = uniqueDigits()): Json {
  return {
    id: refundId,
    order_id: order['id'],
    created_at: '2026-05-31T09:00:00-04:00',
    note: 'damaged in transit',
    restock: false,
    refund_line_items: [],
    transactions: [{ id: uniqueDigits(), order_id: order['id'], kind: 'refund', gateway: 'bogus', status: 'success', amount, currency: 'USD' }],
    order_adjustments: [],
  };
}

const customerIdOf = (order: Json) => String((order['customer'] as Json)['id']);

/** WooCommerce's order example (a registered customer), as a new order of a new customer, in the loyalty program's currency. */
function wooOrder(overrides: Json = {}): Json {
  return { ...fixture('woocommerce/order-created-customer.json'), id: uniqueDigits(), customer_id: uniqueDigits(), currency: 'USD', date_created_gmt: '2026-05-30T14:00:00', ...overrides };
}

function postWoo(topic: string, body: Json) {
  return wooCommerceHandler(
    platformEvent(wooPath, JSON.stringify(body), 'x-wc-webhook-signature', TEST_WOOCOMMERCE_SECRET, { 'x-wc-webhook-topic': topic, 'x-wc-webhook-delivery-id': uniqueId('wc') }),
    lambdaContext,
  ).then(answerOf);
}

describe('POST /v1/webhooks/shopify/orders', () => {
  it('records an order with its 64-bit ids kept exact', async () => {
    const orderId = uniqueDigits();
    const body = withOrderId(fixtureText('shopify/orders-create.json'), '820982911946154508', orderId).replace('"test": true', '"test": false');

    const answer = await postShopify('orders/create', body);

    expect(answer).toEqual({ status: 202, body: { orderId, customerId: '115310627314723954', status: 'recorded' } });
    const { orders } = await profileOf('115310627314723954');
    expect(orders.find((order) => order['orderId'] === orderId)).toMatchObject({ totalMinor: 19965, currency: 'USD', source: 'shopify' });
  });

  it("acknowledges Shopify's own example, a test order, without counting it", async () => {
    const orderId = uniqueDigits();
    const answer = await postShopify('orders/create', withOrderId(fixtureText('shopify/orders-create.json'), '820982911946154508', orderId));

    expect(answer).toEqual({ status: 200, body: { orderId, status: 'not_counted', reason: 'a test order' } });
    const { orders } = await profileOf('115310627314723954');
    expect(orders.some((order) => order['orderId'] === orderId)).toBe(false);
  });

  it('counts a pending order only once orders/paid says it is paid', async () => {
    const pending = shopifyOrder({ financial_status: 'pending' });
    const customerId = customerIdOf(pending);

    const created = await postShopify('orders/create', pending);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'not_counted', reason: expect.stringMatching(/pending/) });
    expect((await profileOf(customerId)).status).toBe(404);

    const paid = await postShopify('orders/paid', { ...pending, financial_status: 'paid' });
    expect(paid).toEqual({ status: 202, body: { orderId: pending['id'], customerId, status: 'recorded' } });
    expect((await profileOf(customerId)).profile).toMatchObject({ orderCount: 1, netRevenueMinor: 19965 });
  });

  it('answers a redelivery with the same X-Shopify-Webhook-Id as a duplicate', async () => {
    const order = shopifyOrder();
    const deliveryId = uniqueId('wh');

    const first = await postShopify('orders/create', order, deliveryId);
    const again = await postShopify('orders/create', order, deliveryId);

    expect([first.body['status'], again.body['status']]).toEqual(['recorded', 'duplicate']);
  });

  it('records a guest order under the lower-cased email', async () => {
    const text = fixtureText('shopify/orders-paid-guest.json');
    const answer = await postShopify('orders/paid', withOrderId(text, '5423908945098765432', uniqueDigits()));
    expect(answer.status).toBe(202);
    expect(answer.body['customerId']).toBe('guest.buyer@example.com');
  });

  it('refuses a body signed with another secret, storing nothing', async () => {
    const order = shopifyOrder();
    const result = await shopifyHandler(platformEvent(shopifyPath, JSON.stringify(order), 'x-shopify-hmac-sha256', 'not-the-secret'), lambdaContext);
    expect(result.statusCode).toBe(401);
    expect((await profileOf(customerIdOf(order))).status).toBe(404);
  });

  it('reverses a cancelled order: its revenue and its points, once however often the cancellation comes', async () => {
    // Prepare: a paid order, counted, with its points.
    const order = shopifyOrder();
    const customerId = customerIdOf(order);
    await postShopify('orders/create', order);
    const earned = await pointsOf(customerId);
    expect(earned.balance).toBeGreaterThan(0);

    // Act: Shopify's orders/cancelled, delivered twice (different deliveries of the same event).
    const cancelled = { ...order, cancelled_at: '2026-05-31T08:00:00-04:00', cancel_reason: 'customer', financial_status: 'voided' };
    const first = await postShopify('orders/cancelled', cancelled);
    const again = await postShopify('orders/cancelled', cancelled);

    // Assess
    expect(first).toEqual({ status: 202, body: { orderId: order['id'], customerId, kind: 'cancellation', status: 'reversed', reversedMinor: 19965, reason: expect.stringMatching(/cancelled at .*customer/) } });
    expect(again.body).toMatchObject({ status: 'duplicate', reversedMinor: 19965 });
    const { profile, orders } = await profileOf(customerId);
    expect(profile).toMatchObject({ netRevenueMinor: 0, refundedMinorByCurrency: { USD: 19965 } });
    expect(orders[0]).toMatchObject({ orderId: order['id'], refundedMinor: 19965, cancelledAt: expect.any(String) });
    expect(await pointsOf(customerId)).toEqual({ balance: 0, refunds: 1 });

    // A late redelivery of orders/create changes nothing.
    expect((await postShopify('orders/create', order)).body['status']).toBe('duplicate');
    expect((await profileOf(customerId)).profile).toMatchObject({ orderCount: 1, netRevenueMinor: 0 });
    expect((await pointsOf(customerId)).balance).toBe(0);
  });

  it('never counts an order whose cancellation arrived first', async () => {
    const order = shopifyOrder();
    const customerId = customerIdOf(order);

    const cancelled = await postShopify('orders/cancelled', { ...order, cancelled_at: '2026-05-31T08:00:00-04:00', cancel_reason: 'fraud' });
    const created = await postShopify('orders/create', order);
    const paid = await postShopify('orders/paid', order);

    expect(cancelled).toEqual({ status: 202, body: { orderId: order['id'], kind: 'cancellation', status: 'early', reason: expect.stringMatching(/fraud/) } });
    for (const answer of [created, paid]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ orderId: order['id'], status: 'not_counted', reason: expect.stringMatching(/cancelled .* before it arrived/) });
    }
    expect((await profileOf(customerId)).status).toBe(404);
    expect((await pointsOf(customerId)).balance).toBe(0);
  });

  it('takes back a partial refund once, and a later cancellation only what is left', async () => {
    const order = shopifyOrder();
    const customerId = customerIdOf(order);
    await postShopify('orders/create', order);
    const full = (await pointsOf(customerId)).balance;

    const refund = shopifyRefund(order, '50.00');
    const first = await postShopify('refunds/create', refund);
    const again = await postShopify('refunds/create', refund);

    expect(first.body).toMatchObject({ kind: 'refund', status: 'reversed', reversedMinor: 5000 });
    expect(again.body).toMatchObject({ status: 'duplicate', reversedMinor: 5000 });
    expect((await profileOf(customerId)).profile).toMatchObject({ netRevenueMinor: 14965 });
    const afterRefund = await pointsOf(customerId);
    expect(afterRefund.balance).toBeLessThan(full);
    expect(afterRefund.balance).toBeGreaterThan(0);

    const cancelled = await postShopify('orders/cancelled', { ...order, cancelled_at: '2026-05-31T10:00:00-04:00' });
    expect(cancelled.body).toMatchObject({ status: 'reversed', reversedMinor: 14965 });
    // Shopify also sends refunds/create for the money the cancellation gave back: nothing is left to take.
    const lastRefund = await postShopify('refunds/create', shopifyRefund(order, '149.65'));
    expect(lastRefund.body).toMatchObject({ status: 'reversed', reversedMinor: 0 });

    expect((await profileOf(customerId)).profile).toMatchObject({ netRevenueMinor: 0, refundedMinorByCurrency: { USD: 19965 } });
    expect(await pointsOf(customerId)).toEqual({ balance: 0, refunds: 2 });
  });

  it('applies a refund that arrived before its order when the order comes', async () => {
    const order = shopifyOrder();
    const customerId = customerIdOf(order);

    const early = await postShopify('refunds/create', shopifyRefund(order, '99.65'));
    const created = await postShopify('orders/create', order);

    expect(early.body).toMatchObject({ kind: 'refund', status: 'early' });
    expect(created.body).toMatchObject({ status: 'recorded' });
    const { profile, orders } = await profileOf(customerId);
    expect(profile).toMatchObject({ orderCount: 1, netRevenueMinor: 10000 });
    expect(orders[0]).toMatchObject({ refundedMinor: 9965 });

    // The points are those of the 100.00 kept, as if the refund had come after the order.
    const reference = shopifyOrder({ total_price: '100.00' });
    await postShopify('orders/create', reference);
    expect((await pointsOf(customerId)).balance).toBe((await pointsOf(customerIdOf(reference))).balance);
  });
});

describe('POST /v1/webhooks/woocommerce/orders', () => {
  it("answers WooCommerce's ping delivery with 200", async () => {
    const result = await wooCommerceHandler(httpEvent({ path: wooPath, body: 'webhook_id=15', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), lambdaContext);
    expect(result.statusCode).toBe(200);
  });

  it('records a registered customer order with exact ids', async () => {
    const orderId = uniqueDigits();
    const body = withOrderId(fixtureText('woocommerce/order-created-customer.json'), '12345678901234567890', orderId);

    const result = await wooCommerceHandler(platformEvent(wooPath, body, 'x-wc-webhook-signature', TEST_WOOCOMMERCE_SECRET), lambdaContext);

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({ orderId, customerId: '9007199254740993', status: 'recorded' });
    const { orders } = await profileOf('9007199254740993');
    expect(orders.find((order) => order['orderId'] === orderId)).toMatchObject({ totalMinor: 4490, source: 'woocommerce' });
  });

  it('refuses a missing signature', async () => {
    const result = await wooCommerceHandler(httpEvent({ path: wooPath, body: fixtureText('woocommerce/order-created-guest.json'), headers: { 'content-type': 'application/json' } }), lambdaContext);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '').detail).toMatch(/X-WC-Webhook-Signature header is missing/);
  });

  it('does not count pending or failed orders, and counts the order once it is processing', async () => {
    const order = wooOrder({ status: 'pending' });
    const customerId = String(order['customer_id']);

    const pending = await postWoo('order.created', order);
    const failed = await postWoo('order.updated', { ...order, status: 'failed' });
    expect(pending).toEqual({ status: 200, body: { orderId: order['id'], status: 'not_counted', reason: 'status "pending": only processing and completed orders count' } });
    expect(failed.body).toMatchObject({ status: 'not_counted', reason: expect.stringMatching(/"failed"/) });
    expect((await profileOf(customerId)).status).toBe(404);

    const processing = await postWoo('order.updated', { ...order, status: 'processing' });
    expect(processing).toEqual({ status: 202, body: { orderId: order['id'], customerId, status: 'recorded' } });
    expect((await profileOf(customerId)).profile).toMatchObject({ orderCount: 1, netRevenueMinor: 4490 });
  });

  it('reverses an order updated to cancelled, once, and keeps a cancelled-first order from counting', async () => {
    const order = wooOrder({ status: 'processing' });
    const customerId = String(order['customer_id']);
    await postWoo('order.created', order);
    expect((await pointsOf(customerId)).balance).toBeGreaterThan(0);

    const first = await postWoo('order.updated', { ...order, status: 'cancelled' });
    const again = await postWoo('order.updated', { ...order, status: 'cancelled' });

    expect(first.body).toMatchObject({ kind: 'cancellation', status: 'reversed', reversedMinor: 4490, reason: 'status cancelled' });
    expect(again.body).toMatchObject({ status: 'duplicate' });
    expect((await profileOf(customerId)).profile).toMatchObject({ netRevenueMinor: 0 });
    expect(await pointsOf(customerId)).toEqual({ balance: 0, refunds: 1 });

    // WooCommerce sends no order.created for an order cancelled before payment, but may deliver out of order.
    const late = wooOrder({ status: 'cancelled' });
    await postWoo('order.updated', late);
    expect((await postWoo('order.created', { ...late, status: 'processing' })).body).toMatchObject({ status: 'not_counted' });
    expect((await profileOf(String(late['customer_id']))).status).toBe(404);
  });

  it('gives back the refunds listed on an order, once each, and the rest when it is refunded in full', async () => {
    const order = wooOrder({ status: 'completed' });
    const customerId = String(order['customer_id']);
    await postWoo('order.created', order);

    const partly = { ...order, refunds: [{ id: 801, reason: 'one item', total: '-10.00' }] };
    const first = await postWoo('order.updated', partly);
    const again = await postWoo('order.updated', partly);

    expect(first.body).toMatchObject({ status: 'duplicate', refunds: [{ kind: 'refund', refundId: '801', status: 'reversed', reversedMinor: 1000 }] });
    expect(again.body).toMatchObject({ refunds: [{ refundId: '801', status: 'duplicate', reversedMinor: 1000 }] });
    expect((await profileOf(customerId)).profile).toMatchObject({ netRevenueMinor: 3490 });
    const afterRefund = (await pointsOf(customerId)).balance;
    expect(afterRefund).toBeGreaterThan(0);

    const refunded = await postWoo('order.updated', { ...partly, status: 'refunded' });
    expect(refunded.body).toMatchObject({ kind: 'cancellation', status: 'reversed', reversedMinor: 3490, reason: 'status refunded' });
    expect((await profileOf(customerId)).profile).toMatchObject({ netRevenueMinor: 0, refundedMinorByCurrency: { USD: 4490 } });
    expect(await pointsOf(customerId)).toEqual({ balance: 0, refunds: 2 });
  });

  it('writes a national phone as E.164 in the default country, and states no consent by default', async () => {
    const example = fixture('woocommerce/order-created-customer.json');
    const order = wooOrder({ billing: { ...(example['billing'] as Json), phone: '(555) 555-0107', country: '' }, shipping: null });

    await postWoo('order.created', order);

    const { profile } = await profileOf(String(order['customer_id']));
    expect(profile['phone']).toBe('+15555550107');
    expect(profile['consent']).toEqual({});
  });

  it('acknowledges an update of a recorded order whose content changed, keeping the order as recorded', async () => {
    const order = wooOrder({ status: 'processing' });
    const customerId = String(order['customer_id']);
    await postWoo('order.created', order);

    const edited = await postWoo('order.updated', { ...order, status: 'completed', total: '50.00' });

    expect(edited).toEqual({ status: 202, body: { orderId: order['id'], customerId, status: 'duplicate', reason: expect.stringMatching(/changed on the platform/) } });
    expect((await profileOf(customerId)).profile).toMatchObject({ orderCount: 1, netRevenueMinor: 4490 });
  });

  it('keeps the order when its phone cannot be read', async () => {
    const example = fixture('woocommerce/order-created-customer.json');
    const order = wooOrder({ billing: { ...(example['billing'] as Json), phone: 'ask at the door' } });
    expect((await postWoo('order.created', order)).body).toMatchObject({ status: 'recorded' });
    expect((await profileOf(String(order['customer_id']))).profile).not.toHaveProperty('phone');
  });
});

describe('PUT /v1/customers/{id}/consent', () => {
  const put = (customerId: string, body: unknown, options: { secret?: string } = {}) =>
    recordConsent(
      { ...signedEvent(`/v1/customers/${customerId}/consent`, body, { ...options, pathParameters: { id: customerId } }), requestContext: { ...signedEvent('/', {}).requestContext, http: { ...signedEvent('/', {}).requestContext.http, method: 'PUT' } } },
      lambdaContext,
    ).then(answerOf);

  it("records consent given on the store's site for a WooCommerce customer, with its source", async () => {
    const order = wooOrder({ status: 'processing' });
    const customerId = String(order['customer_id']);
    await postWoo('order.created', order);

    const answer = await put(customerId, { email: true, sms: false, source: 'newsletter-footer' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ customerId, consent: { email: true, sms: false }, consentSource: { email: 'newsletter-footer', sms: 'newsletter-footer' } });
    expect((await profileOf(customerId)).profile).toMatchObject({ consent: { email: true, sms: false }, consentSource: { email: 'newsletter-footer' } });

    // The same statement again changes nothing but its time; an older one loses.
    expect((await put(customerId, { email: false, source: 'old-form', givenAt: '2026-01-01T00:00:00Z' })).body).toMatchObject({ consent: { email: true } });
  });

  it('is 404 for a customer without an order, 401 unsigned, 400 without a channel', async () => {
    expect((await put(uniqueId('nobody'), { email: true, source: 'footer' })).status).toBe(404);
    expect((await put(uniqueId('nobody'), { email: true, source: 'footer' }, { secret: 'not-ours' })).status).toBe(401);
    const order = wooOrder({ status: 'processing' });
    await postWoo('order.created', order);
    const missing = await put(String(order['customer_id']), { source: 'footer' });
    expect(missing.status).toBe(400);
    expect(missing.body['detail']).toMatch(/names no channel/);
  });
});
