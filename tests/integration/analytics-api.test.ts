/**
 * The admin routes for segments and metrics, and the public feedback route, on DynamoDB Local: the
 * handlers as deployed, called with API Gateway events. What the nightly job computes is covered by
 * nightly-recompute.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { feedbackToken } from '../../functions/core/analytics/feedback.ts';
import { localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';
import { TEST_ADMIN_TOKEN } from '../support/environment.ts';
import { httpEvent, lambdaContext, uniqueId } from '../support/events.ts';

type HttpHandler = (event: ReturnType<typeof httpEvent>, context: Context) => Promise<{ statusCode: number; body?: string; headers?: Record<string, unknown> }>;

const feedbackSecrets = ['feedback_current', 'feedback_previous'];
let clock = new Date('2026-06-01T10:00:00.000Z');
let handlers: Record<'putSegment' | 'deleteSegment' | 'listSegments' | 'segmentCustomers' | 'getMetrics' | 'recordFeedback', HttpHandler>;

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: localRegion, credentials: localCredentials }));

beforeAll(async () => {
  process.env['COMEBACK_FEEDBACK_SECRET'] = feedbackSecrets.join(',');
  useClock({ now: () => clock });
  const load = async (name: string) => (await import(`../../functions/handlers/${name}.ts`)).handler as HttpHandler;
  handlers = {
    putSegment: await load('put-segment'),
    deleteSegment: await load('delete-segment'),
    listSegments: await load('list-segments'),
    segmentCustomers: await load('segment-customers'),
    getMetrics: await load('get-metrics'),
    recordFeedback: await load('record-feedback'),
  };
});

afterAll(() => {
  client.destroy();
});

async function call(handler: HttpHandler, options: { method: string; path: string; body?: unknown; pathParameters?: Record<string, string>; query?: Record<string, string>; token?: string | null }) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== null) headers['authorization'] = `Bearer ${options.token ?? TEST_ADMIN_TOKEN}`;
  const event = {
    ...httpEvent({
      method: options.method,
      path: options.path,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    }),
    ...(options.query ? { queryStringParameters: options.query } : {}),
  };
  const result = await handler(event, lambdaContext);
  return { status: result.statusCode, body: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
}

const lapsedPetFood = {
  description: 'Bought pet food, last order 6 to 12 months ago, an order over $50',
  filter: {
    type: 'all',
    filters: [
      { type: 'boughtCategory', category: 'pet-food' },
      { type: 'lastOrder', minDaysAgo: 182, maxDaysAgo: 365 },
      { type: 'orderTotal', currency: 'USD', overMinor: 5000 },
    ],
  },
};

describe('saved segments', () => {
  it('are created, replaced, listed and deleted', async () => {
    const name = uniqueId('lapsed-pet-food');
    const put = (body: unknown) => call(handlers.putSegment, { method: 'PUT', path: `/v1/segments/${name}`, pathParameters: { name }, body });

    const created = await put(lapsedPetFood);
    expect(created).toEqual({
      status: 201,
      body: { name, kind: 'custom', ...lapsedPetFood, createdAt: '2026-06-01T10:00:00.000Z', updatedAt: '2026-06-01T10:00:00.000Z' },
    });

    clock = new Date('2026-06-02T10:00:00.000Z');
    const replaced = await put({ filter: { type: 'boughtCategory', category: 'pet-food' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      name,
      kind: 'custom',
      filter: { type: 'boughtCategory', category: 'pet-food' },
      createdAt: '2026-06-01T10:00:00.000Z',
      updatedAt: '2026-06-02T10:00:00.000Z',
    });

    const listed = await call(handlers.listSegments, { method: 'GET', path: '/v1/segments' });
    const segments = listed.body?.['segments'] as { name: string; kind: string; size: number | null }[];
    expect(segments.find((segment) => segment.name === name)).toMatchObject({ kind: 'custom', size: null });
    expect(segments.filter((segment) => segment.kind !== 'custom').map((segment) => segment.name)).toEqual([
      'new', 'active', 'sleeping', 'lapsing', 'lost', 'vip', 'mid', 'base', 'growing', 'stable', 'declining', 'churn-risk',
    ]);

    const members = await call(handlers.segmentCustomers, { method: 'GET', path: `/v1/segments/${name}/customers`, pathParameters: { name } });
    expect(members).toEqual({ status: 200, body: { segment: name, items: [] } });

    expect((await call(handlers.deleteSegment, { method: 'DELETE', path: `/v1/segments/${name}`, pathParameters: { name } })).status).toBe(204);
    expect((await call(handlers.deleteSegment, { method: 'DELETE', path: `/v1/segments/${name}`, pathParameters: { name } })).status).toBe(404);
    expect((await call(handlers.segmentCustomers, { method: 'GET', path: `/v1/segments/${name}/customers`, pathParameters: { name } })).status).toBe(404);
  });

  it('refuse invalid filters with every failing field, and built-in names', async () => {
    const name = uniqueId('bad');
    const invalid = await call(handlers.putSegment, {
      method: 'PUT',
      path: `/v1/segments/${name}`,
      pathParameters: { name },
      body: { filter: { type: 'all', filters: [{ type: 'lastOrder', minDaysAgo: 400, maxDaysAgo: 10 }] } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ title: 'Invalid request', errors: [expect.objectContaining({ path: expect.stringContaining('filter') })] });

    const builtIn = await call(handlers.putSegment, { method: 'PUT', path: '/v1/segments/sleeping', pathParameters: { name: 'sleeping' }, body: lapsedPetFood });
    expect(builtIn.status).toBe(409);
    const deleteBuiltIn = await call(handlers.deleteSegment, { method: 'DELETE', path: '/v1/segments/vip', pathParameters: { name: 'vip' } });
    expect(deleteBuiltIn.status).toBe(409);
  });

  it('page members of a built-in segment and refuse a foreign cursor', async () => {
    const page = await call(handlers.segmentCustomers, { method: 'GET', path: '/v1/segments/lost/customers', pathParameters: { name: 'lost' }, query: { limit: '5' } });
    expect(page.status).toBe(200);
    const foreign = Buffer.from(JSON.stringify({ pk: 'CUSTOMER#x', sk: 'SEGMENT#vip', gsi2pk: 'SEGMENT#vip', gsi2sk: 'x' })).toString('base64url');
    const refused = await call(handlers.segmentCustomers, { method: 'GET', path: '/v1/segments/lost/customers', pathParameters: { name: 'lost' }, query: { cursor: foreign } });
    expect(refused.status).toBe(400);
    const tooMany = await call(handlers.segmentCustomers, { method: 'GET', path: '/v1/segments/lost/customers', pathParameters: { name: 'lost' }, query: { limit: '5000' } });
    expect(tooMany.status).toBe(400);
  });

  it('need the admin token', async () => {
    for (const [handler, method, path, pathParameters] of [
      [handlers.listSegments, 'GET', '/v1/segments', {}],
      [handlers.putSegment, 'PUT', '/v1/segments/x', { name: 'x' }],
      [handlers.deleteSegment, 'DELETE', '/v1/segments/x', { name: 'x' }],
      [handlers.segmentCustomers, 'GET', '/v1/segments/vip/customers', { name: 'vip' }],
      [handlers.getMetrics, 'GET', '/v1/metrics', {}],
    ] as const) {
      const answer = await call(handler, { method, path, pathParameters, token: null, body: lapsedPetFood, query: { from: '2026-01-01', to: '2026-01-02' } });
      expect(answer.status).toBe(401);
    }
  });
});

describe('GET /v1/metrics', () => {
  it('checks the range', async () => {
    const get = (query: Record<string, string>) => call(handlers.getMetrics, { method: 'GET', path: '/v1/metrics', query });
    expect((await get({ from: '2026-01-01', to: '2026-01-31' })).status).toBe(200);
    expect((await get({ from: '2026-01-31', to: '2026-01-01' })).status).toBe(400);
    expect((await get({ from: '2026-02-30', to: '2026-03-01' })).status).toBe(400);
    expect((await get({ from: '2025-01-01', to: '2026-01-02' })).status).toBe(400);
    expect((await get({ from: '2026-01-01' })).status).toBe(400);
  });
});

describe('POST /v1/feedback', () => {
  const post = (body: unknown) => call(handlers.recordFeedback, { method: 'POST', path: '/v1/feedback', body, token: null });

  async function answersOf(customerId: string) {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: process.env['TABLE_NAME'],
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :feedback)',
        ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':feedback': 'FEEDBACK#' },
      }),
    );
    return Items;
  }

  it('records an answer once, and a second answer for the same entry replaces it', async () => {
    const customerId = uniqueId('cust');
    const token = feedbackToken(customerId, 'entry-1', feedbackSecrets[1]!);
    clock = new Date('2026-06-03T08:00:00.000Z');

    expect(await post({ token, score: 6, comment: 'Late delivery' })).toEqual({ status: 200, body: { entryId: 'entry-1', score: 6, status: 'recorded' } });
    expect((await post({ token, score: 6, comment: 'Late delivery' })).body?.['status']).toBe('unchanged');
    clock = new Date('2026-06-04T08:00:00.000Z');
    expect((await post({ token, score: 9 })).body?.['status']).toBe('replaced');

    const answers = await answersOf(customerId);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ sk: 'FEEDBACK#2026-06-04T08:00:00.000Z#entry-1', type: 'feedback', customerId, entryId: 'entry-1', score: 9 });
    expect(answers[0]).not.toHaveProperty('comment');
  });

  it('keeps answers to different entries apart, and survives answers racing', async () => {
    const customerId = uniqueId('cust');
    const results = await Promise.all([
      post({ token: feedbackToken(customerId, 'a', feedbackSecrets[0]!), score: 10 }),
      ...[3, 4, 5, 7].map((score) => post({ token: feedbackToken(customerId, 'b', feedbackSecrets[0]!), score })),
    ]);
    expect(results.every((result) => result.status === 200)).toBe(true);
    const answers = await answersOf(customerId);
    expect(answers.map((answer) => answer['entryId']).sort()).toEqual(['a', 'b']);
  });

  it('refuses forged links and invalid scores', async () => {
    const customerId = uniqueId('cust');
    const forged = await post({ token: feedbackToken(customerId, 'e', 'not-our-secret'), score: 10 });
    expect(forged).toMatchObject({ status: 401, body: { detail: 'the feedback link is not valid' } });
    const invalid = await post({ token: feedbackToken(customerId, 'e', feedbackSecrets[0]!), score: 11 });
    expect(invalid.status).toBe(400);
    expect(await answersOf(customerId)).toEqual([]);
  });
});
