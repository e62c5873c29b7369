/**
 * The storefront's two routes fuzzed on DynamoDB Local, the handlers as deployed: POST
 * /v1/purchases and POST /v1/purchases/{orderId}/refund. Bodies start from a valid order and have
 * some of their fields replaced by anything (wrong types, empty, overlong, multi-byte, out of
 * range), or are not an order at all; some are signed with another secret. Whatever comes, the
 * answer is never a 5xx, a refusal is problem+json, and the write is whole or absent: the order's
 * guard, the order and the customer's profile exist exactly when the answer is 202, and a refund
 * changes the order's refunded total exactly when it answers 202.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { handler as recordRefund } from '../../functions/handlers/record-refund.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const RUNS = 80;

/** Anything a field could be sent as. */
const anything = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '€'.repeat(167), 'x'.repeat(300), '-1', '1e400', 'NaN', '0.001'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

const validItem = fc.record({
  sku: fc.constantFrom('DOG-FOOD', 'TREATS', 'КОРМ-5', '猫のおやつ'),
  category: fc.constantFrom('pet-food', 'treats', 'корм'),
  quantity: fc.integer({ min: 1, max: 3 }),
  unitPrice: fc.constantFrom('39.99', '7.49', 12, '0'),
});

/** A field path of an order and what to put there instead (undefined: leave the field out). */
const change = fc.tuple(
  fc.constantFrom('placedAt', 'currency', 'total', 'customer.id', 'customer.email', 'customer.phone', 'customer.locale', 'customer.timezone', 'customer.consent', 'customer.consent.sms', 'items', 'items.0.sku', 'items.0.quantity', 'items.0.unitPrice', 'items.0.category', 'orderName', 'promoCode', 'extra'),
  fc.option(anything, { nil: undefined }),
);

function withChange(order: Record<string, unknown>, [path, value]: [string, unknown]): Record<string, unknown> {
  const copy = structuredClone(order);
  const names = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const name of names.slice(0, -1)) {
    if (typeof node[name] !== 'object' || node[name] === null) return copy;
    node = node[name] as Record<string, unknown>;
  }
  if (value === undefined) delete node[names.at(-1)!];
  else node[names.at(-1)!] = value;
  return copy;
}

const orders = fc
  .record({
    placedAt: fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-06-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
    currency: fc.constantFrom('USD', 'EUR', 'UAH', 'JPY', 'KWD'),
    total: fc.constantFrom('54.97', '0', '10', 3),
    email: fc.constantFrom('ada@example.com', 'olena.k@example.com.ua'),
    timezone: fc.constantFrom('Europe/Kyiv', 'America/New_York', 'Asia/Tokyo'),
    locale: fc.constantFrom('uk-UA', 'en-US', 'ja'),
    consent: fc.record({ email: fc.boolean(), sms: fc.boolean() }, { requiredKeys: [] }),
    items: fc.array(validItem, { minLength: 1, maxLength: 3 }),
    // Half the orders as the storefront sends them, half with a field or two replaced.
    changes: fc.oneof(fc.constant([]), fc.array(change, { minLength: 1, maxLength: 2 })),
  })
  .map(({ changes, email, timezone, locale, consent, ...order }) => ({
    order: { ...order, customer: { email, timezone, locale, consent, phone: '+380501234567' } } as Record<string, unknown>,
    changes,
  }));

async function exists(key: { pk: string; sk: string }): Promise<boolean> {
  return (await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item !== undefined;
}

async function partitionItems(customerId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documentClient.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId) }, ConsistentRead: true }));
  return Items;
}

describe('the storefront routes, fuzzed', () => {
  it('POST /v1/purchases: never a 5xx; the guard, the order and the profile exist exactly when it answers 202', async () => {
    await fc.assert(
      fc.asyncProperty(orders, fc.constantFrom('ours', 'ours', 'ours', 'another secret'), fc.option(anything, { freq: 8, nil: undefined }), async ({ order, changes }, signer, notAnOrder) => {
        // Ids of this run alone, so what exists after the request is this request's doing.
        const orderId = uniqueId('fuzz-order');
        const customerId = uniqueId('fuzz-customer');
        let body: Record<string, unknown> = { ...order, orderId, customer: { ...(order['customer'] as object), id: customerId } };
        for (const one of changes) body = withChange(body, one);
        const sent = notAnOrder === undefined ? body : JSON.stringify(notAnOrder);
        const answer = await recordPurchase(signedEvent('/v1/purchases', sent, signer === 'ours' ? {} : { secret: 'whsec_not_ours' }), lambdaContext);
        const status = answer.statusCode ?? 0;
        expect(status, `${JSON.stringify(body)}: ${answer.body}`).toBeLessThan(500);

        // Where a change replaced the customer's id, the order is hers under that id, if it was one.
        const sentCustomer = notAnOrder === undefined ? (body['customer'] as Record<string, unknown> | undefined)?.['id'] : undefined;
        const written = await exists(keys.orderGuard(orderId));
        expect(written, `${status} ${answer.body}`).toBe(status === 202);
        if (status === 202) {
          expect(JSON.parse(answer.body!)).toMatchObject({ orderId, status: 'recorded' });
          const hers = await partitionItems(String(sentCustomer).trim());
          expect(hers.filter((item) => item['type'] === 'profile')).toHaveLength(1);
          expect(hers.filter((item) => item['type'] === 'order' && item['orderId'] === orderId)).toHaveLength(1);
        } else {
          expect(answer.headers?.['content-type']).toBe('application/problem+json');
          expect(await partitionItems(customerId)).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/purchases/{orderId}/refund: never a 5xx; the refunded total moves exactly when it answers 202', async () => {
    const orderId = uniqueId('fuzz-refunded');
    const customerId = uniqueId('fuzz-refunds');
    const order = { orderId, placedAt: '2026-03-01T10:00:00Z', currency: 'USD', total: '100.00', customer: { id: customerId }, items: [{ sku: 'DOG-FOOD', quantity: 1, unitPrice: '100.00' }] };
    expect((await recordPurchase(signedEvent('/v1/purchases', order), lambdaContext)).statusCode).toBe(202);
    const refunded = async () => {
      const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.profile(customerId), ConsistentRead: true }));
      return JSON.stringify(Item?.['refundedMinorByCurrency'] ?? {});
    };

    const refunds = fc.record(
      {
        amount: fc.oneof(fc.constantFrom('0.01', '1', '5.50', '100.00', '100.01', '-1', '0'), anything),
        refundId: fc.oneof(fc.uuid(), anything),
        reason: fc.oneof(fc.string({ maxLength: 20 }), anything),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(refunds, fc.constantFrom(orderId, orderId, orderId, uniqueId('no-such-order'), '€'.repeat(167)), async (refund, target) => {
        const before = await refunded();
        const answer = await recordRefund(signedEvent(`/v1/purchases/${target}/refund`, refund, { pathParameters: { orderId: target } }), lambdaContext);
        const status = answer.statusCode ?? 0;
        expect(status, `${JSON.stringify(refund)}: ${answer.body}`).toBeLessThan(500);
        if (status !== 202) expect(answer.headers?.['content-type']).toBe('application/problem+json');
        // A repeated refund id answers 202 and changes nothing; any other 202 moves the total.
        if (status !== 202) expect(await refunded()).toBe(before);
        else if (JSON.parse(answer.body!)['status'] !== 'duplicate') expect(await refunded()).not.toBe(before);
      }),
      { numRuns: RUNS },
    );
  });
});
