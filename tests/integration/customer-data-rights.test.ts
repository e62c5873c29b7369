/**
 * Customers' data rights on DynamoDB Local with the journey runtime: the export holds what is
 * stored, the erasure leaves no item naming the customer anywhere in the table, stops their journey
 * executions, is a 204 again when repeated and finishes an erasure that broke off half way; and
 * Shopify's privacy webhooks, signed like its order webhook.
 */
import { BatchWriteCommand, paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCustomerData } from '../../functions/adapters/customer-data.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { handler as getCustomer } from '../../functions/handlers/get-customer.ts';
import { handler as exportCustomer } from '../../functions/handlers/export-customer.ts';
import { handler as eraseCustomer } from '../../functions/handlers/erase-customer.ts';
import { handler as shopifyPrivacy } from '../../functions/handlers/shopify-privacy.ts';
import { handler as listPrivacyRequests } from '../../functions/handlers/list-privacy-requests.ts';
import { handler as shopifyOrder } from '../../functions/handlers/shopify-order.ts';
import { journeyRuntime, TEST_ADMIN_TOKEN, TEST_SHOPIFY_SECRET } from '../support/environment.ts';
import { adminEvent, httpEvent, lambdaContext, platformEvent, signedEvent, uniqueId } from '../support/events.ts';

type Json = Record<string, unknown>;
const clock = journeyRuntime.clock;

async function buy(customerId: string, email = `${customerId}@example.com`) {
  const payload = {
    orderId: uniqueId('order'),
    placedAt: clock.now().toISOString(),
    currency: 'USD',
    total: '54.97',
    customer: { id: customerId, email, phone: '+15555550188', name: 'Ada', timezone: 'Europe/Kyiv', consent: { email: true, sms: false } },
    items: [{ sku: 'DOG-FOOD', name: 'Dog food', category: 'pet-food', quantity: 1, unitPrice: '54.97' }],
  };
  const result = await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext);
  expect(result.statusCode).toBe(202);
  return payload.orderId;
}

const call = async (handler: typeof getCustomer, event: ReturnType<typeof httpEvent>) => {
  const result = await handler(event, lambdaContext);
  return { status: result.statusCode ?? 200, body: result.body ? (JSON.parse(result.body) as Json) : undefined };
};
const admin = (method: string, path: string, id: string) =>
  httpEvent({ method, path, pathParameters: { id }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
const exportOf = (id: string) => call(exportCustomer, admin('GET', `/v1/customers/${id}/export`, id));
const erase = (id: string) => call(eraseCustomer, admin('DELETE', `/v1/customers/${id}`, id));
const profileStatus = async (id: string) => (await call(getCustomer, adminEvent(`/v1/customers/${id}`, { id }))).status;

/**
 * Every item of the whole table that names the customer anywhere, but provider receipts: those are
 * keyed by the provider's message id, cannot be found from the customer, and expire by TTL.
 */
async function itemsNaming(customerId: string): Promise<Json[]> {
  const found: Json[] = [];
  for await (const page of paginateScan({ client: documentClient }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) if (item['type'] !== 'providerReceipt' && JSON.stringify(item).includes(customerId)) found.push(item);
  }
  return found;
}

const executionsOf = (customerId: string) =>
  journeyRuntime.stepFunctions.list().filter((execution) => (JSON.parse(execution.input) as { entry: { customerId: string } }).entry.customerId === customerId);

describe('GET /v1/customers/{id}/export and DELETE /v1/customers/{id}', () => {
  it('exports by kind, then erases every item, stops the journeys, and a new purchase starts a new customer', async () => {
    // Prepare: two orders, the thank-you sent, a journey still running.
    const customerId = uniqueId('gdpr');
    const first = await buy(customerId);
    await clock.advance({ hours: 1 });
    await buy(customerId);
    await clock.advance({ hours: 1 });
    expect(executionsOf(customerId).some((execution) => execution.status === 'RUNNING')).toBe(true);

    const exported = await exportOf(customerId);
    expect(exported.status).toBe(200);
    const body = exported.body!;
    expect(body['customerId']).toBe(customerId);
    expect(body['profile']).toEqual([expect.objectContaining({ customerId, email: `${customerId}@example.com`, phone: '+15555550188' })]);
    expect((body['order'] as Json[]).map((order) => order['orderId'])).toContain(first);
    expect(body['orderGuard']).toHaveLength(2);
    expect(body['journeyEntry']).toEqual(expect.arrayContaining([expect.objectContaining({ journey: 'post-purchase' })]));
    expect(body['message']).toEqual(expect.arrayContaining([expect.objectContaining({ journey: 'post-purchase', step: 'thank-you' })]));
    expect(body['messageGuard']).toBeDefined();
    expect(JSON.stringify(body)).not.toMatch(/"(pk|sk|gsi1pk|gsi2pk)"/);
    expect(await itemsNaming(customerId)).not.toEqual([]);

    // Act
    const erased = await erase(customerId);

    // Assess
    expect(erased.status).toBe(204);
    expect(await itemsNaming(customerId)).toEqual([]);
    expect(executionsOf(customerId).map((execution) => execution.status)).not.toContain('RUNNING');
    expect(await profileStatus(customerId)).toBe(404);
    expect((await exportOf(customerId)).status).toBe(404);
    expect((await erase(customerId)).status).toBe(204);

    await buy(customerId);
    const fresh = await call(getCustomer, adminEvent(`/v1/customers/${customerId}`, { id: customerId }));
    expect((fresh.body!['orders'] as Json[]).length).toBe(1);
  });

  it('an erasure that broke off half way is finished by repeating the DELETE', async () => {
    const customerId = uniqueId('gdpr-crash');
    await buy(customerId);
    await buy(customerId);
    let writes = 0;
    // The second batch of deletes fails, as a crashed function would leave it.
    const crashing = new Proxy(documentClient, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
          if (command instanceof BatchWriteCommand && ++writes === 2) return Promise.reject(new Error('the function stopped'));
          return target.send(command as never);
        };
      },
    });

    await expect(new DynamoCustomerData(crashing, tableName).erase(customerId)).rejects.toThrow('the function stopped');
    expect(await profileStatus(customerId)).toBe(200);

    expect((await erase(customerId)).status).toBe(204);
    expect(await itemsNaming(customerId)).toEqual([]);
  });

  it('is for admins only', async () => {
    const customerId = uniqueId('gdpr-admin');
    await buy(customerId);
    const stranger = httpEvent({ method: 'DELETE', path: `/v1/customers/${customerId}`, pathParameters: { id: customerId } });
    expect((await call(eraseCustomer, stranger)).status).toBe(401);
    expect((await call(exportCustomer, { ...stranger, requestContext: { ...stranger.requestContext, http: { ...stranger.requestContext.http, method: 'GET' } } })).status).toBe(401);
    expect(await profileStatus(customerId)).toBe(200);
  });
});

