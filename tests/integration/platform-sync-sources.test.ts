/**
 * The sync's readers of the platforms' orders against local stand-ins answering as Shopify and
 * WooCommerce document: several pages, rate-limit answers retried after the wait they ask for,
 * a refused key stopping the sync with the platform's reason, and what each order means.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopifyOrders } from '../../functions/adapters/shopify-orders.ts';
import { WooCommerceOrders } from '../../functions/adapters/woocommerce-orders.ts';
import { defaultPlatformSettings } from '../../functions/core/platforms/lifecycle.ts';
import { PlatformRequestError, type OrderPage, type OrderSource } from '../../functions/core/sync/platform-sync.ts';
import { shopifyOrderNode, startFakeShopifyOrders, type FakeShopifyOrders } from '../support/fake-shopify-orders.ts';
import { startFakeWooCommerceOrders, wooCommerceOrder, type FakeWooCommerceOrders } from '../support/fake-woocommerce-orders.ts';

const settings = { ...defaultPlatformSettings, defaultCountry: 'US' };
let shopify: FakeShopifyOrders;
let woo: FakeWooCommerceOrders;

beforeAll(async () => {
  [shopify, woo] = await Promise.all([startFakeShopifyOrders(), startFakeWooCommerceOrders()]);
  shopify.orders.push(
    ...[1, 2, 3, 4, 5].map((n) => ({ node: shopifyOrderNode(1000 + n, { customerId: 77, createdAt: `2026-02-0${n}T10:00:00Z` }), updatedAt: `2026-02-0${n}T10:00:00Z` })),
    { node: shopifyOrderNode(1009, { createdAt: '2026-02-06T10:00:00Z', cancelledAt: '2026-02-07T10:00:00Z', status: 'VOIDED' }), updatedAt: '2026-02-07T10:00:00Z' },
    { node: shopifyOrderNode(1010, { createdAt: '2026-02-06T10:00:00Z', test: true }), updatedAt: '2026-02-06T11:00:00Z' },
    { node: shopifyOrderNode(1011, { customerId: 78, createdAt: '2026-02-06T10:00:00Z', status: 'PAID', refunds: [{ id: 9001, amount: '5.00' }] }), updatedAt: '2026-02-08T10:00:00Z' },
    { node: shopifyOrderNode(900, { createdAt: '2025-12-01T10:00:00Z' }), updatedAt: '2025-12-01T10:00:00Z' },
  );
  woo.orders.push(
    ...[1, 2, 3, 4, 5].map((n) => wooCommerceOrder(500 + n, { createdAt: `2026-02-0${n}T09:00:00`, customerId: n === 1 ? 0 : 40 + n })),
    wooCommerceOrder(510, { createdAt: '2026-02-06T09:00:00', status: 'cancelled' }),
    wooCommerceOrder(511, { createdAt: '2026-02-06T09:00:00', status: 'pending' }),
  );
});

afterAll(async () => {
  await Promise.all([shopify?.close(), woo?.close()]);
});

async function pagesOf(source: OrderSource, since: Date, from?: string): Promise<OrderPage[]> {
  const pages: OrderPage[] = [];
  for await (const page of source.orders(since, from)) pages.push(page);
  return pages;
}

function shopifySource(waits: number[], token = shopify.token) {
  return new ShopifyOrders({
    storeDomain: 'fake-store.myshopify.com',
    apiVersion: '2026-10',
    accessToken: async () => token,
    apiOrigin: shopify.origin,
    settings,
    pageSize: 3,
    sleep: async (ms) => void waits.push(ms),
  });
}

function wooSource(waits: number[], secret = woo.secret) {
  return new WooCommerceOrders({ url: woo.url, credentials: async () => ({ key: woo.key, secret }), settings, pageSize: 2, sleep: async (ms) => void waits.push(ms) });
}

describe('Shopify Admin GraphQL orders', () => {
  it('pages by cursor through the orders updated since the date, waiting out THROTTLED and 429 answers as asked', async () => {
    const waits: number[] = [];
    shopify.faults.push('throttled');
    shopify.requests.length = 0;
    const source = shopifySource(waits);
    const pages: OrderPage[] = [];
    for await (const page of source.orders(new Date('2026-01-01T00:00:00Z'))) {
      pages.push(page);
      if (pages.length === 1) shopify.faults.push('429');
    }
    expect(pages.map((page) => page.orders.map((order) => order.orderId))).toEqual([['1001', '1002', '1003'], ['1004', '1005', '1010'], ['1009', '1011']]);
    expect(pages.map((page) => page.next !== undefined)).toEqual([true, true, false]);
    // (752 requested - 700 available) / 100 restored per second; then Retry-After: 1.0.
    expect(waits).toEqual([520, 1000]);
    expect(shopify.requests.map((request) => request.answered)).toEqual([200, 200, 429, 200, 200]);
    expect(shopify.requests[0]!.variables).toMatchObject({ first: 3, query: "updated_at:>='2026-01-01T00:00:00.000Z'" });

    const byId = new Map(pages.flatMap((page) => page.orders).map((order) => [order.orderId, 'actions' in order ? order.actions : order.error]));
    expect(byId.get('1001')).toEqual([
      {
        kind: 'record',
        purchase: expect.objectContaining({
          orderId: '1001',
          currency: 'USD',
          total: '30.00',
          customer: expect.objectContaining({ id: '77', email: 'buyer1001@example.com', phone: '+16135550123', name: 'Ada Lovelace', consent: { email: true, sms: false } }),
          items: [{ sku: 'TEA-1', name: 'Green tea', category: 'tea', quantity: 1, unitPrice: '30.00' }],
        }),
      },
    ]);
    expect(byId.get('1009')).toEqual([expect.objectContaining({ kind: 'cancel', orderId: '1009' })]);
    expect(byId.get('1010')).toEqual([{ kind: 'skip', orderId: '1010', reason: 'a test order' }]);
    expect(byId.get('1011')).toEqual([
      expect.objectContaining({ kind: 'record' }),
      { kind: 'refund', orderId: '1011', refundId: '9001', amount: '5.00', currency: 'USD' },
    ]);
  });

  it('goes on from a cursor', async () => {
    const pages = await pagesOf(shopifySource([]), new Date('2026-01-01T00:00:00Z'), Buffer.from('6').toString('base64'));
    expect(pages.map((page) => page.orders.map((order) => order.orderId))).toEqual([['1009', '1011']]);
  });

  it("stops with Shopify's answer when the token is refused (401)", async () => {
    const refused = pagesOf(shopifySource([], 'shpat_wrong'), new Date('2026-01-01T00:00:00Z'));
    await expect(refused).rejects.toBeInstanceOf(PlatformRequestError);
    await expect(refused).rejects.toThrow('Shopify refused the orders query (HTTP 401): GraphQL Client: Unauthorized');
  });
});

describe('WooCommerce REST orders', () => {
  it('pages by X-WP-TotalPages through the orders modified since the date, waiting out a 429 for its Retry-After', async () => {
    const waits: number[] = [];
    woo.requests.length = 0;
    woo.faults.push('429');
    const pages = await pagesOf(wooSource(waits), new Date('2026-01-01T00:00:00Z'));
    expect(pages.map((page) => page.orders.map((order) => order.orderId))).toEqual([['501', '502'], ['503', '504'], ['505', '510'], ['511']]);
    expect(waits).toEqual([1000]);
    expect(woo.requests.map((request) => [request.answered, request.query.get('page')])).toEqual([[429, '1'], [200, '1'], [200, '2'], [200, '3'], [200, '4']]);
    expect(Object.fromEntries(woo.requests[1]!.query)).toMatchObject({ modified_after: '2026-01-01T00:00:00', dates_are_gmt: 'true', per_page: '2' });
    const byId = new Map(pages.flatMap((page) => page.orders).map((order) => [order.orderId, 'actions' in order ? order.actions : order.error]));
    expect(byId.get('501')).toEqual([
      { kind: 'record', purchase: expect.objectContaining({ orderId: '501', customer: expect.objectContaining({ id: 'woo501@example.com', phone: '+15555550107' }), items: [expect.objectContaining({ name: 'Coffee & beans' })] }) },
    ]);
    expect(byId.get('510')).toEqual([{ kind: 'cancel', orderId: '510', reason: 'status cancelled' }]);
    expect(byId.get('511')).toEqual([expect.objectContaining({ kind: 'skip', orderId: '511' })]);
  });

  it("stops with WooCommerce's message when the key is refused (401)", async () => {
    await expect(pagesOf(wooSource([], 'cs_wrong'), new Date('2026-01-01T00:00:00Z'))).rejects.toThrow(
      new PlatformRequestError('WooCommerce refused GET /wp-json/wc/v3/orders (HTTP 401): Sorry, you cannot list resources.'),
    );
  });
});
