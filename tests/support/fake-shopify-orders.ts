/**
 * A stand-in for a Shopify store's Admin GraphQL API answering the `orders` query as Shopify
 * documents it: POST /admin/api/<version>/graphql.json with X-Shopify-Access-Token (401 and
 * `{"errors":"[API] Invalid API key or access token ..."}` otherwise), `first`/`after` cursor
 * pagination with pageInfo { hasNextPage endCursor }, the `updated_at:>='<instant>'` search filter,
 * and rate limits on demand: a `THROTTLED` error with extensions.cost.throttleStatus (HTTP 200), or
 * HTTP 429 with Retry-After.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeShopifyOrder {
  /** The order node as the query returns it. */
  node: Record<string, unknown>;
  updatedAt: string;
}

export interface FakeShopifyOrders {
  origin: string;
  token: string;
  orders: FakeShopifyOrder[];
  /** Faults answered to the next requests, one each, in order. */
  faults: ('throttled' | '429')[];
  requests: { variables: Record<string, unknown>; answered: number }[];
  close(): Promise<void>;
}

export async function startFakeShopifyOrders(options: { token?: string } = {}): Promise<FakeShopifyOrders> {
  const token = options.token ?? 'shpat_fake_orders';
  const fake: Omit<FakeShopifyOrders, 'origin' | 'close'> = { token, orders: [], faults: [], requests: [] };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || !/^\/admin\/api\/[\w-]+\/graphql\.json$/.test(request.url ?? '')) return send(404, { errors: 'Not Found' });
      if (request.headers['x-shopify-access-token'] !== token) {
        fake.requests.push({ variables: {}, answered: 401 });
        return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      }
      const { query, variables = {} } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
      const fault = fake.faults.shift();
      if (fault === '429') {
        fake.requests.push({ variables, answered: 429 });
        return send(429, { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, { 'retry-after': '1.0' });
      }
      const cost = { requestedQueryCost: 752, actualQueryCost: fault === 'throttled' ? null : 40, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: fault === 'throttled' ? 700 : 1960, restoreRate: 100 } };
      if (fault === 'throttled') {
        fake.requests.push({ variables, answered: 200 });
        return send(200, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }], extensions: { cost } });
      }
      if (!/orders\(first: \$first, after: \$after, query: \$query/.test(query)) return send(200, { errors: [{ message: 'the fake answers only the orders query' }] });
      fake.requests.push({ variables, answered: 200 });
      const since = /^updated_at:>='([^']+)'$/.exec(String(variables.query ?? ''))?.[1];
      const matching = fake.orders
        .filter((order) => since === undefined || Date.parse(order.updatedAt) >= Date.parse(since))
        .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
      const start = typeof variables.after === 'string' ? Number(Buffer.from(variables.after, 'base64').toString('utf8')) : 0;
      const first = Number(variables.first);
      if (!Number.isInteger(first) || first < 1 || first > 250) return send(200, { errors: [{ message: 'first must be between 1 and 250' }] });
      const page = matching.slice(start, start + first);
      const end = start + page.length;
      send(200, {
        data: {
          orders: {
            pageInfo: { hasNextPage: end < matching.length, endCursor: page.length > 0 ? Buffer.from(String(end)).toString('base64') : null },
            nodes: page.map((order) => order.node),
          },
        },
        extensions: { cost },
      });
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  }) as FakeShopifyOrders;
}

/** An order node as the orders query of functions/core/platforms/shopify-graphql.ts returns it. */
export function shopifyOrderNode(id: number, options: { customerId?: number; email?: string; total?: string; createdAt: string; status?: string; cancelledAt?: string; test?: boolean; refunds?: { id: number; amount: string }[] }): Record<string, unknown> {
  const money = (amount: string) => ({ shopMoney: { amount, currencyCode: 'USD' } });
  const total = options.total ?? '30.00';
  return {
    id: `gid://shopify/Order/${id}`,
    legacyResourceId: String(id),
    createdAt: options.createdAt,
    processedAt: options.createdAt,
    test: options.test ?? false,
    cancelledAt: options.cancelledAt ?? null,
    cancelReason: options.cancelledAt ? 'CUSTOMER' : null,
    displayFinancialStatus: options.status ?? 'PAID',
    email: options.email ?? `buyer${id}@example.com`,
    phone: null,
    customerLocale: 'en',
    sourceName: 'web',
    discountCodes: [],
    totalPriceSet: money(total),
    billingAddress: { countryCodeV2: 'US', phone: null },
    shippingAddress: null,
    customer: options.customerId === undefined ? null : {
      id: `gid://shopify/Customer/${options.customerId}`,
      legacyResourceId: String(options.customerId),
      firstName: 'Ada',
      lastName: 'Lovelace',
      locale: 'en',
      defaultEmailAddress: { emailAddress: options.email ?? `buyer${id}@example.com`, marketingState: 'SUBSCRIBED' },
      defaultPhoneNumber: { phoneNumber: '+16135550123', marketingState: 'NOT_SUBSCRIBED' },
      defaultAddress: { countryCodeV2: 'US', phone: null },
    },
    lineItems: {
      pageInfo: { hasNextPage: false },
      nodes: [{ id: `gid://shopify/LineItem/${id}01`, sku: 'TEA-1', name: 'Green tea', title: 'Green tea', quantity: 1, originalUnitPriceSet: money(total), variant: { legacyResourceId: '7001' }, product: { legacyResourceId: '8001', productType: 'tea' } }],
    },
    refunds: (options.refunds ?? []).map((refund) => ({
      id: `gid://shopify/Refund/${refund.id}`,
      legacyResourceId: String(refund.id),
      note: null,
      transactions: { nodes: [{ kind: 'REFUND', status: 'SUCCESS', amountSet: money(refund.amount) }] },
    })),
  };
}
