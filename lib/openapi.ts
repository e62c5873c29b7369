/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the zod schemas the handlers validate
 * with, and from the route table both hosts deploy. The local host serves it at /openapi.json.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { purchaseInputSchema, refundInputSchema } from '../functions/core/purchase.ts';
import { apiRoutes, type ApiRoute } from './routes.ts';

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const acceptedSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  status: z.enum(['recorded', 'duplicate']),
});

const refundAcceptedSchema = acceptedSchema.extend({ refundId: z.string() });

const orderSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  placedAt: z.string(),
  currency: z.string(),
  totalMinor: z.number().int(),
  refundedMinor: z.number().int(),
  items: z.array(z.object({ sku: z.string(), name: z.string().optional(), category: z.string().optional(), quantity: z.number().int(), unitPriceMinor: z.number().int() })),
  source: z.enum(['comeback', 'shopify', 'woocommerce']),
  channel: z.string().optional(),
  promoCode: z.string().optional(),
});

const profileSchema = z.object({
  customerId: z.string(),
  orderCount: z.number().int(),
  netRevenueMinor: z.number().int().describe('net revenue in `currency`, the currency of the first order'),
  currency: z.string(),
  revenueByCurrency: z.record(z.string(), z.number().int()),
  refundedMinorByCurrency: z.record(z.string(), z.number().int()),
  firstOrderAt: z.string(),
  lastOrderAt: z.string(),
  categories: z.array(z.string()),
  skus: z.array(z.string()),
  email: z.string().optional(),
  phone: z.string().optional(),
  name: z.string().optional(),
  locale: z.string().optional(),
  timezone: z.string().optional(),
  consent: z.object({ email: z.boolean().optional(), sms: z.boolean().optional() }),
});

const customerSchema = z.object({ profile: profileSchema, orders: z.array(orderSchema) });

const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [status, { description: problemText[status] ?? 'error', content: { 'application/problem+json': { schema: problemSchema } } }]),
  );

const problemText: Record<number, string> = {
  400: 'malformed JSON or a schema violation; `errors` lists the failing fields',
  401: 'missing, wrong or stale signature (or admin token)',
  404: 'unknown',
  409: 'the id was already recorded with a different payload',
  413: 'body over 256 KiB',
  415: 'body is not JSON',
  422: 'refund exceeds what was paid',
};

const signed = { 'comeback-signature': z.string().describe('t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>') };

/** How each route is described; keyed by the route table's ids, so a new route must be described. */
const operations: Record<string, (route: ApiRoute) => Parameters<OpenAPIRegistry['registerPath']>[0]> = {
  RecordPurchase: (route) => ({
    method: 'post',
    path: route.path,
    summary: 'Record a purchase (generic Comeback format)',
    request: { headers: z.object(signed), body: { content: { 'application/json': { schema: purchaseInputSchema } } } },
    responses: { 202: { description: 'recorded, or a duplicate of a recorded order', content: { 'application/json': { schema: acceptedSchema } } }, ...problems(400, 401, 409, 413, 415) },
  }),
  RecordRefund: (route) => ({
    method: 'post',
    path: route.path,
    summary: 'Record a refund against a recorded order',
    request: { params: z.object({ orderId: z.string() }), headers: z.object(signed), body: { content: { 'application/json': { schema: refundInputSchema } } } },
    responses: { 202: { description: 'recorded, or a duplicate refund', content: { 'application/json': { schema: refundAcceptedSchema } } }, ...problems(400, 401, 404, 409, 413, 415, 422) },
  }),
  ShopifyOrder: (route) => ({
    method: 'post',
    path: route.path,
    summary: "Shopify's orders/create or orders/paid webhook",
    request: { headers: z.object({ 'x-shopify-hmac-sha256': z.string(), 'x-shopify-webhook-id': z.string().optional() }) },
    responses: { 202: { description: 'recorded or duplicate', content: { 'application/json': { schema: acceptedSchema } } }, ...problems(400, 401, 409, 413, 415) },
  }),
  WooCommerceOrder: (route) => ({
    method: 'post',
    path: route.path,
    summary: "WooCommerce's order webhook (its ping delivery gets a 200)",
    request: { headers: z.object({ 'x-wc-webhook-signature': z.string() }) },
    responses: {
      200: { description: 'ping acknowledged' },
      202: { description: 'recorded or duplicate', content: { 'application/json': { schema: acceptedSchema } } },
      ...problems(400, 401, 409, 413, 415),
    },
  }),
  GetCustomer: (route) => ({
    method: 'get',
    path: route.path,
    summary: "A customer's profile and recent orders (admin token)",
    security: [{ adminToken: [] }],
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: { description: 'the customer', content: { 'application/json': { schema: customerSchema } } }, ...problems(401, 404) },
  }),
};

export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer' });
  for (const route of apiRoutes) {
    const describe = operations[route.id];
    if (!describe) throw new Error(`route ${route.id} has no OpenAPI description`);
    registry.registerPath(describe(route));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Comeback API', version: '1', description: 'Purchase webhooks and customer history of the Comeback repeat-sales engine.' },
  });
}
