/**
 * GET /v1/customers/{id}/messages on DynamoDB Local: every log entry of the customer, newest first,
 * with what was rendered and its delivery status, a page at a time; another customer's cursor is
 * refused. A property-based run of any query and token answers below 500, with problem+json for
 * every refusal (the route only reads).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoMessageLog } from '../../functions/adapters/message-log.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import type { MessageLogEntry } from '../../functions/core/delivery/types.ts';
import { handler } from '../../functions/handlers/customer-messages.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent, lambdaContext, uniqueId } from '../support/events.ts';

type Answer = { statusCode?: number; headers?: Record<string, unknown>; body?: string };
type Page = { items: MessageLogEntry[]; cursor?: string };
const call = handler as unknown as (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<Answer>;
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const log = new DynamoMessageLog(documentClient, tableName);

function messages(customerId: string, query: Record<string, string> = {}, token: string | null = TEST_ADMIN_TOKEN): Promise<Answer> {
  const event = httpEvent({ method: 'GET', path: `/v1/customers/${customerId}/messages`, pathParameters: { id: customerId }, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return call({ ...event, queryStringParameters: query }, lambdaContext);
}

async function customerWithMessages(): Promise<string> {
  const customerId = uniqueId('cust');
  const status = await ledger.recordPurchase(
    {
      orderId: uniqueId('order'),
      placedAt: '2026-03-01T08:00:00.000Z',
      currency: 'USD',
      totalMinor: 2500,
      customer: { id: customerId, email: 'ada@example.com', consent: { email: true } },
      items: [{ sku: 'TEA', quantity: 1, unitPriceMinor: 2500 }],
    },
    { source: 'comeback' },
  );
  expect(status).toBe('recorded');
  const entry = (messageId: string, at: string, extra: Partial<MessageLogEntry>): MessageLogEntry => ({
    messageId,
    at,
    customerId,
    journey: 'post-purchase',
    step: 'thank-you',
    channel: 'email',
    status: 'sent',
    marketing: false,
    priority: 1,
    ...extra,
  });
  await log.record(entry(`${customerId}.thanks`, '2026-03-01T09:00:00.000Z', { status: 'deferred', reason: 'quiet hours', deferredUntil: '2026-03-01T10:00:00.000Z' }));
  await log.claim(entry(`${customerId}.thanks`, '2026-03-01T10:00:00.000Z', {}));
  await log.record(entry(`${customerId}.thanks`, '2026-03-01T10:00:00.000Z', { subject: 'Thank you, Ada', text: 'Thanks for your order.', html: '<p>Thanks for your order.</p>' }));
  await log.record(entry(`${customerId}.win-back`, '2026-05-01T10:00:00.000Z', { journey: 'win-back', step: 'email', marketing: true, status: 'suppressed', reason: 'no email consent' }));
  return customerId;
}

describe('GET /v1/customers/{id}/messages', () => {
  it("lists the customer's log newest first, a page at a time, with the rendered message and its status", async () => {
    const customerId = await customerWithMessages();

    const first = await messages(customerId, { limit: '2' });
    const firstPage = JSON.parse(first.body!) as Page;
    const second = JSON.parse((await messages(customerId, { limit: '2', cursor: firstPage.cursor! })).body!) as Page;

    expect(first.statusCode).toBe(200);
    expect(firstPage.items.map((item) => [item.at, item.status])).toEqual([
      ['2026-05-01T10:00:00.000Z', 'suppressed'],
      ['2026-03-01T10:00:00.000Z', 'sent'],
    ]);
    expect(firstPage.items[1]).toMatchObject({ subject: 'Thank you, Ada', text: 'Thanks for your order.', html: '<p>Thanks for your order.</p>', channel: 'email' });
    expect(Object.keys(firstPage.items[1]!)).not.toContain('pk');
    expect(second.items.map((item) => [item.status, item.reason])).toEqual([['deferred', 'quiet hours']]);
    expect(second.cursor).toBeUndefined();
  });

  it("refuses another customer's cursor, knows no unknown customer, and needs the admin token", async () => {
    const [ada, bob] = [await customerWithMessages(), await customerWithMessages()];
    const adasCursor = (JSON.parse((await messages(ada, { limit: '1' })).body!) as Page).cursor!;

    const foreign = await messages(bob, { cursor: adasCursor });
    const unknown = await messages(uniqueId('nobody'));
    const anonymous = await messages(ada, {}, null);

    expect([foreign.statusCode, unknown.statusCode, anonymous.statusCode]).toEqual([400, 404, 401]);
    expect(foreign.headers?.['content-type']).toBe('application/problem+json');
  });

  it('answers any query and token below 500: problem+json for every refusal, 401 without the token', async () => {
    const customerId = await customerWithMessages();
    const cursors = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.json().map((json) => Buffer.from(json).toString('base64url')),
      fc.record({ pk: fc.constantFrom(`CUSTOMER#${customerId}`, 'CUSTOMER#other'), sk: fc.oneof(fc.string(), fc.constant('MESSAGE#2026')) }).map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'valid' | 'wrong' | 'none'>('valid', 'valid', 'wrong', 'none'),
        fc.constantFrom(customerId, 'nobody-at-all'),
        fc.record({ limit: fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: -5, max: 200 }).map(String)), cursor: cursors, other: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }),
        async (token, id, query) => {
          const answer = await messages(id, query, token === 'none' ? null : token === 'valid' ? TEST_ADMIN_TOKEN : 'not-the-token');
          const status = answer.statusCode ?? 0;
          expect(status, answer.body).toBeLessThan(500);
          if (token !== 'valid') expect(status).toBe(401);
          if (status === 200) expect(JSON.parse(answer.body!)).toMatchObject({ items: expect.any(Array) });
          else {
            expect([400, 401, 404]).toContain(status);
            expect(answer.headers?.['content-type']).toBe('application/problem+json');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
