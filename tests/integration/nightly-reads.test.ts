/**
 * What the nightly recompute reads on DynamoDB Local: its sparse index (gsi3) holds a customer's
 * profile, memberships, predictions, journey entries and feedback, and none of her orders, order
 * guards, message log entries or contact preferences, so a night reads those items only. A store
 * written before the index existed is indexed once, by the first night after it appeared.
 * This file has a table of its own: the figures count every item of the table.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAnalyticsStore } from '../../functions/adapters/analytics-store.ts';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import { GSI3, keys, NIGHTLY_PROJECTION, tableDefinition } from '../../functions/adapters/table-design.ts';
import { recompute, type RecomputeSummary } from '../../functions/core/analytics/recompute.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import { applyOrder, type CustomerProfile } from '../../functions/core/profile.ts';
import { scanCountingClient } from '../support/scan-counter.ts';
import { ensureTable, localCredentials, localRegion, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

const table = `comeback-nightly-reads-${randomUUID().slice(0, 8)}`;
const CUSTOMERS = 30;
const ORDERS = 4;
const MESSAGES = 6;
const settings = recomputeSettings({ scan: { totalSegments: 4 }, recency: { minGaps: 100_000 } });
const firstNight = new Date('2026-06-01T03:00:00.000Z');
const secondNight = new Date('2026-06-02T03:00:00.000Z');

const { client, scanned, reset: resetScanned } = scanCountingClient(inject('dynamodbEndpoint'), GSI3);
const store = new DynamoAnalyticsStore(client, table);

const dayBefore = (days: number) => new Date(firstNight.getTime() - days * 86_400_000).toISOString();

/** A customer as an earlier version wrote her: profile, orders, guards, messages, preferences; no index key. */
function customerItems(index: number): Record<string, unknown>[] {
  const customerId = `c-${index}`;
  const orders = Array.from({ length: ORDERS }, (_, k) => ({
    orderId: `${customerId}-o${k}`,
    placedAt: dayBefore(20 + ((index * 37 + k * 61) % 400)),
    currency: 'USD',
    totalMinor: 1000 + ((index * 13 + k * 7) % 50) * 100,
    customer: { id: customerId, email: `${customerId}@example.com`, consent: { email: true } },
    items: [{ sku: `SKU-${k}`, category: 'pet-food', quantity: 1, unitPriceMinor: 1000 }],
  }));
  const profile = orders.reduce<CustomerProfile | undefined>((current, order) => applyOrder(current, order), undefined)!;
  return [
    { ...keys.profile(customerId), ...keys.lastOrderDay(profile.lastOrderAt, customerId), type: 'profile', ...profile, version: ORDERS },
    ...orders.flatMap((order) => [
      { ...keys.order(customerId, order.placedAt, order.orderId), type: 'order', orderId: order.orderId, customerId, placedAt: order.placedAt, totalMinor: order.totalMinor },
      { ...keys.orderGuard(order.orderId), type: 'orderGuard', orderId: order.orderId, customerId },
    ]),
    ...Array.from({ length: MESSAGES }, (_, k) => ({
      ...keys.message(customerId, dayBefore(k + 1), `m${k}`),
      type: 'message',
      customerId,
      messageId: `m${k}`,
      status: 'sent',
    })),
    { ...keys.preferences(customerId), type: 'preferences', customerId, optedOut: [] },
  ];
}

async function batchPut(items: Record<string, unknown>[]): Promise<void> {
  await batchWriteItems(client, table, items.map((Item) => ({ PutRequest: { Item } })));
}

async function allItems(indexName?: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, { TableName: table, ...(indexName ? { IndexName: indexName } : {}) })) items.push(...(page.Items ?? []));
  return items;
}

async function night(at: Date): Promise<{ summary: RecomputeSummary; table: number; index: number }> {
  resetScanned();
  const summary = await recompute({ store, events: { entered: async () => undefined }, now: () => at }, settings);
  return { summary, table: scanned.table, index: scanned.index };
}

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), table);
  await batchPut(Array.from({ length: CUSTOMERS }, (_, index) => customerItems(index)).flat());
}, 60_000);

afterAll(() => {
  client.destroy();
});

describe('what the nightly recompute reads', () => {
  it('indexes a store written before the index once, then reads only the profiles, memberships and predictions', async () => {
    // Prepare: every item of the store, as the whole-table scan used to read them.
    const everyItem = (await allItems()).length;
    expect(everyItem).toBe(CUSTOMERS * (1 + 2 * ORDERS + MESSAGES + 1));

    // Act: the first night after the index appeared, then the next night.
    const first = await night(firstNight);
    const [indexed, tableAfterFirst] = await Promise.all([allItems(GSI3), allItems()]);
    const second = await night(secondNight);

    // Assess: the first night reads the base table once to index, the second never.
    expect(first.table).toBe(everyItem);
    expect(first.summary.customers).toBe(CUSTOMERS);
    expect(second.table).toBe(0);
    expect(second.summary.customers).toBe(CUSTOMERS);
    const types = new Set(indexed.map((item) => String(item['type'])));
    expect([...types].sort()).toEqual(['profile', 'segmentMembership', ...(first.summary.predictionsAvailable ? ['predictions'] : [])].sort());
    // Every membership and prediction the night wrote is in the index, and only the customers' own items.
    const readTypes = new Set(['profile', 'segmentMembership', 'predictions']);
    expect(indexed.map((item) => `${String(item['pk'])}|${String(item['sk'])}`).sort()).toEqual(
      tableAfterFirst.filter((item) => readTypes.has(String(item['type']))).map((item) => `${String(item['pk'])}|${String(item['sk'])}`).sort(),
    );
    // Read per customer: every item of hers before (16), her profile, memberships and predictions after.
    expect(second.index).toBe(indexed.length);
    console.info(`items read per customer: ${everyItem / CUSTOMERS} before the index, ${second.index / CUSTOMERS} through it`);
    expect(second.index / CUSTOMERS).toBeLessThan(everyItem / CUSTOMERS / 2);
    // Contact details stay out of the index.
    const profile = indexed.find((item) => item['type'] === 'profile')!;
    expect(profile).not.toHaveProperty('email');
    expect(profile).toMatchObject({ customerId: expect.any(String), orderDays: expect.any(Object), lastOrderAt: expect.any(String) });
  });

  it('adds the index to a local table created by an earlier version, active by the time the host starts', async () => {
    // Its own DynamoDB Local, as the host has: with every test file's table and stream on the shared
    // one, DynamoDB Local left a new index CREATING for over 100 s in the whole suite.
    const own = await startDynamoDbLocal();
    const client = new DynamoDBClient({ endpoint: own.endpoint, region: localRegion, credentials: localCredentials });
    try {
      const earlier = `${table}-earlier`;
      const design = tableDefinition(earlier);
      await client.send(
        new CreateTableCommand({
          ...design,
          AttributeDefinitions: design.AttributeDefinitions?.filter((attribute) => attribute.AttributeName !== 'gsi3sk'),
          GlobalSecondaryIndexes: design.GlobalSecondaryIndexes?.filter((index) => index.IndexName !== GSI3),
        }),
      );

      await ensureTable(own.endpoint, earlier);

      const { Table } = await client.send(new DescribeTableCommand({ TableName: earlier }));
      const index = Table?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === GSI3);
      expect(index?.IndexStatus).toBe('ACTIVE');
      expect(index?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...NIGHTLY_PROJECTION] });
    } finally {
      client.destroy();
      await own.stop();
    }
  });
});
