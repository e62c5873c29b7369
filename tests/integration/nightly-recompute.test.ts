/**
 * The nightly recompute on DynamoDB Local, end to end: the scheduled handler as deployed, then the
 * admin routes reading what it wrote. This file has a table of its own, because the job reads the
 * whole table and its figures must not depend on what other test files write.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useClock } from '../../functions/adapters/clock.ts';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import { analyticsKeys } from '../../functions/adapters/analytics-store.ts';
import { feedbackToken } from '../../functions/core/analytics/feedback.ts';
import { customerFacts, dayOf, isoDay } from '../../functions/core/analytics/facts.ts';
import type { MetricsSnapshot } from '../../functions/core/analytics/metrics.ts';
import type { FittedModels } from '../../functions/core/analytics/predictions.ts';
import type { RecomputeSummary, SegmentEnteredEvent } from '../../functions/core/analytics/recompute.ts';
import { factWindows } from '../../functions/core/analytics/recompute.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedTimeToNextPurchase,
  bgnbdProbabilityAlive,
  customerLifetimeValue,
  seededRandom,
  simulateBgnbdCustomer,
} from '../../functions/core/models/index.ts';
import { applyOrder, type CustomerProfile } from '../../functions/core/profile.ts';
import { ensureTable, localCredentials, localRegion } from '../../lib/local/dynamodb-local.ts';
import { adminEvent, httpEvent, lambdaContext } from '../support/events.ts';

type Handler = (event: never, context: Context) => Promise<unknown>;
type HttpHandler = (event: ReturnType<typeof httpEvent>, context: Context) => Promise<{ statusCode: number; body?: string }>;

const table = `comeback-recompute-${randomUUID().slice(0, 8)}`;
const feedbackSecret = 'feedback_test_secret';
// The hand-made customers below are placed by the seeds' days: minGaps out of reach keeps those as
// the fallback bands (the derived ones are proven in tests/unit/analytics/bands.test.ts).
const settingsJson = JSON.stringify({ models: { minRepeatBuyers: 60 }, scan: { totalSegments: 4 }, recency: { minGaps: 100_000 } });
const settings = recomputeSettings(JSON.parse(settingsJson));
const night = new Date('2026-06-01T02:30:00.000Z');
let clock = night;

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: localRegion, credentials: localCredentials }),
  { marshallOptions: { removeUndefinedValues: true } },
);

let handlers: {
  recompute: Handler;
  useSegmentEvents: (events: { entered(event: SegmentEnteredEvent): Promise<void> }) => void;
  getCustomer: HttpHandler;
  listSegments: HttpHandler;
  segmentCustomers: HttpHandler;
  getMetrics: HttpHandler;
  recordFeedback: HttpHandler;
};
const events: SegmentEnteredEvent[] = [];

const ago = (days: number, from = night) => new Date(from.getTime() - days * 86_400_000).toISOString().slice(0, 10);

function profileOf(customerId: string, orders: { day: string; totalMinor: number }[]): CustomerProfile {
  return orders.reduce<CustomerProfile | undefined>(
    (profile, order, index) =>
      applyOrder(profile, {
        orderId: `${customerId}-${index}`,
        placedAt: `${order.day}T12:00:00.000Z`,
        currency: 'USD',
        totalMinor: order.totalMinor,
        customer: { id: customerId, email: `${customerId}@example.com`, consent: { email: true } },
        items: [{ sku: 'SKU', category: 'pet-food', quantity: 1, unitPriceMinor: order.totalMinor }],
      }),
    undefined,
  )!;
}

/** The profile item exactly as the purchase ledger writes it. */
const profileItem = (profile: CustomerProfile, version = 1) => ({
  ...keys.profile(profile.customerId),
  ...keys.lastOrderDay(profile.lastOrderAt, profile.customerId),
  ...keys.readNightly(keys.profile(profile.customerId)),
  type: 'profile',
  ...profile,
  version,
});

