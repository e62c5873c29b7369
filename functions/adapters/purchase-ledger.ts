/**
 * The purchase ledger on DynamoDB. Each write is one transaction: a guard item that makes the order
 * (or refund) unique, the order itself, and the customer profile with its aggregates, guarded by an
 * optimistic version. A cancelled transaction is a duplicate when the guard already existed, and is
 * retried with backoff when another write to the same customer won the race.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
      const order: RecordedOrder = {
        orderId: purchase.orderId,
        customerId: purchase.customer.id,
        placedAt: purchase.placedAt,
        currency: purchase.currency,
        totalMinor: purchase.totalMinor,
        refundedMinor: 0,
        items: purchase.items,
        source: options.source,
        ...(purchase.channel ? { channel: purchase.channel } : {}),
        ...(purchase.promoCode ? { promoCode: purchase.promoCode } : {}),
      };
      const guard: OrderReference & { fingerprint: string } = {
        orderId: purchase.orderId,
        customerId: purchase.customer.id,
        placedAt: purchase.placedAt,
        currency: purchase.currency,
        totalMinor: purchase.totalMinor,
        fingerprint: digest,
      };
      const items = [
        {
          Put: {
            TableName: this.table,
            Item: { ...keys.orderGuard(purchase.orderId), type: 'orderGuard', ...guard },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        },
        {
          Put: {
            TableName: this.table,
            Item: { ...keys.order(order.customerId, order.placedAt, order.orderId), type: 'order', ...order },
          },
        },
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
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...profile } = Item;
    return profile as StoredProfile;
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
