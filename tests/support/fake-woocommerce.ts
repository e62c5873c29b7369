/**
 * A stand-in for a WooCommerce store's REST API: POST /wp-json/wc/v3/coupons as WooCommerce
 * documents it. HTTP Basic with the consumer key and secret (401 woocommerce_rest_cannot_create
 * otherwise), a JSON coupon whose properties are checked against the documented types (amount is a
 * string, usage limits integers, email_restrictions a list of addresses, dates ISO 8601 without a
 * zone), codes kept lower-cased as WooCommerce does, and a code that exists already answered with
 * 400 woocommerce_rest_coupon_code_already_exists.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'ISO 8601 without a zone');

/** The coupon properties Comeback may send (WooCommerce REST API v3, Coupons). */
const couponInput = z.strictObject({
  code: z.string().min(1),
  description: z.string().optional(),
  discount_type: z.enum(['percent', 'fixed_cart', 'fixed_product']),
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  individual_use: z.boolean().optional(),
  usage_limit: z.number().int().min(1).nullable().optional(),
  usage_limit_per_user: z.number().int().min(1).nullable().optional(),
  email_restrictions: z.array(z.email()).optional(),
  date_expires: localDateTime.nullable().optional(),
  date_expires_gmt: localDateTime.nullable().optional(),
});

export type WooCommerceCoupon = z.infer<typeof couponInput> & { id: number };

export interface FakeWooCommerce {
  url: string;
  key: string;
  secret: string;
  /** Coupons created, by their (lower-cased) code. */
  coupons: Map<string, WooCommerceCoupon>;
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

export async function startFakeWooCommerce(options: { key?: string; secret?: string } = {}): Promise<FakeWooCommerce> {
  const key = options.key ?? 'ck_fake_key';
  const secret = options.secret ?? 'cs_fake_secret';
  const coupons = new Map<string, WooCommerceCoupon>();
  const requests: FakeWooCommerce['requests'] = [];
  let nextId = 700;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      answer(request, response, body);
    });
  });

  function send(response: ServerResponse, status: number, payload: unknown) {
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    response.end(JSON.stringify(payload));
  }

  function answer(request: IncomingMessage, response: ServerResponse, body: string) {
    if (request.url !== '/wp-json/wc/v3/coupons') return send(response, 404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
    if (request.method !== 'POST') return send(response, 404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
    if (request.headers.authorization !== `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`) {
      return send(response, 401, { code: 'woocommerce_rest_cannot_create', message: 'Sorry, you are not allowed to create resources.', data: { status: 401 } });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return send(response, 400, { code: 'rest_invalid_json', message: 'Invalid JSON body passed.', data: { status: 400 } });
    }
    const coupon = couponInput.safeParse(json);
    if (!coupon.success) {
      const issue = coupon.error.issues[0]!;
      return send(response, 400, { code: 'rest_invalid_param', message: `Invalid parameter(s): ${issue.path.join('.')}`, data: { status: 400, params: { [String(issue.path[0])]: issue.message } } });
    }
    const code = coupon.data.code.toLowerCase();
    if (coupons.has(code)) return send(response, 400, { code: 'woocommerce_rest_coupon_code_already_exists', message: 'The coupon code already exists', data: { status: 400 } });
    nextId += 1;
    const created = { ...coupon.data, code, id: nextId };
    coupons.set(code, created);
    send(response, 201, { ...created, amount: Number(coupon.data.amount).toFixed(2), usage_count: 0, date_created_gmt: new Date(0).toISOString().slice(0, 19) });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    secret,
    coupons,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
