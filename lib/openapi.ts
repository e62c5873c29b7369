/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the zod schemas the handlers validate
 * with, and from the route table both hosts deploy. The local host serves it at /openapi.json.
 */
import { syncPlatformSchema, syncRequestSchema, syncSummarySchema } from '../functions/core/sync/request.ts';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { COMMENT_MAX_LENGTH, feedbackInputSchema } from '../functions/core/analytics/feedback.ts';
import { optOutVias } from '../functions/core/delivery/opt-outs.ts';
import { taskCompletionSchema } from '../functions/core/delivery/tasks.ts';
import { poolUploadAnswerSchema, poolUploadSchema } from '../functions/core/discounts/api.ts';
import { entryStatuses, stateMachineJourneys } from '../functions/core/journeys.ts';
import { loyaltyViewSchema, redemptionConfirmationSchema, redemptionRefusalSchema } from '../functions/core/loyalty/api.ts';
import { redeemInputSchema } from '../functions/core/loyalty/use-cases.ts';
import { purchaseInputSchema, refundInputSchema } from '../functions/core/purchase.ts';
import { consentStatementInputSchema } from '../functions/core/consent.ts';
import { privacyTopics } from '../functions/core/privacy/shopify-privacy.ts';
import { importQuerySchema, importSummarySchema, MAX_IMPORT_BYTES } from '../functions/core/imports/request.ts';
import { importRecordSchema, importUploadSchema } from '../functions/core/imports/import-job.ts';
import { apiRoutes, type ApiRoute } from './routes.ts';
import { classicSchemas } from './classic-schema.ts';

/**
 * The saved-segment filter is a recursive tree (all / any / not over conditions); the document
 * shows one node, since the generator cannot follow the recursion of the validating schema.
 */
const segmentDefinitionSchema = z.object({
  description: z.string().max(500).optional(),
  filter: z
    .object({
      type: z.enum(['all', 'any', 'not', 'boughtCategory', 'boughtSku', 'lastOrder', 'firstOrder', 'orderCount', 'netRevenue', 'orderTotal', 'segment', 'consent']),
    })
    .loose()
    .describe('all/any: { filters: [node...] }; not: { filter: node }; boughtCategory: { category }; boughtSku: { sku }; lastOrder/firstOrder: { minDaysAgo?, maxDaysAgo? }; orderCount: { min?, max? }; netRevenue: { currency, minMinor?, maxMinor? }; orderTotal: { currency, overMinor }; segment: { segment }; consent: { channel }'),
});

/** A page for a person; served with a Content-Security-Policy that allows nothing from elsewhere. */
const htmlSchema = z.string().describe('an HTML document');

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

/** What a platform webhook's delivery did: the order's outcome, and the refunds it carried. */
const platformOutcomeSchema = z.object({
  orderId: z.string(),
  customerId: z.string().optional(),
  status: z
    .enum(['recorded', 'duplicate', 'not_counted', 'reversed', 'early'])
    .describe('not_counted: a test, unpaid, failed or already cancelled order (see reason); reversed: a cancellation or refund took money back; early: a cancellation or refund kept until its order arrives'),
  kind: z.enum(['cancellation', 'refund']).optional(),
  refundId: z.string().optional(),
  reversedMinor: z.number().int().optional().describe('minor units taken back from the order'),
  reason: z.string().optional(),
});
const platformAnswerSchema = platformOutcomeSchema.extend({ refunds: z.array(platformOutcomeSchema).optional().describe('refunds listed on a WooCommerce order') });

const consentAnswerSchema = z.object({
  customerId: z.string(),
  consent: z.object({ email: z.boolean().optional(), sms: z.boolean().optional() }),
  consentAsOf: z.object({ email: z.string().optional(), sms: z.string().optional() }),
  consentSource: z.object({ email: z.string().optional(), sms: z.string().optional() }),
});

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
  consent: z
    .object({ email: z.boolean().optional(), sms: z.boolean().optional() })
    .describe('marketing consent per channel as delivery applies it: given at checkout, and false once the customer opted out (see optOuts)'),
  optOuts: z
    .object({
      email: z.object({ at: z.string(), via: z.enum(optOutVias).optional() }).optional(),
      sms: z.object({ at: z.string(), via: z.enum(optOutVias).optional() }).optional(),
    })
    .describe('when and how marketing consent was withdrawn, per channel: the unsubscribe page (unsubscribe-link), a mailbox one-click unsubscribe (one-click), or an SMS reply such as STOP (sms-stop)'),
});

