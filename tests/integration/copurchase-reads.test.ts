/**
 * What the nightly co-purchase count reads on DynamoDB Local: the orders' own sparse index (gsi4),
 * which holds every order and nothing else, so a night reads no profile, message log or journey
 * entry. A store written before the index existed is read from the table once, on the first night
 * after the index appeared, and its orders are given the index key on the way.
 * This file has a table of its own: the figures count every item of the table.
 */
import { randomUUID } from 'node:crypto';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoCoPurchaseStore } from '../../functions/adapters/catalog-store.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { batchWriteItems } from '../../functions/adapters/queries.ts';
import { GSI4, keys } from '../../functions/adapters/table-design.ts';
import { recomputeCoPurchases } from '../../functions/core/catalog/use-cases.ts';
import { scanCountingClient } from '../support/scan-counter.ts';
import { ensureTable } from '../../lib/local/dynamodb-local.ts';

const table = `comeback-copurchase-reads-${randomUUID().slice(0, 8)}`;
const EARLIER_CUSTOMERS = 12;
const NEW_CUSTOMERS = 6;
const MESSAGES = 8;

const { client, scanned, reset: resetScanned } = scanCountingClient(inject('dynamodbEndpoint'), GSI4);
const store = new DynamoCoPurchaseStore(client, table);
const ledger = new DynamoPurchaseLedger(client, table);

const day = (n: number) => new Date(Date.UTC(2026, 4, 1 + n, 10)).toISOString();

/** A customer of an earlier version: a basket of a camera and a strap, a lens ten days later, a message log; no index key. */
function earlierCustomer(index: number): Record<string, unknown>[] {
  const customerId = `earlier-${index}`;
  const order = (k: number, placedAt: string, skus: string[]) => ({
    ...keys.order(customerId, placedAt, `${customerId}-o${k}`),
    type: 'order',
    orderId: `${customerId}-o${k}`,
    customerId,
    placedAt,
    currency: 'USD',
    totalMinor: 1000 * skus.length,
    refundedMinor: 0,
    items: skus.map((sku) => ({ sku, quantity: 1, unitPriceMinor: 1000 })),
    source: 'comeback',
  });
  const messages = Array.from({ length: MESSAGES }, (_, k) => ({
    ...keys.message(customerId, day(k), `${customerId}-m${k}`),
    type: 'message',
    customerId,
    journey: 'post-purchase',
    body: 'x'.repeat(400),
  }));
  return [order(0, day(index), ['CAMERA', 'STRAP']), order(1, day(index + 10), ['LENS']), ...messages];
}

async function writeAll(items: Record<string, unknown>[]): Promise<void> {
  await batchWriteItems(client, table, items.map((Item) => ({ PutRequest: { Item } })));
}

async function allOrders(indexName?: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, { TableName: table, ...(indexName ? { IndexName: indexName } : {}) })) {
    items.push(...(page.Items ?? []).filter((item) => indexName || item['type'] === 'order'));
  }
  return items;
}

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), table);
  await writeAll(Array.from({ length: EARLIER_CUSTOMERS }, (_, index) => earlierCustomer(index)).flat());
  for (let index = 0; index < NEW_CUSTOMERS; index += 1) {
    const customer = { id: `new-${index}`, email: `new-${index}@example.com`, consent: { email: true } };
    for (const [k, skus, placedAt] of [[0, ['CAMERA', 'STRAP'], day(index)], [1, ['LENS'], day(index + 10)]] as const) {
      const status = await ledger.recordPurchase(
        { orderId: `new-${index}-o${k}`, placedAt, currency: 'USD', totalMinor: 1000 * skus.length, customer, items: skus.map((sku) => ({ sku, quantity: 1, unitPriceMinor: 1000 })) },
        { source: 'comeback' },
      );
      expect(status).toBe('recorded');
    }
  }
});

afterAll(() => client.destroy());

describe('the nightly co-purchase count', () => {
  it('reads the orders from their own index, after one night that read the table and gave the older orders the key', async () => {
    const orders = (EARLIER_CUSTOMERS + NEW_CUSTOMERS) * 2;
    // Orders the ledger records carry the key already; the earlier version's do not.
    expect((await allOrders(GSI4)).length).toBe(NEW_CUSTOMERS * 2);

    resetScanned();
    const first = await recomputeCoPurchases({ copurchases: store, now: () => new Date(day(40)) }, { segments: 3 });
    expect(first).toMatchObject({ read: 'table', orders });
    expect(scanned.index).toBe(0);
    const tableItems = scanned.table;
    expect(tableItems).toBeGreaterThan(orders);

    const indexed = await allOrders(GSI4);
    expect(indexed.length).toBe(orders);
    // The index holds who, when and which products: no contact details, totals or keys of other items.
    expect(Object.keys(indexed[0]!).sort()).toEqual(['customerId', 'gsi4sk', 'items', 'pk', 'placedAt', 'sk']);
    expect((await allOrders()).every((order) => order['gsi4sk'] === order['sk'])).toBe(true);
    const afterFirst = await store.lookup(['CAMERA']);

    resetScanned();
    const second = await recomputeCoPurchases({ copurchases: store, now: () => new Date(day(41)) }, { segments: 3 });
    expect(second).toMatchObject({ read: 'orders index', orders, pairs: first.pairs, products: first.products });
    expect(scanned).toEqual({ table: 0, index: orders });
    expect(scanned.index).toBeLessThan(tableItems / 4);

    const afterSecond = await store.lookup(['CAMERA']);
    expect(afterSecond).toEqual(afterFirst);
    expect(afterSecond.get('CAMERA')?.map((neighbour) => neighbour.sku).sort()).toEqual(['LENS', 'STRAP']);
  });

  it('keeps the index key out of the orders the ledger reads back', async () => {
    const customer = await ledger.getCustomer('new-0');
    expect(customer?.orders).toHaveLength(2);
    for (const order of customer!.orders) expect(Object.keys(order)).not.toContain('gsi4sk');
  });
});
