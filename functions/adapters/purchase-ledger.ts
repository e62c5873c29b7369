/**
 * The purchase ledger on DynamoDB. Each write is one transaction: a guard item that makes the order
 * (or refund) unique, the order itself, and the customer profile with its aggregates, guarded by an
 * optimistic version (an import writes several new orders of one customer, each with its guard, and
 * the profile once). A cancelled transaction is a duplicate when the guard already existed, and is
 * retried with backoff when another write to the same customer won the race.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import pRetry from 'p-retry';
import { ConflictError, UnprocessableError } from '../core/errors.ts';
import type { OrderReference, PurchaseLedger, RecordStatus, RecordedOrder, Refund } from '../core/ledger.ts';
import { applyOrder, applyRefund, type CustomerProfile } from '../core/profile.ts';
import { fingerprint, type OrderSource, type Purchase } from '../core/purchase.ts';
import type { CustomerPredictions } from '../core/analytics/predictions.ts';
import { analyticsKeys } from './analytics-store.ts';
import { keys, TTL_ATTRIBUTE } from './table-design.ts';

/** Platform deliveries are remembered for 30 days: platforms stop retrying long before. */
const DELIVERY_MEMORY_SECONDS = 30 * 24 * 3600;

type StoredProfile = CustomerProfile & { version: number };

/** A race lost to another write of the same customer: worth another attempt. */
class WriteConflict extends Error {}

