/**
 * GET /v1/customers on DynamoDB Local: a customer is found by id, by any email they ordered with
 * (whatever its case), and by phone written either way; a property-based run of any query and token
 * answers below 500, with problem+json for every refusal (the route only reads).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { handler } from '../../functions/handlers/search-customers.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent, lambdaContext, uniqueId } from '../support/events.ts';

type Answer = { statusCode?: number; headers?: Record<string, unknown>; body?: string };
const call = handler as unknown as (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<Answer>;
const ledger = new DynamoPurchaseLedger(documentClient, tableName);

function search(query: Record<string, string>, token: string | null = TEST_ADMIN_TOKEN): Promise<Answer> {
  const event = httpEvent({ method: 'GET', path: '/v1/customers', headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return call({ ...event, queryStringParameters: query }, lambdaContext);
}

async function order(customerId: string, email: string, phone: string, placedAt: string): Promise<void> {
  const status = await ledger.recordPurchase(
    {
      orderId: uniqueId('order'),
      placedAt,
      currency: 'USD',
      totalMinor: 2500,
      customer: { id: customerId, email, phone, name: 'Ada', consent: {} },
      items: [{ sku: 'TEA', quantity: 1, unitPriceMinor: 2500 }],
    },
    { source: 'comeback' },
  );
  expect(status).toBe('recorded');
}

const found = (answer: Answer) => (JSON.parse(answer.body ?? '{}') as { items: { customerId: string }[] }).items.map((item) => item.customerId);

describe('GET /v1/customers', () => {
  it('finds a customer by id, by each email they ordered with and by phone', async () => {
    const customerId = uniqueId('cust');
    const tag = customerId.replace(/[^a-z0-9]/gi, '').toLowerCase();
    const digits = String(Date.now() % 10_000_000).padStart(7, '0');
    await order(customerId, `first-${tag}@example.com`, `+1613${digits}`, '2026-03-01T08:00:00.000Z');
    await order(customerId, `second-${tag}@example.com`, `+1613${digits}`, '2026-04-01T08:00:00.000Z');

    const byId = await search({ id: customerId });
    const byFirstEmail = await search({ email: `FIRST-${tag}@Example.com` });
    const bySecondEmail = await search({ email: `second-${tag}@example.com` });
    const byPhone = await search({ phone: `+1 (613) ${digits.slice(0, 3)}-${digits.slice(3)}` });
    const nobody = await search({ email: `nobody-${tag}@example.com` });

    expect(byId.statusCode).toBe(200);
    expect(JSON.parse(byId.body!)).toEqual({ items: [{ customerId, name: 'Ada', email: `second-${tag}@example.com`, phone: `+1613${digits}`, orderCount: 2, lastOrderAt: '2026-04-01T08:00:00.000Z' }] });
    expect([byFirstEmail, bySecondEmail, byPhone].map(found)).toEqual([[customerId], [customerId], [customerId]]);
    expect(found(nobody)).toEqual([]);
    // The orders still read as they did: the index keys are not part of them.
    const customer = await ledger.getCustomer(customerId);
    expect(Object.keys(customer!.orders[0]!)).not.toContain('gsi2pk');
  });

  it('answers any query and token below 500: problem+json for every refusal, 401 without the token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'valid' | 'wrong' | 'none'>('valid', 'valid', 'wrong', 'none'),
        fc.dictionary(fc.oneof(fc.constantFrom('id', 'email', 'phone'), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 50 }), fc.emailAddress(), fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/)), { maxKeys: 3 }),
        async (token, query) => {
          const answer = await search(query, token === 'none' ? null : token === 'valid' ? TEST_ADMIN_TOKEN : 'not-the-token');
          const status = answer.statusCode ?? 0;
          expect(status, answer.body).toBeLessThan(500);
          if (token !== 'valid') expect(status).toBe(401);
          if (status === 200) expect(JSON.parse(answer.body!)).toEqual({ items: expect.any(Array) });
          else {
            expect([400, 401]).toContain(status);
            expect(answer.headers?.['content-type']).toBe('application/problem+json');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