const intervalSchema = z.tuple([z.number(), z.number()]).describe('[low, high]: the 10th and 90th percentiles of the posterior');

/** A customer's predictions (functions/core/analytics/predictions.ts), or why there are none yet. */
const predictionsSchema = z.union([
  z
    .object({
      pAlive: z.number(),
      expectedPurchases90d: z.number(),
      expectedNextOrderAt: z.string().nullable(),
      predictedClv: z.number().nullable().describe('expected net spend over the CLV horizon, in minor units of `currency`'),
      currency: z.string(),
      fittedAt: z.string(),
      asOf: z.string().optional(),
      intervals: z
        .object({
          level: z.number(),
          pAlive: intervalSchema,
          expectedPurchases90d: intervalSchema,
          purchases90d: intervalSchema.describe('the number of orders in the next 90 days itself (whole numbers)'),
          predictedClv: intervalSchema.nullable(),
        })
        .optional()
        .describe('80 % credible intervals of the MAP fit (absent on predictions stored before them)'),
    })
    .loose(),
  z.object({ available: z.literal(false), reason: z.string() }),
]);

/** The answer of GET /v1/customers/{id}; exported so tests hold the handler to it. */
export const customerSchema = z.object({
  profile: profileSchema.loose(),
  orders: z.array(orderSchema),
  predictions: predictionsSchema,
  feedback: z
    .array(z.object({ entryId: z.string(), score: z.number().int().min(0).max(10), comment: z.string().optional(), at: z.string() }))
    .describe('the NPS answers that count, one per feedback request answered, oldest first'),
  rfm: z
    .object({ r: z.number().int().min(1).max(5), f: z.number().int().min(1).max(5), m: z.number().int().min(1).max(5), score: z.number().int().min(3).max(15) })
    .nullable()
    .describe("recency, frequency and monetary scores 1-5 by the store's quintiles at the last recompute, and their sum (the RFM tier); null before the customer was scored"),
});

/** The answer of GET /v1/customers/{id}/export: every stored item of the customer, by its kind. */
const customerExportSchema = z.object({ customerId: z.string() }).catchall(z.array(z.record(z.string(), z.unknown())));

const privacyRequestSchema = z.object({
  requestId: z.string(),
  topic: z.enum(privacyTopics),
  receivedAt: z.string(),
  shopDomain: z.string().optional(),
  customers: z.array(z.object({ customerId: z.string(), exportPath: z.string() })),
  orderIds: z.array(z.string()).optional(),
});

const journeyParameter = z.enum(stateMachineJourneys);

const journeyMembersSchema = z.object({
  journey: journeyParameter,
  status: z.enum(entryStatuses),
  items: z.array(
    z.object({
      customerId: z.string(),
      entryId: z.string(),
      enteredAt: z.string(),
      step: z.string().nullable(),
      stepAt: z.string().nullable(),
      holdout: z.boolean(),
      endedAt: z.string().optional(),
      failure: z.string().optional().describe('why the journey failed for this customer (status failed)'),
    }),
  ),
  cursor: z.string().optional().describe('pass as ?cursor= for the next page'),
});

const taskSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  journey: z.string(),
  reason: z.string(),
  dueAt: z.string(),
  status: z.enum(['open', 'done']),
  subject: z.string(),
  text: z.string(),
  createdAt: z.string(),
  historyAtAGlance: z.object({ orderCount: z.number().int(), lastOrderAt: z.string(), netRevenueMinor: z.number().int(), currency: z.string() }),
  outcome: z.string().optional(),
  churnReason: z.string().optional(),
  note: z.string().optional(),
  completedAt: z.string().optional(),
});

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
    summary: "Shopify's orders/create, orders/paid, orders/updated, orders/cancelled and refunds/create webhooks",
    request: {
      headers: z.object({
        'x-shopify-hmac-sha256': z.string(),
        'x-shopify-webhook-id': z.string().optional(),
        'x-shopify-topic': z.string().optional().describe('orders/cancelled and refunds/create reverse; any other topic carries an order'),
      }),
    },
    responses: {
      200: { description: 'acknowledged, not counted: a test, unpaid or voided order (see reason)', content: { 'application/json': { schema: platformAnswerSchema } } },
      202: { description: 'recorded, reversed or kept until the order arrives (or a duplicate of one that was)', content: { 'application/json': { schema: platformAnswerSchema } } },
      ...problems(400, 401, 409, 413, 415),
    },
  }),
  WooCommerceOrder: (route) => ({
    method: 'post',
    path: route.path,
    summary: "WooCommerce's order webhook (its ping delivery gets a 200)",
    request: { headers: z.object({ 'x-wc-webhook-signature': z.string(), 'x-wc-webhook-topic': z.string().optional().describe("order.created or order.updated; the order's status decides") }) },
    responses: {
      200: { description: 'ping acknowledged, or an order that does not count (pending, on-hold, failed: see reason)', content: { 'application/json': { schema: platformAnswerSchema } } },
      202: { description: 'recorded (with its refunds), reversed (cancelled or refunded), or kept until the order arrives', content: { 'application/json': { schema: platformAnswerSchema } } },
      ...problems(400, 401, 409, 413, 415),
    },
  }),
  RecordConsent: (route) => ({
    method: 'put',
    path: route.path,
    summary: "Marketing consent given or withdrawn on the store's own site (WooCommerce records none); per channel the latest statement wins, an opt-out through a message's link still stands",
    request: { params: z.object({ id: z.string() }), headers: z.object(signed), body: { content: { 'application/json': { schema: consentStatementInputSchema } } } },
    responses: { 200: { description: "the customer's consent after the statement", content: { 'application/json': { schema: consentAnswerSchema } } }, ...problems(400, 401, 404, 413, 415) },
  }),
  SearchCustomers: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'Find customers by id, by an email they ordered with, or by phone number (read into E.164 as the webhooks read it); exactly one of the three (admin token)',
    security: [{ adminToken: [] }],
    request: { query: z.object({ id: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }) },
    responses: {
      200: {
        description: 'the customers found, by id, at most 20',
        content: {
          'application/json': {
            schema: z.object({
              items: z.array(
                z.object({ customerId: z.string(), name: z.string().optional(), email: z.string().optional(), phone: z.string().optional(), orderCount: z.number().int(), lastOrderAt: z.string() }),
              ),
            }),
          },
        },
      },
      ...problems(400, 401),
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
  ListCustomerMessages: (route) => ({
    method: 'get',
    path: route.path,
    summary: "Every entry of a customer's message log, newest first: what was rendered (subject, text, HTML), its status (sent, deferred, suppressed, failed, skipped) and what the provider reported since (admin token)",
    security: [{ adminToken: [] }],
    request: {
      params: z.object({ id: z.string() }),
      query: z.object({ limit: z.number().int().min(1).max(100).optional().describe('default 20'), cursor: z.string().optional() }),
    },
    responses: {
      200: {
        description: 'a page of the log',
        content: {
          'application/json': {
            schema: z.object({
              items: z.array(
                z
                  .object({
                    messageId: z.string(),
                    at: z.string(),
                    journey: z.string(),
                    step: z.string(),
                    channel: z.enum(['email', 'sms', 'task']),
                    status: z.string().describe('sent, deferred, suppressed, failed or skipped'),
                    subject: z.string().optional(),
                    text: z.string().optional(),
                    html: z.string().optional().describe('the HTML part of an email, as sent'),
                    reason: z.string().optional(),
                    deliveryStatus: z.string().optional().describe('delayed, delivered, bounced, rejected, complained or failed, as the provider reported'),
                    deliveryStatusAt: z.string().optional(),
                  })
                  .loose(),
              ),
              cursor: z.string().optional().describe('pass as ?cursor= for the next (older) page'),
            }),
          },
        },
      },
      ...problems(400, 401, 404),
    },
  }),
  ExportCustomer: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'Everything stored about a customer, by kind (profile, order, message, journeyEntry, loyaltyAccount...), without table keys (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: { description: 'the export', content: { 'application/json': { schema: customerExportSchema } } }, ...problems(401, 404) },
  }),
  EraseCustomer: (route) => ({
    method: 'delete',
    path: route.path,
    summary: "Erase everything stored about a customer and stop their journeys; a repeat is a 204 too and finishes an erasure that stopped half way (admin token)",
    security: [{ adminToken: [] }],
    request: { params: z.object({ id: z.string() }) },
    responses: { 204: { description: 'erased, or nothing was left to erase' }, ...problems(401) },
  }),
  ShopifyPrivacy: (route) => ({
    method: 'post',
    path: route.path,
    summary: "Shopify's mandatory privacy webhooks: customers/data_request (recorded for the store), customers/redact (erased), shop/redact (recorded for the store)",
    request: {
      headers: z.object({ 'x-shopify-hmac-sha256': z.string(), 'x-shopify-topic': z.enum(privacyTopics), 'x-shopify-webhook-id': z.string().optional() }),
    },
    responses: {
      200: {
        description: 'handled',
        content: { 'application/json': { schema: z.object({ topic: z.enum(privacyTopics), status: z.enum(['recorded', 'erased']), requestId: z.string().optional(), customers: z.number().int().optional() }) } },
      },
      ...problems(400, 401, 413, 415),
    },
  }),
  ListPrivacyRequests: (route) => ({
    method: 'get',
    path: route.path,
    summary: "Shopify's data requests and shop redactions for the store to act on, latest first (admin token)",
    security: [{ adminToken: [] }],
    responses: { 200: { description: 'the latest 100', content: { 'application/json': { schema: z.object({ items: z.array(privacyRequestSchema) }) } } }, ...problems(401) },
  }),
  ListJourneyCustomers: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'Who is inside a journey, and at which step; or whose entry ended in a given status, with why a failed one failed (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ name: journeyParameter }), query: z.object({ status: z.enum(entryStatuses).optional().describe('default active'), limit: z.number().int().min(1).max(500).optional(), cursor: z.string().optional() }) },
    responses: { 200: { description: 'the entries in that status', content: { 'application/json': { schema: journeyMembersSchema } } }, ...problems(400, 401) },
  }),
  RemoveJourneyCustomer: (route) => ({
    method: 'delete',
    path: route.path,
    summary: 'Take a customer out of a journey (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ name: journeyParameter, id: z.string() }) },
    responses: {
      200: { description: 'removed', content: { 'application/json': { schema: z.object({ journey: journeyParameter, customerId: z.string(), status: z.literal('removed'), entries: z.array(z.string()) }) } } },
      ...problems(400, 401, 404),
    },
  }),
  ListTasks: (route) => ({
    method: 'get',
    path: route.path,
    summary: "Managers' tasks: win-back calls and check-ins (admin token)",
    security: [{ adminToken: [] }],
    request: { query: z.object({ status: z.enum(['open', 'done']).optional(), limit: z.number().int().optional(), cursor: z.string().optional() }) },
    responses: {
      200: {
        description: 'the tasks, and the lists a task is completed from (the store sets them: COMEBACK_TASK_LISTS, CDK context comeback:taskLists)',
        content: {
          'application/json': {
            schema: z.object({
              items: z.array(taskSchema),
              cursor: z.string().optional(),
              choices: z.object({ outcomes: z.array(z.string()), churnReasons: z.array(z.string()) }),
            }),
          },
        },
      },
      ...problems(400, 401),
    },
  }),
  CompleteTask: (route) => ({
    method: 'post',
    path: route.path,
    summary: "Record a task's outcome and, for a win-back call, why the customer stopped buying, each from the store's lists (admin token)",
    security: [{ adminToken: [] }],
    request: { params: z.object({ id: z.string() }), body: { content: { 'application/json': { schema: taskCompletionSchema } } } },
    responses: {
      200: { description: 'the completed task', content: { 'application/json': { schema: taskSchema } } },
      ...problems(400, 401, 404, 409),
      422: { description: "the outcome or churn reason is not in the store's lists; `detail` names the allowed ones", content: { 'application/problem+json': { schema: problemSchema } } },
    },
  }),
  GetLoyaltyAccount: (route) => ({
    method: 'get',
    path: route.path,
    summary: "A customer's tier, balance, progress to the next tier and benefits as data, for the storefront (its signature) or an admin (the admin token)",
    // Either the admin token, or no bearer at all and the storefront's Comeback-Signature header.
    security: [{ adminToken: [] }, {} as Record<string, string[]>],
    request: {
      params: z.object({ customerId: z.string() }),
      headers: z.object({
        'comeback-signature': z.string().optional().describe('t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.GET <path>")>; not needed with the admin token'),
      }),
    },
    responses: { 200: { description: 'the account', content: { 'application/json': { schema: loyaltyViewSchema } } }, ...problems(401) },
  }),
  RedeemLoyaltyPoints: (route) => ({
    method: 'post',
    path: route.path,
    summary: 'Redeem points against an order (up to 50% of its value); the answer is signed like a webhook',
    request: { params: z.object({ customerId: z.string() }), headers: z.object(signed), body: { content: { 'application/json': { schema: redeemInputSchema } } } },
    responses: {
      200: { description: 'the signed confirmation (Comeback-Signature header over the body)', content: { 'application/json': { schema: redemptionConfirmationSchema } } },
      422: { description: 'refused: not enough points, over the cap, another currency, or the customer has not joined the program', content: { 'application/problem+json': { schema: redemptionRefusalSchema } } },
      ...problems(400, 401, 409, 413, 415),
    },
  }),
  JoinLoyalty: (route) => ({
    method: 'post',
    path: route.path,
    summary: "Join the customer to the loyalty program (the storefront's join button); joining again changes nothing and answers the same",
    // Either the admin token, or no bearer at all and the storefront's Comeback-Signature header.
    security: [{ adminToken: [] }, {} as Record<string, string[]>],
    request: {
      params: z.object({ customerId: z.string() }),
      headers: z.object({
        'comeback-signature': z.string().optional().describe('t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.POST <path>")>; not needed with the admin token'),
      }),
    },
    responses: { 200: { description: 'the account, member: true, joinedAt the moment of joining', content: { 'application/json': { schema: loyaltyViewSchema } } }, ...problems(401, 404) },
  }),
  LoyaltyJoinPage: (route) => ({
    method: 'get',
    path: route.path,
    summary: "The page the loyalty invitation's join link opens: the program and one button posting to POST /v1/join; changes nothing",
    request: { query: z.object({ token: z.string() }) },
    responses: {
      200: { description: 'the offer to join (or, for a member, since when she is one)', content: { 'text/html': { schema: htmlSchema } } },
      400: { description: 'the link is not valid: a page saying so', content: { 'text/html': { schema: htmlSchema } } },
    },
  }),
  LoyaltyJoinLink: (route) => ({
    method: 'post',
    path: route.path,
    summary: "Join the loyalty program with the join link's signed token: the join page's button",
    request: {
      query: z.object({ token: z.string().optional().describe('the form of the join page posts to its own address, token included') }),
      body: { content: { 'application/x-www-form-urlencoded': { schema: z.object({ token: z.string().optional() }) } } },
    },
    responses: {
      200: { description: 'joined (or a member already): a welcome page', content: { 'text/html': { schema: htmlSchema } } },
      400: { description: 'the link is not valid: a page saying so', content: { 'text/html': { schema: htmlSchema } } },
      404: { description: 'the customer is not known: a page saying so', content: { 'text/html': { schema: htmlSchema } } },
    },
  }),
  ListSegments: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'Segments (recency, value, trend, churn-risk and saved custom ones) with their sizes, and the recency bands with how each was set (admin token)',
    security: [{ adminToken: [] }],
    responses: {
      200: {
        description:
          "the segments; recencyBands: the day bounds of the last recompute, overall and per category, each derived from n repeat-purchase gaps, a fallback, or an override; rfmTiers: customers per RFM score (3-15) with the store's quintile cut points they were scored by",
        content: { 'application/json': { schema: z.object({ segments: z.array(z.object({ name: z.string(), size: z.number().int().nullable() }).loose()), recencyBands: z.object({}).loose().nullable() }).loose() } },
      },
      ...problems(401),
    },
  }),
  PutSegment: (route) => ({
    method: 'put',
    path: route.path,
    summary: 'Save a custom segment: a filter over the profile and history (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ name: z.string() }), body: { content: { 'application/json': { schema: segmentDefinitionSchema } } } },
    responses: { 200: { description: 'saved; members appear with the next recompute', content: { 'application/json': { schema: z.object({}).loose() } } }, ...problems(400, 401, 409) },
  }),
  UploadDiscountCodes: (route) => ({
    method: 'post',
    path: route.path,
    summary: 'Upload discount codes the store created itself, for COMEBACK_STOREFRONT=pool: each is handed out once, to a message when it is sent (admin token)',
    security: [{ adminToken: [] }],
    request: { body: { content: { 'application/json': { schema: poolUploadSchema } } } },
    responses: { 200: { description: 'the codes new to the pool were added', content: { 'application/json': { schema: poolUploadAnswerSchema } } }, ...problems(400, 401, 413, 415) },
  }),
  SyncPlatform: (route) => ({
    method: 'post',
    path: route.path,
    summary:
      "Read the store's orders created or changed since a date through the platform's API (Shopify Admin GraphQL, WooCommerce REST) and record each as its webhook would; " +
      'answers after about 20 s with `next`, to post back as `cursor` (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ platform: syncPlatformSchema }), body: { content: { 'application/json': { schema: syncRequestSchema } } } },
    responses: {
      200: { description: 'what became of the orders read', content: { 'application/json': { schema: syncSummarySchema } } },
      ...problems(400, 401, 409, 415, 422),
    },
  }),
  DeleteSegment: (route) => ({
    method: 'delete',
    path: route.path,
    summary: 'Delete a custom segment (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: { description: 'deleted', content: { 'application/json': { schema: z.object({}).loose() } } }, ...problems(400, 401, 404) },
  }),
  ListSegmentCustomers: (route) => ({
    method: 'get',
    path: route.path,
    summary: "A segment's members, a page at a time (admin token)",
    security: [{ adminToken: [] }],
    request: { params: z.object({ name: z.string() }), query: z.object({ limit: z.number().int().optional(), cursor: z.string().optional() }) },
    responses: {
      200: { description: 'a page of members', content: { 'application/json': { schema: z.object({ segment: z.string(), items: z.array(z.object({ customerId: z.string() }).loose()), cursor: z.string().optional() }) } } },
      ...problems(400, 401, 404),
    },
  }),
  CreateImport: (route) => ({
    method: 'post',
    path: route.path,
    summary: 'Import past orders from a CSV upload (admin token): recorded once each, like webhooks, but starting no journey and sending nothing',
    security: [{ adminToken: [] }],
    request: {
      query: classicSchemas(importQuerySchema) as unknown as z.ZodObject,
      body: {
        description: `the file, or a part of it cut between orders that starts with the header line (at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB)`,
        content: { 'text/csv': { schema: z.string() }, 'text/plain': { schema: z.string().describe('cdnow: blank-separated lines') } },
      },
    },
    responses: {
      200: { description: 'every order of the upload recorded, found already recorded, or rejected with its line and reason', content: { 'application/json': { schema: importSummarySchema } } },
      202: {
        description: 'upload=s3 (no body): an import waiting for its file; PUT the whole file to uploadUrl and follow GET /v1/imports/{importId}',
        content: { 'application/json': { schema: importUploadSchema } },
      },
      ...problems(400, 401),
      409: { description: 'upload=s3 on a host without an imports bucket (the local host): send the file in the body', content: { 'application/problem+json': { schema: problemSchema } } },
      413: { description: `upload over ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`, content: { 'application/problem+json': { schema: problemSchema } } },
      415: { description: 'body is not text/csv or text/plain', content: { 'application/problem+json': { schema: problemSchema } } },
    },
  }),
  GetImport: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'An import uploaded with upload=s3: status (waiting-upload, processing, done, failed), counts so far, the first rejections by line (admin token)',
    security: [{ adminToken: [] }],
    request: { params: z.object({ id: z.string().describe('the importId of POST /v1/imports?upload=s3') }) },
    responses: { 200: { description: 'the import', content: { 'application/json': { schema: importRecordSchema } } }, ...problems(401, 404) },
  }),
  GetMetrics: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'Daily snapshots: retention, repeat rate, frequency, AOV, CLV, churn, NPS, returning customers, cohorts, journey uplift (admin token)',
    security: [{ adminToken: [] }],
    request: { query: z.object({ from: z.string().describe('YYYY-MM-DD'), to: z.string().describe('YYYY-MM-DD') }) },
    responses: {
      200: {
        description: 'the series, and the managers’ completed calls of the range',
        content: {
          'application/json': {
            schema: z.object({
              from: z.string(),
              to: z.string(),
              days: z.array(z.object({ day: z.string() }).loose()),
              tasks: z.object({
                completed: z.number().int(),
                outcomes: z.record(z.string(), z.record(z.string(), z.number().int())).describe('per journey, how many calls ended with each outcome'),
                churnReasons: z.record(z.string(), z.number().int()).describe("every one of the store's churn reasons, zero when never given"),
              }),
              funnels: z
                .record(z.string(), z.record(z.string(), z.object({ sent: z.number().int(), deferred: z.number().int(), suppressed: z.number().int(), failed: z.number().int(), skipped: z.number().int() })))
                .describe("per journey and step, the message log's entries of the range by status (a deferred message counts again when it is sent)"),
            }),
          },
        },
      },
      ...problems(400, 401),
    },
  }),
  FeedbackPage: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'The page the feedback link opens: the 0-10 question as a form posting to POST /v1/feedback; records nothing',
    request: { query: z.object({ token: z.string(), score: z.number().int().min(0).max(10).optional().describe('the number shown as chosen') }) },
    responses: {
      200: { description: 'the question, with the current answer (if any) chosen', content: { 'text/html': { schema: htmlSchema } } },
      400: { description: 'the link is not valid: a page saying so', content: { 'text/html': { schema: htmlSchema } } },
    },
  }),
  RecordFeedback: (route) => ({
    method: 'post',
    path: route.path,
    summary: "A customer's NPS answer (0-10) from the feedback page or as JSON; the signed token of the link is the credential",
    request: {
      query: z.object({ token: z.string().optional().describe('the form of the feedback page posts to its own address, token included') }),
      body: {
        content: {
          'application/json': { schema: feedbackInputSchema },
          'application/x-www-form-urlencoded': { schema: z.object({ score: z.string().describe('0 to 10'), comment: z.string().max(COMMENT_MAX_LENGTH).optional() }) },
        },
      },
    },
    responses: {
      200: {
        description: 'recorded (a new answer for the same journey entry replaces the earlier one): JSON for JSON, a thank-you page for the form',
        content: { 'application/json': { schema: z.object({ entryId: z.string(), score: z.number().int(), status: z.string() }) }, 'text/html': { schema: htmlSchema } },
      },
      ...problems(400, 401, 413, 415),
    },
  }),
  UnsubscribePage: (route) => ({
    method: 'get',
    path: route.path,
    summary: 'The page the unsubscribe link opens: the shop, what the customer leaves, one button posting to POST /v1/unsubscribe; changes nothing',
    request: { query: z.object({ token: z.string() }) },
    responses: {
      200: { description: 'the confirmation (or, after an opt-out, that the customer is unsubscribed)', content: { 'text/html': { schema: htmlSchema } } },
      400: { description: 'the link is not valid: a page saying so', content: { 'text/html': { schema: htmlSchema } } },
    },
  }),
  Unsubscribe: (route) => ({
    method: 'post',
    path: route.path,
    summary: "Unsubscribe at once with the link's signed token: the page's button, RFC 8058 one-click, or a token in the body",
    request: {
      query: z.object({ token: z.string().optional() }),
      body: {
        content: {
          'application/x-www-form-urlencoded': { schema: z.object({ 'List-Unsubscribe': z.literal('One-Click').optional(), token: z.string().optional() }) },
          'multipart/form-data': { schema: z.object({ 'List-Unsubscribe': z.literal('One-Click') }) },
          'application/json': { schema: z.object({ token: z.string() }) },
        },
      },
    },
    responses: {
      200: {
        description: 'unsubscribed at once: a page for a browser (Accept: text/html), JSON otherwise',
        content: { 'application/json': { schema: z.object({ customerId: z.string(), channel: z.enum(['email', 'sms']), status: z.literal('unsubscribed') }) }, 'text/html': { schema: htmlSchema } },
      },
      ...problems(400, 413, 415),
    },
  }),
};

export function openApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      'Locally, the admin token (COMEBACK_ADMIN_TOKEN). On AWS, a Cognito access token of the console\'s app client: owners call every admin route, managers the task list, completing a task, customer search and a customer\'s profile, messages and points (403 for the rest).',
  });
  for (const route of apiRoutes) {
    const describe = operations[route.id];
    if (!describe) throw new Error(`route ${route.id} has no OpenAPI description`);
    // The handlers' schemas are zod/mini; the generator reads classic ones.
    registry.registerPath(classicSchemas(describe(route)));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Comeback API', version: '1', description: 'Purchase webhooks and customer history of the Comeback repeat-sales engine.' },
  });
}
