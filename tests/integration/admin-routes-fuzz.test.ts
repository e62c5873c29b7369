/**
 * Admin routes fuzzed on DynamoDB Local, where what the caller sends becomes part of a DynamoDB key
 * or a query. The routes that give a list a page at a time (manager tasks, a journey's customers,
 * a segment's customers; a customer's messages: customer-messages.test.ts): whatever the cursor,
 * the answer is a page or a 400 problem+json, never a 5xx. Among the cursors tried are keys of the
 * list's own shape that DynamoDB refuses as a start key (another partition, an empty or overlong
 * value, an attribute too many or too few): before the cursors had one check, such a cursor gave
 * a 500 on the tasks and the journey routes. The routes that name a customer, a segment or an
 * import in their path: a 400 exactly when the name is no identifier (over 256 characters or 500
 * bytes of UTF-8), else an answer; before, a name over DynamoDB's key size gave a 500. The other
 * admin routes that read a query or a body (the metrics, a task's completion, taking a customer
 * out of a journey, deleting a segment): never a 5xx, every refusal problem+json, and a 401 for
 * any caller without the admin token. (Defining a segment is left out: a definition is shared by
 * the whole table, and the tests beside this one read the segments.)
 */
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyticsKeys, keys } from '../../functions/adapters/table-design.ts';
import { entryStatuses } from '../../functions/core/journeys.ts';
import { pathIdentifierSchema } from '../../functions/core/identifier.ts';
import { handler as completeTask } from '../../functions/handlers/complete-task.ts';
import { handler as customerMessages } from '../../functions/handlers/customer-messages.ts';
import { handler as deleteSegment } from '../../functions/handlers/delete-segment.ts';
import { handler as getMetrics } from '../../functions/handlers/get-metrics.ts';
import { handler as removeJourneyCustomer } from '../../functions/handlers/remove-journey-customer.ts';
import { handler as exportCustomer } from '../../functions/handlers/export-customer.ts';
import { handler as getCustomer } from '../../functions/handlers/get-customer.ts';
import { handler as getImport } from '../../functions/handlers/get-import.ts';
import { handler as journeyCustomers } from '../../functions/handlers/journey-customers.ts';
import { handler as loyaltyAccount } from '../../functions/handlers/loyalty-account.ts';
import { handler as listTasks } from '../../functions/handlers/list-tasks.ts';
import { handler as segmentCustomers } from '../../functions/handlers/segment-customers.ts';
import { adminEvent, httpEvent, lambdaContext } from '../support/events.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';

type AdminRoute = (event: ReturnType<typeof adminEvent>, context: Context) => Promise<{ statusCode?: number; body?: string; headers?: Record<string, unknown> }>;

const RUNS = 60;

/** A key attribute's value: mostly one the list could hold, sometimes one DynamoDB refuses in a key. */
const keyValue = (...ofTheList: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ofTheList) },
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
    fc.constantFrom('', '€'.repeat(400), 'x'.repeat(2049)),
    fc.integer(),
  );

/**
 * Cursors for a list whose keys have these attributes: anything, any JSON, and keys of the list's
 * shape with values of the list or not, an attribute left out or one added.
 */
function cursors(attributes: Record<string, string[]>) {
  const shaped = fc
    .record(Object.fromEntries(Object.entries(attributes).map(([name, values]) => [name, keyValue(...values)])), { requiredKeys: [] })
    .chain((key) => fc.oneof(fc.constant(key), fc.record({ status: fc.string() }).map((extra) => ({ ...key, ...extra }))));
  return fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue().map((value) => JSON.stringify(value)), shaped.map((key) => JSON.stringify(key)));
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

async function neverFails(route: AdminRoute, path: string, pathParameters: Record<string, string>, query: fc.Arbitrary<Record<string, string>>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(query, async (parameters) => {
      const answer = await route({ ...adminEvent(path, pathParameters), queryStringParameters: parameters }, lambdaContext);
      const status = answer.statusCode ?? 0;
      expect(status, `${JSON.stringify(parameters)}: ${answer.body}`).toBeLessThan(500);
      if (status === 200) expect(JSON.parse(answer.body!)).toMatchObject({ items: expect.any(Array) });
      else {
        expect(status).toBe(400);
        expect(answer.headers?.['content-type']).toBe('application/problem+json');
      }
    }),
    { numRuns: RUNS },
  );
}

describe('paged admin routes, fuzzed', () => {
  it('GET /v1/tasks: a page or a 400 for any cursor', async () => {
    const partitions = ['open', 'done'].map((status) => keys.tasksByStatus(status, '', '').gsi1pk);
    const cursor = cursors({ pk: ['TASK#t-1'], sk: ['TASK'], gsi1pk: partitions, gsi1sk: ['2026-06-01T00:00:00.000Z#t-1'] }).map(base64url);
    await neverFails(listTasks, '/v1/tasks', {}, fc.record({ status: fc.constantFrom('open', 'done'), cursor }));
  });

  it('GET /v1/journeys/{name}/customers: a page or a 400 for any cursor', async () => {
    const partitions = entryStatuses.map((status) => keys.journeysByStatus('win-back', status, '').gsi1pk);
    const cursor = cursors({ pk: ['CUSTOMER#c-1'], sk: ['JOURNEY#win-back#e-1'], gsi1pk: partitions, gsi1sk: ['c-1'] }).map(base64url);
    await neverFails(journeyCustomers, '/v1/journeys/win-back/customers', { name: 'win-back' }, fc.record({ status: fc.constantFrom(...entryStatuses), cursor }));
  });

  it('GET /v1/segments/{name}/customers: a page or a 400 for any cursor', async () => {
    const partitions = ['lost', 'vip'].map((segment) => analyticsKeys.membersOf(segment, '').gsi2pk);
    const cursor = cursors({ pk: ['CUSTOMER#c-1'], sk: ['SEGMENT#lost'], gsi2pk: partitions, gsi2sk: ['c-1'] }).map(base64url);
    await neverFails(segmentCustomers, '/v1/segments/lost/customers', { name: 'lost' }, fc.record({ cursor }));
  });
});

