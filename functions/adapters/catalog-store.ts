/**
 * The co-purchase counts on DynamoDB: every order streamed by a parallel scan of the orders index
 * (gsi4, table-design.ts: the orders alone, a customer's together as a partition is read in one
 * piece), and each product's top neighbours as one item, replaced nightly and expiring by TTL when a
 * product stops appearing.
 */
import { GetCommand, paginateScan, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CountedNeighbour, StreamedOrder } from '../core/catalog/copurchase.ts';
import type { CoPurchaseLookup, CoPurchaseNeighbour } from '../core/catalog/offers.ts';
import type { CoPurchaseStore } from '../core/loyalty/ports.ts';
import { coPurchaseOrderEntity, coPurchasesEntity } from './entities.ts';
import { setIndexSortKeys } from './index-backfill.ts';
import { loyaltyKeys } from './loyalty-keys.ts';
import { batchGetItems, batchWriteItems } from './queries.ts';
import { COPURCHASE_PROJECTION, GSI4, TTL_ATTRIBUTE } from './table-design.ts';

/** Last night's counts stay readable through a failed night or two, then expire. */
const KEEP_SECONDS = 3 * 24 * 3600;

type Item = Record<string, unknown>;

function streamedOrder(item: Item): StreamedOrder {
  const { customerId, placedAt, items } = coPurchaseOrderEntity.parse(item);
  return { customerId, placedAt, skus: items.map(({ sku }) => sku) };
}

export class DynamoCoPurchaseStore implements CoPurchaseStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async *orders(segment: number, segments: number): AsyncIterable<StreamedOrder> {
    const pages = paginateScan(
      { client: this.client },
      { TableName: this.table, IndexName: GSI4, Segment: segment, TotalSegments: segments, ProjectionExpression: COPURCHASE_PROJECTION.map((_, i) => `#p${i}`).join(', '), ExpressionAttributeNames: projectedNames() },
    );
    for await (const page of pages) for (const item of page.Items ?? []) yield streamedOrder(item);
  }

  async ordersIndexed(): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: loyaltyKeys.coPurchaseCount, ProjectionExpression: 'ordersIndexed' }));
    return Item?.['ordersIndexed'] === true;
  }

  /**
   * The base table's orders, as `orders()` gives them, each order written before the index existed
   * given its key on the way (once, on the first night after the index appeared).
   */
  async *ordersIndexing(segment: number, segments: number): AsyncIterable<StreamedOrder> {
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.table,
        Segment: segment,
        TotalSegments: segments,
        FilterExpression: '#type = :order',
        ProjectionExpression: ['pk', 'sk', 'gsi4sk', ...COPURCHASE_PROJECTION.map((_, i) => `#p${i}`)].join(', '),
        ExpressionAttributeNames: { '#type': 'type', ...projectedNames() },
        ExpressionAttributeValues: { ':order': 'order' },
      },
    );
    for await (const page of pages) {
      const unindexed = (page.Items ?? []).filter((item) => item['gsi4sk'] === undefined);
      await setIndexSortKeys(this.client, this.table, 'gsi4sk', unindexed.map((item) => ({ pk: String(item['pk']), sk: String(item['sk']) })));
      for (const item of page.Items ?? []) yield streamedOrder(item);
    }
  }

  async markOrdersIndexed(at: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { ...loyaltyKeys.coPurchaseCount, type: 'coPurchaseCount', ordersIndexed: true, indexedAt: at } }));
  }

  async save(neighbours: ReadonlyMap<string, readonly CountedNeighbour[]>, computedAt: string): Promise<number> {
    const expiresAt = Math.floor(Date.parse(computedAt) / 1000) + KEEP_SECONDS;
    const requests = [...neighbours.entries()].map(([sku, list]) => ({
      PutRequest: {
        Item: { ...loyaltyKeys.coPurchases(sku), type: 'coPurchases', sku, neighbours: list.map(({ sku: neighbour, count }) => ({ sku: neighbour, count })), computedAt, [TTL_ATTRIBUTE]: expiresAt },
      },
    }));
    await batchWriteItems(this.client, this.table, requests, { writers: 8 });
    return requests.length;
  }

  async lookup(skus: readonly string[]): Promise<CoPurchaseLookup> {
    const found = new Map<string, CoPurchaseNeighbour[]>();
    const keys = [...new Set(skus)].map((sku) => loyaltyKeys.coPurchases(sku));
    for (const item of await batchGetItems(this.client, this.table, keys)) {
      const { sku, neighbours } = coPurchasesEntity.parse(item);
      found.set(sku, neighbours);
    }
    return found;
  }
}

/** `items` is a reserved word: every projected attribute goes by a placeholder. */
function projectedNames(): Record<string, string> {
  return Object.fromEntries(COPURCHASE_PROJECTION.map((name, i) => [`#p${i}`, name]));
}
