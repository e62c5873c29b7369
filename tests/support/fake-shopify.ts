/**
 * A stand-in for a Shopify store's Admin GraphQL API (POST /admin/api/<version>/graphql.json),
 * answering discountCodeBasicCreate as Shopify documents it: the X-Shopify-Access-Token header,
 * a JSON body of { query, variables }, DiscountCodeBasicInput checked field by field (context for
 * the buyers, from 2025-10 on instead of customerSelection), a code that exists already answered
 * with the userError TAKEN, and throttling both ways Shopify throttles: HTTP 429 (REST-style rate
 * limit) and a 200 whose errors carry extensions.code THROTTLED (the GraphQL cost limit).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

const dateTime = z.iso.datetime({ offset: true });
const customerGid = z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/);

/** DiscountCodeBasicInput (Admin GraphQL 2025-10 and later), the fields Comeback may send. */
const discountCodeBasicInput = z.strictObject({
  title: z.string().min(1),
  code: z.string().min(1).max(255),
  startsAt: dateTime,
  endsAt: dateTime.nullable().optional(),
  context: z.union([
    z.strictObject({ all: z.literal('ALL') }),
    z.strictObject({ customers: z.strictObject({ add: z.array(customerGid).min(1) }) }),
  ]),
  customerGets: z.strictObject({
    value: z.union([z.strictObject({ percentage: z.number().gt(0).lte(1) }), z.strictObject({ discountAmount: z.strictObject({ amount: z.string(), appliesOnEachItem: z.boolean() }) })]),
    items: z.strictObject({ all: z.literal(true) }),
  }),
  appliesOncePerCustomer: z.boolean().optional(),
  usageLimit: z.number().int().min(1).nullable().optional(),
});

export type ShopifyDiscountInput = z.infer<typeof discountCodeBasicInput>;

/** The document must be this mutation, whatever its whitespace. */
const MUTATION = /^mutation\s+\w*\s*\(\s*\$basicCodeDiscount\s*:\s*DiscountCodeBasicInput!\s*\)\s*\{\s*discountCodeBasicCreate\s*\(\s*basicCodeDiscount\s*:\s*\$basicCodeDiscount\s*\)\s*\{[^]*userErrors\s*\{[^}]*\bcode\b[^}]*\}[^]*\}\s*\}\s*$/;

export interface FakeShopify {
  /** The origin to point the client at (COMEBACK_SHOPIFY_API_ORIGIN). */
  origin: string;
  storeDomain: string;
  accessToken: string;
  apiVersion: string;
  /** Discounts created, by code. */
  discounts: Map<string, ShopifyDiscountInput>;
  /** Every request's path, headers and body, as received. */
  requests: { path: string; headers: IncomingMessage['headers']; body: string }[];
  /** The next n requests are throttled, as an HTTP 429 or as a GraphQL THROTTLED error. */
  throttle(kind: 'http-429' | 'graphql', times?: number): void;
  close(): Promise<void>;
}

export async function startFakeShopify(options: { accessToken?: string; apiVersion?: string } = {}): Promise<FakeShopify> {
  const accessToken = options.accessToken ?? 'shpat_fake_token';
  const apiVersion = options.apiVersion ?? '2026-10';
  const discounts = new Map<string, ShopifyDiscountInput>();
  const requests: FakeShopify['requests'] = [];
  const throttles: ('http-429' | 'graphql')[] = [];
  let nextId = 1_000_000;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      answer(request, response, body);
    });
  });

  function send(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(payload));
  }

  function answer(request: IncomingMessage, response: ServerResponse, body: string) {
    if (request.method !== 'POST' || request.url !== `/admin/api/${apiVersion}/graphql.json`) return send(response, 404, { errors: 'Not Found' });
    if (request.headers['x-shopify-access-token'] !== accessToken) return send(response, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    if (!String(request.headers['content-type']).startsWith('application/json')) return send(response, 415, { errors: 'Unsupported Media Type' });
    const throttled = throttles.shift();
    if (throttled === 'http-429') return send(response, 429, { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, { 'retry-after': '2.0' });
    if (throttled === 'graphql') {
      return send(response, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } } },
      });
    }
    let parsed: { query?: unknown; variables?: { basicCodeDiscount?: unknown } };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return send(response, 400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    if (typeof parsed.query !== 'string' || !MUTATION.test(parsed.query.trim())) {
      return send(response, 200, { errors: [{ message: 'the fake store answers only discountCodeBasicCreate', extensions: { code: 'undefinedField' } }] });
    }
    const input = discountCodeBasicInput.safeParse(parsed.variables?.basicCodeDiscount);
    if (!input.success) {
      return send(response, 200, {
        errors: [
          {
            message: `Variable $basicCodeDiscount of type DiscountCodeBasicInput! was provided invalid value: ${input.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
            extensions: { code: 'INVALID_VARIABLE', value: parsed.variables?.basicCodeDiscount },
          },
        ],
      });
    }
    const taken = [...discounts.keys()].some((code) => code.toLowerCase() === input.data.code.toLowerCase());
    if (taken) {
      return send(response, 200, {
        data: { discountCodeBasicCreate: { codeDiscountNode: null, userErrors: [{ field: ['basicCodeDiscount', 'code'], code: 'TAKEN', message: 'Code must be unique. Please try a different code.' }] } },
      });
    }
    discounts.set(input.data.code, input.data);
    nextId += 1;
    send(response, 200, {
      data: { discountCodeBasicCreate: { codeDiscountNode: { id: `gid://shopify/DiscountCodeNode/${nextId}` }, userErrors: [] } },
      extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } } },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    storeDomain: 'comeback-test.myshopify.com',
    accessToken,
    apiVersion,
    discounts,
    requests,
    throttle(kind, times = 1) {
      for (let index = 0; index < times; index += 1) throttles.push(kind);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
