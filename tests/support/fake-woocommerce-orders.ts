/**
 * A stand-in for a WooCommerce store's REST API answering GET /wp-json/wc/v3/orders as WooCommerce
 * documents it: HTTP Basic with the consumer key and secret (401 woocommerce_rest_cannot_view
 * otherwise), `modified_after` with `dates_are_gmt`, `per_page` (1-100) and `page`, the
 * X-WP-Total and X-WP-TotalPages headers, and 429 with Retry-After on demand.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWooCommerceOrders {
  url: string;
  key: string;
  secret: string;
  /** Order resources (as webhooks carry them) with their date_modified_gmt. */
  orders: Record<string, unknown>[];
  faults: '429'[];
  requests: { query: URLSearchParams; answered: number }[];
  close(): Promise<void>;
}

export async function startFakeWooCommerceOrders(options: { key?: string; secret?: string } = {}): Promise<FakeWooCommerceOrders> {
  const key = options.key ?? 'ck_fake_orders';
  const secret = options.secret ?? 'cs_fake_orders';
  const fake: Omit<FakeWooCommerceOrders, 'url' | 'close'> = { key, secret, orders: [], faults: [], requests: [] };
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      response.end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://fake');
    if (request.method !== 'GET' || url.pathname !== '/wp-json/wc/v3/orders') return send(404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
    if (request.headers.authorization !== `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`) {
      fake.requests.push({ query: url.searchParams, answered: 401 });
      return send(401, { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } });
    }
    if (fake.faults.shift() === '429') {
      fake.requests.push({ query: url.searchParams, answered: 429 });
      return send(429, { code: 'too_many_requests', message: 'Too many requests.', data: { status: 429 } }, { 'retry-after': '1' });
    }
    fake.requests.push({ query: url.searchParams, answered: 200 });
    const perPage = Number(url.searchParams.get('per_page') ?? '10');
    const page = Number(url.searchParams.get('page') ?? '1');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return send(400, { code: 'rest_invalid_param', message: 'Invalid parameter(s): per_page', data: { status: 400 } });
    const after = url.searchParams.get('modified_after');
    const gmt = (value: string) => Date.parse(`${value}Z`);
    const matching = fake.orders
      .filter((order) => after === null || gmt(String(order.date_modified_gmt)) > gmt(after))
      .sort((a, b) => Number(a.id) - Number(b.id));
    const totalPages = Math.ceil(matching.length / perPage);
    send(200, matching.slice((page - 1) * perPage, page * perPage), { 'x-wp-total': String(matching.length), 'x-wp-totalpages': String(totalPages) });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(Object.assign(fake, { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((closed) => server.close(() => closed())) }) as FakeWooCommerceOrders);
    });
  });
}

/** A WooCommerce order resource (REST v3), as GET /orders and the order webhooks give it. */
export function wooCommerceOrder(id: number, options: { status?: string; createdAt: string; modifiedAt?: string; customerId?: number; total?: string }): Record<string, unknown> {
  const total = options.total ?? '20.00';
  return {
    id,
    status: options.status ?? 'processing',
    currency: 'USD',
    date_created_gmt: options.createdAt,
    date_modified_gmt: options.modifiedAt ?? options.createdAt,
    total,
    customer_id: options.customerId ?? 0,
    billing: { first_name: 'Grace', last_name: 'Hopper', email: `woo${id}@example.com`, phone: '(555) 555-0107', country: 'US' },
    shipping: { phone: '', country: 'US' },
    refunds: [],
    line_items: [{ id: id * 10, name: 'Coffee &amp; beans', product_id: 55, variation_id: 0, quantity: 1, sku: 'COF-1', price: Number(total), subtotal: total, total }],
    coupon_lines: [],
    created_via: 'checkout',
  };
}