/** 240 customers drawn from the BG/NBD model with the CDNOW parameters (per day), each with her own spend level. */
function simulatedStore(): CustomerProfile[] {
  const random = seededRandom(2026);
  const params = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
  return Array.from({ length: 240 }, (_, i) => {
    const T = 60 + Math.floor(random() * 500);
    const { x, tx } = simulateBgnbdCustomer(random, params, T);
    const level = 500 + random() * 8000;
    const days = [T, ...Array.from({ length: x }, (_, k) => Math.max(0, Math.round(T - (tx * (k + 1)) / x)))];
    return profileOf(`sim-${i}`, days.map((d) => ({ day: ago(d), totalMinor: Math.round(level * (0.5 + random())) })));
  });
}

async function batchPut(items: Record<string, unknown>[]): Promise<void> {
  await batchWriteItems(client, table, items.map((Item) => ({ PutRequest: { Item } })));
}

async function call(handler: HttpHandler, event: ReturnType<typeof httpEvent>) {
  const result = await handler(event, lambdaContext);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

const admin = (path: string, pathParameters: Record<string, string> = {}, query: Record<string, string> = {}) => ({
  ...adminEvent(path, pathParameters),
  queryStringParameters: query,
});

async function run(at: Date, event: Record<string, unknown> = {}): Promise<RecomputeSummary> {
  clock = at;
  return (await handlers.recompute(event as never, lambdaContext)) as RecomputeSummary;
}

async function membersOf(segment: string): Promise<string[]> {
  const members: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(handlers.segmentCustomers, admin(`/v1/segments/${segment}/customers`, { name: segment }, { limit: '50', ...(cursor ? { cursor } : {}) }));
    expect(page.status).toBe(200);
    members.push(...(page.body['items'] as { customerId: string }[]).map((item) => item.customerId));
    cursor = page.body['cursor'] as string | undefined;
  } while (cursor);
  return members;
}

// Hand-made customers on top of the simulated store.
const ivy = profileOf('ivy', [{ day: ago(400), totalMinor: 4000 }, { day: ago(100), totalMinor: 6000 }]); // sleeping
const max = profileOf('max', [{ day: ago(10), totalMinor: 2500 }]); // new
const liz = profileOf('liz', [{ day: ago(80), totalMinor: 1500 }, { day: ago(60), totalMinor: 1500 }]); // active, sleeping in 40 days

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), table);
  Object.assign(process.env, {
    TABLE_NAME: table,
    COMEBACK_RECOMPUTE_SETTINGS: settingsJson,
    COMEBACK_FEEDBACK_SECRET: feedbackSecret,
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  useClock({ now: () => clock });
  const nightly = await import('../../functions/handlers/nightly-recompute.ts');
  handlers = {
    recompute: nightly.handler as unknown as Handler,
    useSegmentEvents: nightly.useSegmentEvents,
    getCustomer: (await import('../../functions/handlers/get-customer.ts')).handler as unknown as HttpHandler,
    listSegments: (await import('../../functions/handlers/list-segments.ts')).handler as unknown as HttpHandler,
    segmentCustomers: (await import('../../functions/handlers/segment-customers.ts')).handler as unknown as HttpHandler,
    getMetrics: (await import('../../functions/handlers/get-metrics.ts')).handler as unknown as HttpHandler,
    recordFeedback: (await import('../../functions/handlers/record-feedback.ts')).handler as unknown as HttpHandler,
  };
  handlers.useSegmentEvents({ entered: async (event) => void events.push(event) });
  await batchPut([...simulatedStore(), ivy, max, liz].map((profile) => profileItem(profile)));
  // A journey entry written before the nightly index existed (the first run gives it its key) and an
  // order, which the recompute must not read.
  await batchPut([
    {
      ...keys.journeyEntry('ivy', 'win-back', 'entry-1'),
      type: 'journeyEntry',
      journey: 'win-back',
      entryId: 'entry-1',
      customerId: 'ivy',
      enteredAt: `${ago(20)}T03:00:00.000Z`,
      status: 'converted',
      holdout: false,
      convertedOrderId: 'ivy-9',
      convertedRevenueMinor: 3000,
      convertedCurrency: 'USD',
    },
    {
      ...keys.order('ivy', `${ago(100)}T12:00:00.000Z`, 'ivy-1'),
      type: 'order',
      orderId: 'ivy-1',
      customerId: 'ivy',
      placedAt: `${ago(100)}T12:00:00.000Z`,
      currency: 'USD',
      totalMinor: 6000,
      refundedMinor: 0,
      items: [{ sku: 'TEA', quantity: 1, unitPriceMinor: 6000 }],
      source: 'comeback',
    },
  ]);
}, 60_000);