export class DynamoPurchaseLedger implements PurchaseLedger {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retries: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: { retries?: number } = {}) {
    this.client = client;
    this.table = table;
    this.retries = options.retries ?? 8;
  }

  async recordPurchase(purchase: Purchase, options: { source: OrderSource; deliveryId?: string }): Promise<RecordStatus> {
    const digest = fingerprint(purchase);
    return this.withRetries(async () => {
      const current = await this.readProfile(purchase.customer.id);
      const next = applyOrder(current, purchase);
      const items = [
        this.guardPut(purchase, digest),
        this.orderPut(purchase, options.source),
        this.profilePut(next, current),
        ...(options.deliveryId
          ? [
              {
                Put: {
                  TableName: this.table,
                  Item: {
                    ...keys.delivery(options.source, options.deliveryId),
                    type: 'delivery',
                    orderId: purchase.orderId,
                    [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + DELIVERY_MEMORY_SECONDS,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ]
          : []),
      ];
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return 'recorded';
      } catch (error) {
        const reasons = cancellationCodes(error);
        if (!reasons) throw error;
        if (reasons.codes[3] === 'ConditionalCheckFailed') return 'duplicate';
        if (reasons.codes[0] === 'ConditionalCheckFailed') {
          const existing = reasons.items[0];
          if (existing?.['fingerprint'] === digest) return 'duplicate';
          throw new ConflictError(`order ${purchase.orderId} was already recorded with a different payload`);
        }
        throw new WriteConflict('the customer changed during the write', { cause: error });
      }
    });
  }

  /**
   * Records orders of one customer (past orders being imported) in as few writes as possible. The
   * orders' guards are read first: an order already recorded is a duplicate (or, with other content,
   * a 'conflict') and costs no write. The others go in transactions that each hold every order's
   * guard (so each order is still recorded exactly once), the orders, and the profile once, with all
   * of them applied. Should a guard appear in the meantime, that transaction's orders go one by one
   * through recordPurchase. The outcomes follow the purchases' order.
   */
  async recordPurchases(purchases: readonly Purchase[], options: { source: OrderSource }): Promise<RecordOutcome[]> {
    const customerId = purchases[0]?.customer.id;
    if (customerId === undefined) return [];
    if (purchases.some((purchase) => purchase.customer.id !== customerId)) throw new Error('recordPurchases records the orders of one customer');
    const { recorded, profile } = await this.readBeforeImport(customerId, purchases.map((purchase) => purchase.orderId));
    const outcomes = new Map<Purchase, RecordOutcome>();
    const fresh: Purchase[] = [];
    for (const purchase of purchases) {
      const known = recorded.get(purchase.orderId);
      if (known === undefined) fresh.push(purchase);
      else outcomes.set(purchase, known === fingerprint(purchase) ? 'duplicate' : 'conflict');
    }
    // The profile as last read or written, while known; a retry or a write one by one reads it again.
    let current: { profile: StoredProfile | undefined } | undefined = { profile };
    for (const batch of transactionBatches(fresh)) {
      const written = await this.recordTogether(batch, options.source, current);
      if (written) {
        for (const purchase of batch) outcomes.set(purchase, 'recorded');
        current = { profile: written };
        continue;
      }
      current = undefined;
      for (const purchase of batch) {
        try {
          outcomes.set(purchase, await this.recordPurchase(purchase, options));
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          outcomes.set(purchase, 'conflict');
        }
      }
    }
    return purchases.map((purchase) => outcomes.get(purchase)!);
  }

  /** In one read: the fingerprints recorded under these order ids (those that have a guard), and the profile. */
  private async readBeforeImport(customerId: string, orderIds: readonly string[]): Promise<{ recorded: Map<string, string>; profile: StoredProfile | undefined }> {
    const recorded = new Map<string, string>();
    let profile: StoredProfile | undefined;
    const wanted = [keys.profile(customerId), ...[...new Set(orderIds)].map((orderId) => keys.orderGuard(orderId))];
    for (let start = 0; start < wanted.length; start += 100) {
      let keysToRead: Record<string, unknown>[] | undefined = wanted.slice(start, start + 100);
      while (keysToRead && keysToRead.length > 0) {
        const answer: BatchGetCommandOutput = await this.client.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keysToRead, ConsistentRead: true } } }));
        for (const item of answer.Responses?.[this.table] ?? []) {
          if (item['type'] === 'profile') profile = storedProfile(item);
          else recorded.set(String(item['orderId']), String(item['fingerprint']));
        }
        keysToRead = answer.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return { recorded, profile };
  }

  /**
   * One transaction for a batch of one customer's new orders, on the profile given (read again on
   * a retry): the profile as written, or false when one of the orders was recorded before.
   */
  private recordTogether(batch: readonly Purchase[], source: OrderSource, known: { profile: StoredProfile | undefined } | undefined): Promise<StoredProfile | false> {
    const customerId = batch[0]!.customer.id;
    let given = known;
    return this.withRetries(async () => {
      const current = given ? given.profile : await this.readProfile(customerId);
      given = undefined;
      const next = batch.reduce<CustomerProfile | undefined>((profile, purchase) => applyOrder(profile, purchase), current)!;
      const items = [...batch.flatMap((purchase) => [this.guardPut(purchase, fingerprint(purchase)), this.orderPut(purchase, source)]), this.profilePut(next, current)];
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { ...next, version: (current?.version ?? 0) + 1 };
      } catch (error) {
        const reasons = cancellationCodes(error);
        if (!reasons) throw error;
        // Guards sit at the even places before the profile.
        if (reasons.codes.some((code, index) => index < items.length - 1 && index % 2 === 0 && code === 'ConditionalCheckFailed')) return false;
        throw new WriteConflict('the customer changed during the write', { cause: error });
      }
    });
  }

  async findOrder(orderId: string): Promise<OrderReference | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.orderGuard(orderId), ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      orderId: String(Item['orderId']),
      customerId: String(Item['customerId']),
      placedAt: String(Item['placedAt']),
      currency: String(Item['currency']),
      totalMinor: Number(Item['totalMinor']),
    };
  }

  async recordRefund(order: OrderReference, refund: Refund): Promise<RecordStatus> {
    return this.withRetries(async () => {
      const current = await this.readProfile(order.customerId);
      if (!current) throw new Error(`order ${order.orderId} has no customer profile`);
      const next = applyRefund(current, order.currency, refund.amountMinor);
      const items = [
        {
          Put: {
            TableName: this.table,
            Item: { ...keys.refund(order.orderId, refund.refundId), type: 'refund', orderId: order.orderId, customerId: order.customerId, ...refund },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        },
        {
          Update: {
            TableName: this.table,
            Key: keys.order(order.customerId, order.placedAt, order.orderId),
            UpdateExpression: 'SET refundedMinor = refundedMinor + :amount',
            ConditionExpression: 'attribute_exists(pk) AND refundedMinor <= :ceiling',
            ExpressionAttributeValues: { ':amount': refund.amountMinor, ':ceiling': order.totalMinor - refund.amountMinor },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        },
        this.profilePut(next, current),
      ];
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return 'recorded';
      } catch (error) {
        const reasons = cancellationCodes(error);
        if (!reasons) throw error;
        if (reasons.codes[0] === 'ConditionalCheckFailed') {
          if (reasons.items[0]?.['fingerprint'] === refund.fingerprint) return 'duplicate';
          throw new ConflictError(`refund ${refund.refundId} was already recorded with a different payload`);
        }
        if (reasons.codes[1] === 'ConditionalCheckFailed') {
          const refunded = Number(reasons.items[1]?.['refundedMinor'] ?? 0);
          throw new UnprocessableError(
            `refunding ${refund.amountMinor} would exceed what was paid: order total ${order.totalMinor}, already refunded ${refunded} (minor units of ${order.currency})`,
          );
        }
        throw new WriteConflict('the customer changed during the write', { cause: error });
      }
    });
  }

  async getCustomer(
    customerId: string,
    orderLimit = 100,
  ): Promise<{ profile: CustomerProfile; orders: RecordedOrder[]; predictions?: CustomerPredictions } | undefined> {
    const profile = await this.readProfile(customerId);
    if (!profile) return undefined;
    // PREDICTIONS sorts right after the ORDER# items: read newest first, one query brings both.
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :orders AND :predictions',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':orders': keys.orderPrefix, ':predictions': analyticsKeys.predictions(customerId).sk },
        ScanIndexForward: false,
        Limit: orderLimit + 1,
      }),
    );
    const predictionsItem = Items[0]?.['type'] === 'predictions' ? Items[0] : undefined;
    const orders = Items.filter((item) => item['type'] === 'order').slice(0, orderLimit);
    const { version: _version, ...view } = profile;
    return { profile: view, orders: orders.map(toRecordedOrder), ...(predictionsItem ? { predictions: toPredictions(predictionsItem) } : {}) };
  }

  private async readProfile(customerId: string): Promise<StoredProfile | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.profile(customerId), ConsistentRead: true }));
    return Item ? storedProfile(Item) : undefined;
  }

  /** The order guard: exists once per order id, with what was recorded under it. */
  private guardPut(purchase: Purchase, digest: string) {
    const guard: OrderReference & { fingerprint: string } = {
      orderId: purchase.orderId,
      customerId: purchase.customer.id,
      placedAt: purchase.placedAt,
      currency: purchase.currency,
      totalMinor: purchase.totalMinor,
      fingerprint: digest,
    };
    return {
      Put: {
        TableName: this.table,
        Item: { ...keys.orderGuard(purchase.orderId), type: 'orderGuard', ...guard },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  private orderPut(purchase: Purchase, source: OrderSource) {
    const order: RecordedOrder = {
      orderId: purchase.orderId,
      customerId: purchase.customer.id,
      placedAt: purchase.placedAt,
      currency: purchase.currency,
      totalMinor: purchase.totalMinor,
      refundedMinor: 0,
      items: purchase.items,
      source,
      ...(purchase.channel ? { channel: purchase.channel } : {}),
      ...(purchase.promoCode ? { promoCode: purchase.promoCode } : {}),
    };
    return { Put: { TableName: this.table, Item: { ...keys.order(order.customerId, order.placedAt, order.orderId), type: 'order', ...order } } };
  }

  /** The profile write, conditional on the version read, so concurrent writers cannot lose an update. */
  private profilePut(next: CustomerProfile, current: StoredProfile | undefined) {
    const version = (current?.version ?? 0) + 1;
    return {
      Put: {
        TableName: this.table,
        Item: {
          ...keys.profile(next.customerId),
          ...keys.lastOrderDay(next.lastOrderAt, next.customerId),
          // Sparse: an SMS reply (STOP) finds the customers of its number through it.
          ...(next.phone ? keys.customerByPhone(next.phone, next.customerId) : {}),
          type: 'profile',
          ...next,
          version,
        },
        ConditionExpression: current ? 'version = :version' : 'attribute_not_exists(pk)',
        ...(current ? { ExpressionAttributeValues: { ':version': current.version } } : {}),
      },
    };
  }

  private withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    return pRetry(attempt, {
      retries: this.retries,
      minTimeout: 10,
      maxTimeout: 500,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof WriteConflict,
    });
  }
}

/** What became of one of several orders recorded together; 'conflict': its id was recorded with other content. */
export type RecordOutcome = RecordStatus | 'conflict';

/** Orders per transaction: two items each and the profile stay within DynamoDB's 100 items. */
const ORDERS_PER_TRANSACTION = 25;
/** Far below the 4 MB of one transaction, counted as JSON text. */
const BYTES_PER_TRANSACTION = 1024 * 1024;

/** One customer's orders cut into batches of one transaction each; an order id seen twice goes alone. */
function transactionBatches(purchases: readonly Purchase[]): Purchase[][] {
  const batches: Purchase[][] = [];
  let batch: Purchase[] = [];
  let bytes = 0;
  const ids = new Set<string>();
  for (const purchase of purchases) {
    const size = JSON.stringify(purchase).length;
    if (batch.length > 0 && (batch.length >= ORDERS_PER_TRANSACTION || bytes + size > BYTES_PER_TRANSACTION || ids.has(purchase.orderId))) {
      batches.push(batch);
      batch = [];
      bytes = 0;
      ids.clear();
    }
    batch.push(purchase);
    bytes += size;
    ids.add(purchase.orderId);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The profile item without its keys. */
function storedProfile(item: Record<string, NativeAttributeValue>): StoredProfile {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...profile } = item;
  return profile as StoredProfile;
}

function toPredictions(item: Record<string, unknown>): CustomerPredictions {
  const { pAlive, expectedPurchases90d, expectedNextOrderAt, predictedClv, currency, fittedAt, asOf } = item;
  return { pAlive, expectedPurchases90d, expectedNextOrderAt, predictedClv, currency, fittedAt, asOf } as CustomerPredictions;
}

function toRecordedOrder(item: Record<string, unknown>): RecordedOrder {
  const { pk: _pk, sk: _sk, type: _type, ...order } = item;
  return order as unknown as RecordedOrder;
}

/** The per-item reasons of a cancelled transaction, with the old items the conditions returned. */
function cancellationCodes(error: unknown): { codes: (string | undefined)[]; items: (Record<string, unknown> | undefined)[] } | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  return {
    codes: reasons.map((reason) => reason.Code),
    items: reasons.map((reason) => (reason.Item ? unmarshall(reason.Item) : undefined)),
  };
}