describe('admin routes that name something in their path, fuzzed', () => {
  const isIdentifier = (name: string) => pathIdentifierSchema.safeParse(name).success;
  const names = fc.oneof(
    fc.string({ maxLength: 40, unit: 'binary' }),
    fc.string({ minLength: 250, maxLength: 260 }),
    fc.constantFrom('x'.repeat(2100), '€'.repeat(166), '€'.repeat(167), `${'€'.repeat(166)}xx`, `${'€'.repeat(166)}xxx`),
  );
  const routes: [string, AdminRoute, string, (name: string) => string][] = [
    ['GET /v1/customers/{id}', getCustomer, 'id', (name) => `/v1/customers/${name}`],
    ['GET /v1/customers/{id}/messages', customerMessages, 'id', (name) => `/v1/customers/${name}/messages`],
    ['GET /v1/customers/{id}/export', exportCustomer, 'id', (name) => `/v1/customers/${name}/export`],
    ['GET /v1/loyalty/{customerId}', loyaltyAccount, 'customerId', (name) => `/v1/loyalty/${name}`],
    ['GET /v1/segments/{name}/customers', segmentCustomers, 'name', (name) => `/v1/segments/${name}/customers`],
    ['GET /v1/imports/{id}', getImport, 'id', (name) => `/v1/imports/${name}`],
  ];

  it.each(routes)('%s: a 400 exactly for a name that is no identifier, never a 5xx', async (_, route, parameter, path) => {
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        const answer = await route(adminEvent(path(name), { [parameter]: name }), lambdaContext);
        const status = answer.statusCode ?? 0;
        expect(status, `${JSON.stringify(name)}: ${answer.body}`).toBeLessThan(500);
        expect(status === 400, `${JSON.stringify(name)}: ${answer.body}`).toBe(!isIdentifier(name));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('admin routes with a query or a body, fuzzed', () => {
  const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '€'.repeat(167), 'x'.repeat(300)));
  const day = fc.oneof(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)), fc.constantFrom('2026-02-30', '2026-13-01', '0000-01-01', '+020000-01-01'), text);
  const token = fc.constantFrom(TEST_ADMIN_TOKEN, TEST_ADMIN_TOKEN, TEST_ADMIN_TOKEN, 'not-the-token', null);
  const headersOf = (given: string | null): Record<string, string> => ({ 'content-type': 'application/json', ...(given === null ? {} : { authorization: `Bearer ${given}` }) });
  const body = fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)), fc.record({ outcome: fc.oneof(fc.constantFrom('No answer', 'Will order again'), text), churnReason: fc.oneof(fc.constantFrom('price'), text), note: text }, { requiredKeys: [] }).map((value) => JSON.stringify(value)), text);
  const requests: [string, AdminRoute, fc.Arbitrary<ReturnType<typeof httpEvent>>][] = [
    ['GET /v1/metrics', getMetrics, fc.tuple(token, fc.record({ from: day, to: day }, { requiredKeys: [] })).map(([given, query]) => ({ ...httpEvent({ method: 'GET', path: '/v1/metrics', headers: headersOf(given) }), queryStringParameters: query }))],
    ['POST /v1/tasks/{id}/complete', completeTask, fc.tuple(token, text, body).map(([given, id, sent]) => httpEvent({ path: `/v1/tasks/${id}/complete`, headers: headersOf(given), body: sent, pathParameters: { id } }))],
    [
      'DELETE /v1/journeys/{name}/customers/{id}',
      removeJourneyCustomer,
      fc.tuple(token, fc.oneof(fc.constantFrom('win-back', 'post-purchase', 'check-in'), text), text).map(([given, name, id]) => httpEvent({ method: 'DELETE', path: `/v1/journeys/${name}/customers/${id}`, headers: headersOf(given), pathParameters: { name, id } })),
    ],
    ['DELETE /v1/segments/{name}', deleteSegment, fc.tuple(token, fc.oneof(fc.constantFrom('vip', 'lost', 'rfm-555'), text)).map(([given, name]) => httpEvent({ method: 'DELETE', path: `/v1/segments/${name}`, headers: headersOf(given), pathParameters: { name } }))],
  ];

  it.each(requests)('%s: never a 5xx, refusals in problem+json, 401 without the token', async (_, route, request) => {
    await fc.assert(
      fc.asyncProperty(request, async (event) => {
        const answer = await route(event, lambdaContext);
        const status = answer.statusCode ?? 0;
        expect(status, `${JSON.stringify(event.pathParameters)} ${JSON.stringify(event.queryStringParameters)} ${event.body}: ${answer.body}`).toBeLessThan(500);
        if (event.headers['authorization'] !== `Bearer ${TEST_ADMIN_TOKEN}`) expect(status).toBe(401);
        if (status >= 400) expect(answer.headers?.['content-type']).toBe('application/problem+json');
      }),
      { numRuns: RUNS },
    );
  });
});