afterAll(() => {
  client.destroy();
});

describe('the nightly recompute on DynamoDB', () => {
  it('answers that predictions are not yet available before the first run', async () => {
    const { status, body } = await call(handlers.getCustomer, adminEvent('/v1/customers/ivy', { id: 'ivy' }));
    expect(status).toBe(200);
    expect(body['predictions']).toEqual({ available: false, reason: 'predictions are not yet available: the nightly recompute has not fitted the models yet' });
  });

  it('classifies everyone on its first run, fits the models and writes predictions', async () => {
    const answer = await call(handlers.recordFeedback, httpEvent({
      path: '/v1/feedback',
      body: JSON.stringify({ token: feedbackToken('ivy', 'entry-1', feedbackSecret), score: 9, comment: 'Glad to be back' }),
      headers: { 'content-type': 'application/json' },
    }));
    expect(answer).toEqual({ status: 200, body: { entryId: 'entry-1', score: 9, status: 'recorded' } });

    const summary = await run(night);

    expect(summary).toMatchObject({ bootstrapped: true, modelsRefitted: true, predictionsAvailable: true, customers: 243, journeyEntries: 1, feedbackAnswers: 1, left: 0 });
    expect(summary.predictionsWritten).toBe(243);
    expect(summary.entered).toBe(events.length);
    expect(events.filter((event) => event.customerId === 'ivy' && event.segment === 'sleeping')).toHaveLength(1);
    expect(events.find((event) => event.customerId === 'ivy')?.profile).toMatchObject({ customerId: 'ivy', orderCount: 2 });
    expect(await membersOf('sleeping')).toContain('ivy');
    expect(await membersOf('new')).toContain('max');
    expect(await membersOf('active')).toContain('liz');
    const bands = (await call(handlers.listSegments, admin('/v1/segments'))).body['recencyBands'] as { overall: { activeDays: number; basis: { kind: string }; description: string } };
    expect(bands.overall).toMatchObject({ activeDays: 90, basis: { kind: 'fallback', minGaps: 100_000 } });
    expect(bands.overall.description).toMatch(/^fallback \(\d+ gaps, fewer than the 100000 needed\)$/);
    const sizes = Object.fromEntries(
      (((await call(handlers.listSegments, admin('/v1/segments'))).body['segments']) as { name: string; size: number }[]).map((segment) => [segment.name, segment.size]),
    );
    expect(sizes['sleeping']).toBe((await membersOf('sleeping')).length);
    expect(['new', 'active', 'sleeping', 'lapsing', 'lost'].reduce((sum, name) => sum + (sizes[name] ?? 0), 0)).toBe(243);
    expect(['vip', 'mid', 'base'].reduce((sum, name) => sum + (sizes[name] ?? 0), 0)).toBe(243);
    // RFM: every customer scored by the store's quintiles, counted per tier with the cut points.
    const rfm = (await call(handlers.listSegments, admin('/v1/segments'))).body['rfmTiers'] as { tiers: Record<string, number>; scored: number; cuts: { customers: number }; description: string };
    expect(rfm).toMatchObject({ scored: 243, cuts: { customers: 243 } });
    expect(Object.values(rfm.tiers).reduce((sum, count) => sum + count, 0)).toBe(243);
    expect(rfm.description).toMatch(/^quintiles of 243 customers: R days since last order \d+ \/ \d+ \/ \d+ \/ \d+; F orders /);
    const ivyRfm = (await call(handlers.getCustomer, adminEvent('/v1/customers/ivy', { id: 'ivy' }))).body['rfm'] as { r: number; f: number; m: number; score: number };
    expect(ivyRfm.score).toBe(ivyRfm.r + ivyRfm.f + ivyRfm.m);
    for (const score of [ivyRfm.r, ivyRfm.f, ivyRfm.m]) expect(score).toBeGreaterThanOrEqual(1);
  });

  it('shows predictions equal to the closed-form model values', async () => {
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: analyticsKeys.currentModels }));
    const models = Item as unknown as FittedModels;
    expect(models).toMatchObject({ available: true, unit: 'day', fittedAt: night.toISOString() });
    const { r, alpha, a, b } = models.bgnbd!;
    const spend = models.gammaGamma['USD'];
    for (const profile of [ivy, liz]) {
      const { x, tx, T, meanRepeatValue } = customerFacts(profile, dayOf(night.toISOString()), factWindows(settings)).model;
      const { body } = await call(handlers.getCustomer, adminEvent(`/v1/customers/${profile.customerId}`, { id: profile.customerId }));
      const next = bgnbdExpectedTimeToNextPurchase({ r, alpha, a, b }, { x, tx, T }, { maxHorizon: 3650 });
      const predictions = body['predictions'] as Record<string, unknown>;
      expect(predictions['pAlive']).toBeCloseTo(bgnbdProbabilityAlive({ r, alpha, a, b }, { x, tx, T }), 4);
      expect(predictions['expectedPurchases90d']).toBeCloseTo(bgnbdExpectedPurchases({ r, alpha, a, b }, { x, tx, T }, 90), 4);
      expect(predictions['expectedNextOrderAt']).toBe(next === null ? null : `${isoDay(dayOf(night.toISOString()) + Math.ceil(next))}T00:00:00.000Z`);
      expect(predictions['predictedClv']).toBe(spend ? Math.round(customerLifetimeValue({ r, alpha, a, b }, spend, { x, tx, T, meanRepeatValue }, { horizon: 365 })) : null);
      expect(predictions).toMatchObject({ currency: 'USD', fittedAt: night.toISOString() });
      // The 80 % credible intervals come with the values, and hold them.
      const intervals = predictions['intervals'] as Record<string, [number, number]>;
      expect(intervals['pAlive']![0]).toBeLessThanOrEqual(predictions['pAlive'] as number);
      expect(intervals['pAlive']![1]).toBeGreaterThanOrEqual(predictions['pAlive'] as number);
      expect(intervals['expectedPurchases90d']![0]).toBeLessThanOrEqual(intervals['expectedPurchases90d']![1]);
      expect(body['orders']).toEqual(profile.customerId === 'ivy' ? [expect.objectContaining({ orderId: 'ivy-1' })] : []);
    }
  });

  it('stores the daily snapshot with the journey and the feedback read in the same scan', async () => {
    const { status, body } = await call(handlers.getMetrics, admin('/v1/metrics', {}, { from: '2026-05-01', to: '2026-06-30' }));
    expect(status).toBe(200);
    const days = body['days'] as MetricsSnapshot[];
    expect(days.map((day) => day.day)).toEqual(['2026-06-01']);
    expect(days[0]).toMatchObject({
      customers: 243,
      nps: { score: 100, answers: 1, promoters: 1 },
      journeys: { 'win-back': { treated: { entered: 1, converted: 1, revenueMinor: { USD: 3000 } }, holdout: { entered: 0 }, uplift: null } },
      model: { available: true, fittedAt: night.toISOString() },
    });
  });

  it('writes only what changed on later nights, and each entry once', async () => {
    const later = new Date(night.getTime() + 40 * 86_400_000);
    // Ivy buys again; Liz stays quiet and falls asleep.
    const ivyAgain = applyOrder(ivy, {
      orderId: 'ivy-9',
      placedAt: `${ago(1, later)}T09:00:00.000Z`,
      currency: 'USD',
      totalMinor: 3000,
      customer: { id: 'ivy' },
      items: [{ sku: 'SKU', quantity: 1, unitPriceMinor: 3000 }],
    });
    await client.send(new PutCommand({ TableName: table, Item: profileItem(ivyAgain, 2) }));
    const before = events.length;

    const summary = await run(later);

    // Last fitted 40 days ago: refitted at the end of this run, for the next one.
    expect(summary).toMatchObject({ bootstrapped: false, customers: 243, modelsRefitted: true });
    expect(await membersOf('sleeping')).toContain('liz');
    expect(await membersOf('sleeping')).not.toContain('ivy');
    expect(await membersOf('active')).toContain('ivy');
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: analyticsKeys.membership('ivy', 'sleeping') }));
    expect(Item).toBeUndefined();
    const fresh = events.slice(before);
    expect(fresh).toHaveLength(summary.entered);
    expect(fresh.filter((event) => event.customerId === 'liz' && event.segment === 'sleeping')).toHaveLength(1);

    const refitted = await run(later);
    expect(refitted).toMatchObject({ modelsRefitted: false, predictionsWritten: 243 });
    const again = await run(later);
    expect(again).toMatchObject({ entered: 0, left: 0, predictionsWritten: 0, predictionsDeleted: 0 });
    expect(events).toHaveLength(before + summary.entered + refitted.entered);
  });

  it('computes a day once on schedule: a second scheduled run that day leaves its snapshot as it was', async () => {
    const later = new Date(night.getTime() + 40 * 86_400_000);
    const day = later.toISOString().slice(0, 10);
    const snapshotOf = async () => ((await call(handlers.getMetrics, admin('/v1/metrics', {}, { from: day, to: day }))).body['days'] as MetricsSnapshot[])[0];
    const computed = await snapshotOf();
    expect(computed?.day).toBe(day);

    const scheduled = await run(new Date(later.getTime() + 3 * 3_600_000), { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });

    expect(scheduled).toEqual({ day, alreadyComputed: true });
    // Recomputed, the snapshot would carry the later computedAt.
    expect(await snapshotOf()).toEqual(computed);
  });

  it('refits on demand and withdraws predictions when the store has too few repeat buyers', async () => {
    const later = new Date(night.getTime() + 41 * 86_400_000);
    const { recompute } = await import('../../functions/core/analytics/recompute.ts');
    const { DynamoAnalyticsStore } = await import('../../functions/adapters/analytics-store.ts');
    const strict = recomputeSettings({ ...JSON.parse(settingsJson), models: { minRepeatBuyers: 100_000 } });
    const refit = await recompute({ store: new DynamoAnalyticsStore(client, table), events: { entered: async () => undefined }, now: () => later }, strict, { refitModels: true });
    expect(refit.modelsRefitted).toBe(true);

    const withdrawn = await recompute({ store: new DynamoAnalyticsStore(client, table), events: { entered: async () => undefined }, now: () => later }, strict);

    expect(withdrawn).toMatchObject({ predictionsAvailable: false, predictionsDeleted: 243 });
    expect(await membersOf('churn-risk')).toEqual([]);
    const { body } = await call(handlers.getCustomer, adminEvent('/v1/customers/liz', { id: 'liz' }));
    expect(body['predictions']).toEqual({
      available: false,
      reason: expect.stringMatching(/^predictions are not yet available: \d+ customer\(s\) have bought again so far; predictions start at 100000 repeat buyers$/),
    });
  });
});