describe("Shopify's privacy webhooks", () => {
  const post = (topic: string, payload: Json, secret = TEST_SHOPIFY_SECRET) =>
    call(shopifyPrivacy, platformEvent('/v1/webhooks/shopify/privacy', JSON.stringify(payload), 'x-shopify-hmac-sha256', secret, { 'x-shopify-topic': topic, 'x-shopify-webhook-id': uniqueId('wh') }));

  async function shopifyCustomer(): Promise<{ id: string; email: string }> {
    const id = `${Date.now()}${Math.floor(Math.random() * 1e5)}`.slice(0, 17);
    const email = `${uniqueId('shopper')}@example.com`;
    const order = { id: `${id}1`, email, created_at: '2026-05-30T10:00:00-04:00', processed_at: '2026-05-30T10:00:00-04:00', currency: 'USD', total_price: '20.00', financial_status: 'paid', test: false, customer: { id, email }, line_items: [{ id: 1, sku: 'TEA', title: 'Tea', quantity: 1, price: '20.00' }] };
    const result = await shopifyOrder(platformEvent('/v1/webhooks/shopify/orders', JSON.stringify(order), 'x-shopify-hmac-sha256', TEST_SHOPIFY_SECRET, { 'x-shopify-topic': 'orders/paid' }), lambdaContext);
    expect(result.statusCode, result.body).toBe(202);
    return { id, email };
  }

  it('customers/data_request is recorded for the store with the export path; customers/redact erases', async () => {
    const customer = await shopifyCustomer();
    const requestId = `${Date.now()}`;

    const request = await post('customers/data_request', { shop_id: 954889, shop_domain: 'shop.myshopify.com', orders_requested: [299938], customer: { ...customer, phone: '555-625-1199' }, data_request: { id: requestId } });
    expect(request).toEqual({ status: 200, body: { topic: 'customers/data_request', status: 'recorded', requestId, customers: 1 } });
    const listed = await call(listPrivacyRequests, adminEvent('/v1/privacy-requests', {}));
    expect(listed.body!['items']).toEqual(expect.arrayContaining([expect.objectContaining({ requestId, customers: [{ customerId: customer.id, exportPath: `/v1/customers/${customer.id}/export` }] })]));
    // The request as the store acts on it: none of the table's own attributes (keys, index keys, type).
    const listedRequest = (listed.body!['items'] as { requestId: string }[]).find((item) => item.requestId === requestId);
    expect(Object.keys(listedRequest ?? {}).sort()).toEqual(['customers', 'orderIds', 'receivedAt', 'requestId', 'shopDomain', 'topic']);

    const redacted = await post('customers/redact', { shop_id: 954889, shop_domain: 'shop.myshopify.com', customer, orders_to_redact: [299938] });
    expect(redacted).toEqual({ status: 200, body: { topic: 'customers/redact', status: 'erased', customers: 2 } });
    expect(await profileStatus(customer.id)).toBe(404);
    expect((await itemsNaming(customer.id)).filter((item) => item['type'] !== 'privacyRequest')).toEqual([]);
  });

  it('shop/redact is recorded for the store owner; a wrong signature is a 401; another topic a 400', async () => {
    expect(await post('shop/redact', { shop_id: 954889, shop_domain: 'shop.myshopify.com' })).toMatchObject({ status: 200, body: { topic: 'shop/redact', status: 'recorded' } });
    expect((await post('customers/redact', { customer: { id: 1 } }, 'not-the-secret')).status).toBe(401);
    expect((await post('orders/create', { shop_id: 1 })).status).toBe(400);
  });
});
