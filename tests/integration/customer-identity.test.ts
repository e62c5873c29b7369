/**
 * A guest (keyed by email) and a registered customer with the same email are one customer, through
 * the real Shopify and WooCommerce handlers on DynamoDB Local: one history, one loyalty account, no
 * duplicate journeys, whichever comes first, and when both arrive at once.
 */
import { describe, expect, it } from 'vitest';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { parseLosslessJson } from '../../functions/handlers/http.ts';
import { readFileSync } from 'node:fs';
import { journeyRuntime, TEST_SHOPIFY_SECRET, TEST_WOOCOMMERCE_SECRET } from '../support/environment.ts';
import { adminEvent, lambdaContext, platformEvent, uniqueId } from '../support/events.ts';

process.env['COMEBACK_DEFAULT_COUNTRY'] = 'US';
const { handler: shopifyHandler } = await import('../../functions/handlers/shopify-order.ts');
const { handler: wooCommerceHandler } = await import('../../functions/handlers/woocommerce-order.ts');
const { handler: getCustomer } = await import('../../functions/handlers/get-customer.ts');

type Json = Record<string, unknown>;
const fixture = (name: string): Json => parseLosslessJson(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as Json;
let counter = 0;
const digits = () => `${Date.now()}${String(++counter).padStart(4, '0')}`.slice(-18);
const journeys = new DynamoJourneyStore(documentClient, tableName);
const loyalty = loyaltyPorts();

function shopifyOrder(customer: Json | null, email: string): Json {
  const example = fixture('shopify/orders-create.json');
  return {
    ...example,
    id: digits(),
    test: false,
    created_at: '2026-05-30T10:00:00-04:00',
    processed_at: '2026-05-30T10:00:00-04:00',
    email,
    contact_email: email,
    customer: customer ? { ...(example['customer'] as Json), ...customer } : null,
  };
}

async function postShopify(order: Json): Promise<string> {
  const body = JSON.stringify(order);
  const result = await shopifyHandler(platformEvent('/v1/webhooks/shopify/orders', body, 'x-shopify-hmac-sha256', TEST_SHOPIFY_SECRET, { 'x-shopify-topic': 'orders/paid', 'x-shopify-webhook-id': uniqueId('wh') }), lambdaContext);
  expect(result.statusCode, result.body).toBe(202);
  return String((JSON.parse(result.body ?? '{}') as Json)['customerId']);
}

function wooOrder(customerId: string, email: string): Json {
  const example = fixture('woocommerce/order-created-customer.json');
  return { ...example, id: digits(), customer_id: customerId, billing: { ...(example['billing'] as Json), email } };
}

async function postWoo(order: Json): Promise<string> {
  const body = JSON.stringify(order);
  const result = await wooCommerceHandler(platformEvent('/v1/webhooks/woocommerce/orders', body, 'x-wc-webhook-signature', TEST_WOOCOMMERCE_SECRET, { 'x-wc-webhook-topic': 'order.created' }), lambdaContext);
  expect(result.statusCode, result.body).toBe(202);
  return String((JSON.parse(result.body ?? '{}') as Json)['customerId']);
}

async function customer(id: string) {
  const result = await getCustomer(adminEvent(`/v1/customers/${id}`, { id }), lambdaContext);
  return { status: result.statusCode ?? 200, ...(JSON.parse(result.body ?? '{}') as { orders?: Json[] }) };
}

/** What the customer's id holds: orders, points, journey entries; and that the other id holds none. */
async function oneCustomer(canonical: string, other: string, orders: number) {
  // Points and journeys follow the orders from the table's stream.
  await journeyRuntime.settled();
  expect((await customer(canonical)).orders).toHaveLength(orders);
  expect((await customer(other)).status).toBe(404);
  expect((await loyalty.store.getAccount(canonical))?.balance ?? 0).toBeGreaterThan(0);
  expect(await loyalty.store.getAccount(other)).toBeUndefined();
  const entries = await journeys.listEntries(canonical);
  // post-purchase starts for every order (its reentry rule), all of them on the one customer.
  expect(new Set(entries.filter((entry) => entry.journey === 'post-purchase').map((entry) => entry.orderId)).size).toBe(orders);
  expect(entries.filter((entry) => entry.journey === 'post-purchase')).toHaveLength(orders);
  expect(await journeys.listEntries(other)).toEqual([]);
}

describe('guest and registered customer with one email', () => {
  it('Shopify, guest first: the registered orders join the guest, later ones too whatever their email', async () => {
    const email = `${uniqueId('guest')}@example.com`;
    const registered = digits();

    const guest = await postShopify(shopifyOrder(null, email));
    const signedIn = await postShopify(shopifyOrder({ id: registered, email: email.toUpperCase() }, email));
    const changedEmail = await postShopify(shopifyOrder({ id: registered, email: `other-${email}` }, `other-${email}`));

    expect(guest).toBe(email);
    expect([signedIn, changedEmail]).toEqual([email, email]);
    await oneCustomer(email, registered, 3);
  });

  it('WooCommerce, registered first: a guest order with the same email joins the registered customer', async () => {
    const email = `${uniqueId('buyer')}@example.com`;
    const registered = digits();

    const signedIn = await postWoo(wooOrder(registered, email));
    const guest = await postWoo(wooOrder('0', email));

    expect([signedIn, guest]).toEqual([registered, registered]);
    await oneCustomer(registered, email, 2);
  });

  it('both at once: one customer, whichever claim wins', async () => {
    const email = `${uniqueId('race')}@example.com`;
    const registered = digits();

    const ids = await Promise.all([postShopify(shopifyOrder(null, email)), postShopify(shopifyOrder({ id: registered, email }, email))]);

    expect(ids[0]).toBe(ids[1]);
    await oneCustomer(ids[0]!, ids[0] === email ? registered : email, 2);
  });

  it('two registered accounts with one email stay two customers', async () => {
    const email = `${uniqueId('shared')}@example.com`;
    const [first, second] = [digits(), digits()];
    expect([await postShopify(shopifyOrder({ id: first, email }, email)), await postShopify(shopifyOrder({ id: second, email }, email))]).toEqual([first, second]);
  });
});
