/**
 * Importing past orders through POST /v1/imports, the handler as deployed, on DynamoDB Local and
 * this file's journey runtime (virtual clock, state machines). This file has a table of its own:
 * the nightly run it triggers reads the whole table, and its customers must be only these.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, inject, it, vi } from 'vitest';
import { ensureTable } from '../../lib/local/dynamodb-local.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime, TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent } from '../support/events.ts';

// This file's customers (the fuzzed uploads' included) would give the store bands of its own: the
// seeds' days keep the placement below fixed (derived bands: tests/unit/analytics/bands.test.ts).
// No purchase model either: the fuzzed repeat buyers' fit would time the sleeping customer's
// win-back by her expected gap (tests/unit/win-back.test.ts), not by the 60-day fallback.
vi.hoisted(() => {
  process.env['COMEBACK_RECOMPUTE_SETTINGS'] = JSON.stringify({ recency: { minGaps: 100_000 }, models: { minRepeatBuyers: 1_000_000 } });
});

const table = `comeback-import-${randomUUID().slice(0, 8)}`;
await ensureTable(inject('dynamodbEndpoint'), table);
// Handlers read their table once, when first imported: everything below is imported after this.
Object.assign(process.env, { TABLE_NAME: table, POWERTOOLS_METRICS_DISABLED: 'true' });
const { handler: createImport } = await import('../../functions/handlers/create-import.ts');
const { handler: getCustomer } = await import('../../functions/handlers/get-customer.ts');
const { handler: segmentCustomers } = await import('../../functions/handlers/segment-customers.ts');
const { documentClient } = await import('../../functions/adapters/dynamodb.ts');
const { keys } = await import('../../functions/adapters/table-design.ts');

type Handler = (event: ReturnType<typeof httpEvent>, context: Context) => Promise<{ statusCode?: number; body?: string }>;
const context = { awsRequestId: 'test', functionName: 'test' } as Context;
const clock = journeyRuntime.clock;
const DAY = 86_400_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(handler: unknown, event: ReturnType<typeof httpEvent>): Promise<Answer> {
  const result = await (handler as Handler)(event, context);
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

function importEvent(body: string, query: Record<string, string>, headers: Record<string, string> = {}) {
  return {
    ...httpEvent({ path: '/v1/imports', body, headers: { 'content-type': 'text/csv', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...headers } }),
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
  };
}

const upload = (body: string, query: Record<string, string>, headers?: Record<string, string>) => call(createImport, importEvent(body, query, headers));

const customer = (id: string) => call(getCustomer, httpEvent({ method: 'GET', path: `/v1/customers/${id}`, pathParameters: { id }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }));

async function partition(customerId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId) }, ConsistentRead: true },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/imports/${name}`, import.meta.url), 'utf8');
const header = 'orderId,customerId,placedAt,currency,total,email,phone,name,sku,category,quantity,unitPrice';
const day = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * DAY).toISOString();

describe('POST /v1/imports', () => {
  it('imports the first 2,000 CDNOW lines once: a second import finds them all recorded', async () => {
    const text = fixture('cdnow-2000.txt');
    const first = await upload(text, { format: 'cdnow', currency: 'USD' });
    expect(first).toEqual({ status: 200, body: { imported: 2000, duplicates: 0, rejected: 0, customers: 586, customerIds: expect.any(Array), rejections: [] } });

    // 00002 bought twice on 1997-01-12 (1 CD for 12.00, 5 for 77.00) and so on: the profile adds up.
    const profile = await customer('00002');
    expect(profile.status).toBe(200);
    expect(profile.body['profile']).toMatchObject({ customerId: '00002', orderCount: 2, netRevenueMinor: 8900, currency: 'USD', firstOrderAt: '1997-01-12T00:00:00.000Z' });

    const second = await upload(text, { format: 'cdnow', currency: 'USD' });
    expect(second.body).toMatchObject({ imported: 0, duplicates: 2000, rejected: 0, customers: 586 });
    expect((await customer('00002')).body['profile']).toMatchObject({ orderCount: 2, netRevenueMinor: 8900 });
  }, 240_000);

  it('imports what an earlier import lacked, and leaves an order recorded before with other content as it was', async () => {
    const id = `part-${randomUUID().slice(0, 6)}`;
    const order = (n: number, total: string) => `${id}-${n},${id},2025-0${n}-01,USD,${total},,,,SKU,,1,${total}`;
    expect((await upload(`${header}\n${order(1, '10.00')}\n${order(2, '20.00')}\n`, { format: 'comeback-csv' })).body).toMatchObject({ imported: 2, duplicates: 0 });
    const again = await upload(`${header}\n${order(1, '10.00')}\n${order(2, '99.00')}\n${order(3, '30.00')}\n`, { format: 'comeback-csv' });
    expect(again.body).toMatchObject({ imported: 1, duplicates: 2, rejected: 0 });
    expect((await customer(id)).body['profile']).toMatchObject({ orderCount: 3, netRevenueMinor: 6000 });
  });

  it('records an upload sent twice at once exactly once', async () => {
    const lines = Array.from({ length: 60 }, (_, index) => `race-order-${index},race-${index % 7},2025-05-0${1 + (index % 9)},USD,10.00,,,,SKU,,1,10.00`);
    const body = `${header}\n${lines.join('\n')}\n`;
    const [a, b] = await Promise.all([upload(body, { format: 'comeback-csv' }), upload(body, { format: 'comeback-csv' })]);
    expect((a.body['imported'] as number) + (b.body['imported'] as number)).toBe(60);
    expect((a.body['duplicates'] as number) + (b.body['duplicates'] as number)).toBe(60);
    for (let index = 0; index < 7; index += 1) {
      const orders = (await partition(`race-${index}`)).filter((item) => item['type'] === 'order');
      expect((await customer(`race-${index}`)).body['profile']).toMatchObject({ orderCount: orders.length });
    }
  });

  it("imports Shopify's export: paid, partially paid and authorized orders; test, cancelled, unpaid and voided ones rejected", async () => {
    const answer = await upload(fixture('shopify-orders.csv'), { format: 'shopify-csv', currency: 'EUR' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ imported: 4, duplicates: 0, rejected: 5, customers: 3 });
    expect(answer.body['rejections']).toEqual([
      { line: 7, orderId: '#1004', reason: 'financial status "pending": only paid, partially_paid, authorized orders count' },
      { line: 8, orderId: '#1005', reason: 'financial status "refunded": only paid, partially_paid, authorized orders count' },
      { line: 9, orderId: '#1006', reason: 'cancelled at 2025-11-05 18:00:00 +0100' },
      { line: 10, orderId: '#1007', reason: 'a test order (paid with the Bogus Gateway)' },
      { line: 11, orderId: '#1008', reason: 'financial status "voided": only paid, partially_paid, authorized orders count' },
    ]);
    const ada = await customer('ada@example.com');
    expect(ada.body['profile']).toMatchObject({ orderCount: 2, currency: 'EUR', netRevenueMinor: 10485 + 8080, email: 'ada@example.com', phone: '+442079460958', name: 'Ada Lovelace' });
    expect((ada.body['orders'] as { orderId: string; source: string }[]).map((order) => [order.orderId, order.source])).toEqual([
      ['5230000000009', 'shopify'],
      ['5230000000001', 'shopify'],
    ]);
  });

  it("imports WooCommerce's export: processing and completed orders; pending, failed, cancelled, refunded and on-hold ones rejected", async () => {
    const answer = await upload(fixture('woocommerce-orders.csv'), { format: 'woocommerce-csv', timezone: 'America/New_York' });
    expect(answer.body).toMatchObject({ imported: 3, duplicates: 0, rejected: 5, customers: 2 });
    expect((answer.body['rejections'] as { line: number; reason: string }[]).map((rejection) => [rejection.line, rejection.reason.split(':')[0]])).toEqual([
      [5, 'status "pending"'],
      [6, 'status "failed"'],
      [7, 'status "cancelled"'],
      [9, 'status "refunded"'],
      [10, 'status "on-hold"'],
    ]);
    expect((await customer('15')).body['profile']).toMatchObject({ orderCount: 2, firstOrderAt: '2025-09-14T15:23:45.000Z', skus: expect.arrayContaining(['DOG-FOOD', 'name:Chew toy', 'DOG-FOOD-10']) });
    expect((await customer('grace@example.com')).body['profile']).toMatchObject({ orderCount: 1, phone: '+16135550123' });
  });

  it.each([
    ['no admin token', { authorization: '' }, { format: 'cdnow' }, 401],
    ['a JSON body', { 'content-type': 'application/json' }, { format: 'cdnow' }, 415],
    ['an unknown format', {}, { format: 'magento-csv' }, 400],
    ['an unknown currency', {}, { format: 'cdnow', currency: 'usd' }, 400],
    ['an unknown time zone', {}, { format: 'cdnow', timezone: 'Mars/Olympus' }, 400],
    ['an unknown parameter', {}, { format: 'cdnow', dryRun: 'true' }, 400],
  ])('refuses %s with problem+json and records nothing', async (_label, headers, query, status) => {
    const answer = await upload(' 99991 19970101  1   11.77\n', query, headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ status, detail: expect.any(String) });
    expect((await customer('99991')).status).toBe(404);
  });

  it('refuses a header without the columns the format needs, and an upload over 5 MiB', async () => {
    const missing = await upload('orderId,customerId,total\nx-1,x,1.00\n', { format: 'comeback-csv' });
    expect(missing).toMatchObject({ status: 400, body: { detail: expect.stringContaining('the header lacks the columns placedat, sku, quantity, unitprice') } });
    const large = await upload(`${header}\n${'x'.repeat(5 * 1024 * 1024)}`, { format: 'comeback-csv' });
    expect(large).toMatchObject({ status: 413, body: { detail: expect.stringContaining('upload the file in parts') } });
  });

  it('no input gives a 5xx or a partial write', async () => {
    const prefix = `fuzz-${randomUUID().slice(0, 6)}`;
    const value = fc.oneof(fc.constantFrom('', '0', '1', '-1', '1.5', '10.00', '1e3', 'USD', 'JPY', 'XXX', '2025-01-01', '2025-02-30', '2099-01-01', 'a,b', '"q"', 'x\ny'), fc.string({ maxLength: 12 }));
    const line = fc
      .record({ order: fc.integer({ min: 0, max: 5 }), customer: fc.integer({ min: 0, max: 2 }), placedAt: fc.oneof(fc.constant('2025-03-01T10:00:00Z'), value), currency: value, total: fc.oneof(fc.constant('12.50'), value), sku: value, quantity: fc.oneof(fc.constant('1'), value), unitPrice: value })
      .map((fields) =>
        [`${prefix}-o${fields.order}`, `${prefix}-c${fields.customer}`, fields.placedAt, fields.currency, fields.total, '', '', '', fields.sku, '', fields.quantity, fields.unitPrice]
          .map((field) => (/[",\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field))
          .join(','),
      );
    const format = fc.constantFrom('comeback-csv', 'cdnow', 'shopify-csv', 'woocommerce-csv');
    // Mostly a body of the format asked for, sometimes one of another format or none at all.
    const upload = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.constant('comeback-csv'), fc.array(fc.oneof({ weight: 5, arbitrary: line }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }), { maxLength: 12 }).map((lines) => `${header}\n${lines.join('\n')}`)) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('cdnow'), fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), value, value, value), { maxLength: 6 }).map((rows) => rows.map((row) => ` ${prefix}-c${row[0]} ${row.slice(1).join(' ')}`).join('\n'))) },
      { weight: 1, arbitrary: fc.tuple(format, fc.string({ maxLength: 200 })) },
    );
    const query = fc.record({ currency: fc.constantFrom('USD', 'JPY', 'KWD'), firstLine: fc.constantFrom('1', '2', '77') });
    await fc.assert(
      fc.asyncProperty(upload, query, fc.boolean(), async ([kind, text], parameters, base64) => {
        const event = importEvent(base64 ? Buffer.from(text).toString('base64') : text, { format: kind, ...parameters });
        const answer = await call(createImport, { ...event, isBase64Encoded: base64 });
        expect(answer.status).toBeLessThan(500);
        if (answer.status !== 200) return;
        const summary = answer.body as { imported: number; duplicates: number; rejected: number };
        expect(summary.imported + summary.duplicates + summary.rejected).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 80 },
    );
    // Whatever was written is whole: every order has its guard, every profile counts its orders.
    for (let index = 0; index < 3; index += 1) {
      const items = await partition(`${prefix}-c${index}`);
      const orders = items.filter((item) => item['type'] === 'order');
      const profile = items.find((item) => item['type'] === 'profile');
      expect(profile?.['orderCount'] ?? 0).toBe(orders.length);
      for (const order of orders) {
        const guard = await documentClient.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.orderGuard(String(order['orderId'])).pk } }));
        expect(guard.Items?.[0]).toMatchObject({ customerId: `${prefix}-c${index}`, totalMinor: order['totalMinor'] });
      }
    }
  });
});

describe('after an import', () => {
  it('nothing was started or sent, future check-ins are scheduled, and the next nightly run classifies everyone as of now, win-back once', async () => {
    const [recent, sleeping, lapsing] = ['recent', 'sleeping', 'lapsing'].map((label) => `${label}-${randomUUID().slice(0, 6)}`) as [string, string, string];
    const executionsBefore = journeyRuntime.stepFunctions.list().length;
    const answer = await upload(
      [
        header,
        `${recent}-1,${recent},${day(10)},USD,30.00,r@example.com,,Rita,TEA,tea,1,30.00`,
        `${sleeping}-1,${sleeping},${day(400)},USD,20.00,s@example.com,,Sam,TEA,tea,1,20.00`,
        `${sleeping}-2,${sleeping},${day(120)},USD,25.00,s@example.com,,Sam,TEA,tea,1,25.00`,
        `${lapsing}-1,${lapsing},${day(200)},USD,40.00,l@example.com,,Lee,TEA,tea,1,40.00`,
      ].join('\n'),
      { format: 'comeback-csv' },
    );
    expect(answer.body).toMatchObject({ imported: 4, rejected: 0, customers: 3 });

    // Prepare: the import itself starts nothing and sends nothing, not even a thank-you.
    expect(journeyRuntime.stepFunctions.list().length).toBe(executionsBefore);
    for (const id of [recent, sleeping, lapsing]) expect(await outbox(id)).toEqual([]);
    // Only check-ins still ahead are scheduled: all three of the recent order, 6 and 12 months of
    // the order 120 days ago, 12 months of the order 200 days ago, none of the order 400 days ago.
    const checkIns = async (id: string) => (await partition(id)).filter((item) => item['type'] === 'checkIn').map((item) => `${String(item['orderId'])}/${String(item['months'])}`).sort();
    expect(await checkIns(recent)).toEqual([`${recent}-1/12`, `${recent}-1/3`, `${recent}-1/6`]);
    expect(await checkIns(sleeping)).toEqual([`${sleeping}-2/12`, `${sleeping}-2/6`]);
    expect(await checkIns(lapsing)).toEqual([`${lapsing}-1/12`]);

    // Act: the nightly run.
    await journeyRuntime.runJob('nightly-recompute');

    // Assess: everyone is classified as of now, and only the sleeping customer enters win-back.
    const members = async (segment: string) =>
      ((await call(segmentCustomers, { ...httpEvent({ method: 'GET', path: `/v1/segments/${segment}/customers`, pathParameters: { name: segment }, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }), queryStringParameters: { limit: '1000' } })).body['items'] as { customerId: string }[]).map(
        (item) => item.customerId,
      );
    expect(await members('new')).toContain(recent);
    expect(await members('sleeping')).toContain(sleeping);
    // 200 days is past sleeping's 182: lapsing, which win-back does not follow.
    expect(await members('lapsing')).toContain(lapsing);
    const winBacks = () => journeyRuntime.stepFunctions.list().filter((execution) => execution.name.startsWith('win-back-')).map((execution) => (JSON.parse(execution.input) as { entry: { customerId: string } }).entry.customerId);
    expect(winBacks().filter((id) => [recent, sleeping, lapsing].includes(id))).toEqual([sleeping]);
    await clock.advance({ hours: 1 });
    expect((await outbox(sleeping)).map((item) => `${item.journey}/${item.step}`)).toContain('win-back/miss-you-email');
    expect(await outbox(recent)).toEqual([]);

    // Another night: still once.
    await clock.advance({ days: 1 });
    await journeyRuntime.runJob('nightly-recompute');
    expect(winBacks().filter((id) => id === sleeping)).toHaveLength(1);
  });
});
