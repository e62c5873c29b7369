/**
 * Shopify's mandatory privacy webhooks (X-Shopify-Topic), signed like its order webhooks:
 *
 * - `customers/data_request` `{ shop_id, shop_domain, orders_requested, customer: { id, email,
 *   phone }, data_request: { id } }`: recorded as a request for the store, with the export path of
 *   each Comeback customer it names; the store sends the export to the customer (Shopify leaves that
 *   to the merchant). 200.
 * - `customers/redact` `{ shop_id, shop_domain, customer: { id, email, phone }, orders_to_redact }`:
 *   the customer is erased as DELETE /v1/customers/{id} does, under every Comeback id they have: the
 *   Shopify customer id, the guest id (the lower-cased email), and what the identity directory maps
 *   them to (core/identity.ts). 200.
 * - `shop/redact` `{ shop_id, shop_domain }` (48 hours after the store uninstalls the app): recorded
 *   for the store owner, nothing deleted. Comeback runs in the store's own AWS account and serves one
 *   shop: the data is the store's, an uninstall of the Shopify app may be a reconfiguration, and
 *   erasing the whole table from a webhook could not be undone. Deleting the deployment (its table)
 *   is the shop's erasure; the README says so. 200.
 *
 * Any other topic is a 400, so a wrongly subscribed topic shows in Shopify's delivery log.
 */
import * as z from '../zod.ts';
import { InvalidInputError } from '../errors.ts';
import { normalizedEmail, type IdentityDirectory } from '../identity.ts';
import { invalid } from '../purchase.ts';
import { platformIdSchema } from '../platforms/shopify.ts';
import { eraseCustomer, type PrivacyPorts } from './customer-data.ts';

export const privacyTopics = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export type PrivacyTopic = (typeof privacyTopics)[number];

const shopSchema = z.object({ shop_id: z.optional(platformIdSchema), shop_domain: z.optional(z.string().check(z.maxLength(255))) });
const customerSchema = z.object({
  id: z.nullish(platformIdSchema),
  email: z.nullish(z.string().check(z.maxLength(320))),
  phone: z.nullish(z.string().check(z.maxLength(64))),
});
const orderIdsSchema = z.nullish(z.array(platformIdSchema).check(z.maxLength(10_000)));

const dataRequestSchema = z.extend(shopSchema, { customer: customerSchema, orders_requested: orderIdsSchema, data_request: z.nullish(z.object({ id: platformIdSchema })) });
const redactSchema = z.extend(shopSchema, { customer: customerSchema, orders_to_redact: orderIdsSchema });

/** What is kept for the store to act on: a data request, or a shop's redaction. */
export interface PrivacyRequest {
  requestId: string;
  topic: PrivacyTopic;
  receivedAt: string;
  shopDomain?: string;
  /** The Comeback customers it concerns, with the admin path of each one's export. */
  customers: { customerId: string; exportPath: string }[];
  orderIds?: string[];
}

export interface PrivacyRequestLog {
  /** Records the request unless one with its id exists. */
  record(request: PrivacyRequest): Promise<void>;
}

export interface ShopifyPrivacyPorts extends PrivacyPorts {
  identities: Pick<IdentityDirectory, 'aliasOf' | 'isCustomer'>;
  requests: PrivacyRequestLog;
  now: () => Date;
}

export type PrivacyOutcome =
  | { topic: 'customers/data_request'; status: 'recorded'; requestId: string; customers: number }
  | { topic: 'customers/redact'; status: 'erased'; customers: number }
  | { topic: 'shop/redact'; status: 'recorded'; requestId: string };

export function parsePrivacyTopic(topic: string | undefined): PrivacyTopic {
  const known = privacyTopics.find((candidate) => candidate === topic?.trim());
  if (!known) throw new InvalidInputError(`X-Shopify-Topic must be one of ${privacyTopics.join(', ')}`, [{ path: 'x-shopify-topic', message: 'not a privacy topic' }]);
  return known;
}

export async function handleShopifyPrivacy(ports: ShopifyPrivacyPorts, topic: PrivacyTopic, payload: unknown, webhookId?: string): Promise<PrivacyOutcome> {
  const receivedAt = ports.now().toISOString();
  if (topic === 'shop/redact') {
    const shop = parse(shopSchema, payload, topic);
    const requestId = webhookId ?? `shop-redact-${shop.shop_id ?? shop.shop_domain ?? 'unknown'}`;
    await ports.requests.record({ requestId, topic, receivedAt, customers: [], ...(shop.shop_domain ? { shopDomain: shop.shop_domain } : {}) });
    return { topic, status: 'recorded', requestId };
  }
  if (topic === 'customers/data_request') {
    const request = parse(dataRequestSchema, payload, topic);
    const customerIds = await comebackIds(ports, request.customer, true);
    const requestId = request.data_request?.id ?? webhookId ?? `data-request-${receivedAt}`;
    await ports.requests.record({
      requestId,
      topic,
      receivedAt,
      customers: customerIds.map((customerId) => ({ customerId, exportPath: `/v1/customers/${encodeURIComponent(customerId)}/export` })),
      ...(request.shop_domain ? { shopDomain: request.shop_domain } : {}),
      ...(request.orders_requested ? { orderIds: request.orders_requested } : {}),
    });
    return { topic, status: 'recorded', requestId, customers: customerIds.length };
  }
  const redact = parse(redactSchema, payload, topic);
  const customerIds = await comebackIds(ports, redact.customer, false);
  for (const customerId of customerIds) await eraseCustomer(ports, customerId, 'the customer asked Shopify to erase their data');
  return { topic, status: 'erased', customers: customerIds.length };
}

/** The Comeback ids of a Shopify customer: their id and their guest id, each as the directory maps it. */
async function comebackIds(ports: ShopifyPrivacyPorts, customer: z.output<typeof customerSchema>, knownOnly: boolean): Promise<string[]> {
  const candidates = [customer.id ?? undefined, customer.email ? normalizedEmail(customer.email).slice(0, 256) : undefined].filter((id): id is string => id !== undefined && id !== '');
  const ids = new Set<string>();
  for (const candidate of candidates) ids.add((await ports.identities.aliasOf(candidate)) ?? candidate);
  if (!knownOnly) return [...ids];
  const known: string[] = [];
  for (const id of ids) if (await ports.identities.isCustomer(id)) known.push(id);
  return known;
}

function parse<T extends z.ZodMiniType>(schema: T, payload: unknown, topic: string): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw invalid(`the ${topic} body is not what Shopify sends`, parsed.error);
  return parsed.data;
}
