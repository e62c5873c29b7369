/**
 * The purchase ledger on DynamoDB. Each write is one transaction: a guard item that makes the order
 * (or refund) unique, the order itself, and the customer profile with its aggregates, guarded by an
 * optimistic version (an import writes several new orders of one customer, each with its guard, and
 * the profile once), or, for a live order, updated unread on the conditions its change requires. A cancelled transaction is a duplicate when the guard already existed, and is
 * retried with backoff when another write to the same customer won the race.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import pRetry from 'p-retry';
import { applyConsentStatement, type ConsentStatement } from '../core/consent.ts';
import { ConflictError, InvalidInputError, UnprocessableError } from '../core/errors.ts';
import {
  OrderCancelledError,
  type ConsentLedger,
  type OrderArrival,
  type OrderLifecycleLedger,
  type OrderReference,
  type PlatformRefund,
  type RecordStatus,
  type RecordedOrder,
  type Refund,
  type ReversalOutcome,
} from '../core/ledger.ts';
import { toMinorUnits } from '../core/money.ts';
import { CANCELLATION_REFUND_ID } from '../core/platforms/lifecycle.ts';
import { applyOrder, applyRefund, orderChange, orderHistoryOf, placementOf, type CustomerProfile, type OrderChange } from '../core/profile.ts';
import { definedOnly, fingerprint, type OrderSource, type Purchase } from '../core/purchase.ts';
import type { CustomerPredictions } from '../core/analytics/predictions.ts';
import { analyticsKeys } from './analytics-store.ts';
import { keepsLiveAttributes, LIVE_PROFILE_ATTRIBUTES, orderEntity, orderGuardEntity, orderHistoryEntity, pendingOrderEntity, predictionsEntity, profileEntity, type PendingOrderItem } from './entities.ts';
import { batchGetItems } from './queries.ts';
import { keys, TTL_ATTRIBUTE } from './table-design.ts';

/** Platform deliveries are remembered for 30 days: platforms stop retrying long before. */
const DELIVERY_MEMORY_SECONDS = 30 * 24 * 3600;

type StoredProfile = CustomerProfile & { version: number };

/** What arrived for an order before the order itself (pendingOrderEntity), as the guard's item holds it. */
type PendingOrder = PendingOrderItem & { type: 'orderPending' };

type GuardItem = (OrderReference & { type: 'orderGuard'; fingerprint: string }) | PendingOrder;

/**
 * What an order's transaction did: recorded it (or found it recorded), met a refund or cancellation
 * that came first, or met a profile other than its write expected (as the condition found it).
 */
type OrderWrite = { kind: 'done'; status: RecordStatus } | { kind: 'pending'; pending: PendingOrder } | ({ kind: 'profile' } & FoundProfile);

/** A profile as a cancelled write found it, with the currency its live revenue is kept in, if any. */
interface FoundProfile {
  profile: StoredProfile | undefined;
  liveRevenueCurrency?: string;
}

/**
 * Where a live order's update adds its total: to the revenue live orders keep in one currency (a
 * top-level number, which the update creates with the profile of a first order), or, for an order in
 * another currency than that one, inside the profile's revenueByCurrency.
 */
type RevenueTarget = 'live' | 'byCurrency';

/** A race lost to another write of the same customer: worth another attempt. */
class WriteConflict extends Error {
  override readonly name: string = 'WriteConflict';
}

export class DynamoPurchaseLedger implements OrderLifecycleLedger, ConsentLedger {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retries: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: { retries?: number } = {}) {
    this.client = client;
    this.table = table;
    this.retries = options.retries ?? 8;
  }

  async recordPurchase(purchase: Purchase, options: { source: OrderSource; deliveryId?: string; arrival?: OrderArrival }): Promise<RecordStatus> {
    const digest = fingerprint(purchase);
    // What came before the order (rare): learnt from a guard write that found it, then written over.
    let pending: PendingOrder | undefined;
    // The profile as a write that missed found it: the next attempt starts from it instead of a read.
    let known: FoundProfile | undefined;
    // An update (placement and revenue target) the profile refused for another reason (a consent, a new product).
    let refused: string | undefined;
    const unread = (options.arrival ?? 'live') === 'live' && fitsOneUpdate(purchase);
    return this.withRetries(async () => {
      // An attempt that learnt what it met (the profile, an earlier refund) goes again at once.
      for (let attempt = 0; attempt < ATTEMPTS_BEFORE_BACKOFF; attempt += 1) {
        if (pending?.cancelled) {
          throw new OrderCancelledError(`order ${purchase.orderId} was cancelled (${pending.cancelled.reason}) before it arrived, so it does not count`);
        }
        // A live order is almost always its customer's newest (or her first, which starts her
        // profile): its change to the profile goes in the order's own transaction, unread. One that
        // arrived late, or in another currency than her live revenue's, goes the same way once the
        // profile it met says so; anything else is written from the profile.
        const candidate = !unread || pending ? undefined : known === undefined ? 'newest' : known.profile ? placementOf(known.profile, purchase) : undefined;
        const revenue: RevenueTarget = known?.liveRevenueCurrency !== undefined && known.liveRevenueCurrency !== purchase.currency ? 'byCurrency' : 'live';
        const placement = candidate && `${candidate} ${revenue}` !== refused ? candidate : undefined;
        let outcome: OrderWrite;
        if (placement) {
          known = undefined;
          outcome = await this.writeOrder(purchase, digest, options, undefined, this.orderChangeUpdate(orderChange(purchase, placement), revenue));
          if (outcome.kind === 'profile' && outcome.profile) refused = `${placement} ${revenue}`;
        } else {
          const current = known ? known.profile : await this.readProfile(purchase.customer.id);
          known = undefined;
          const early = earlyRefundsOf(pending, purchase);
          const refundedMinor = early.reduce((total, refund) => total + refund.amountMinor, 0);
          const ordered = applyOrder(current, purchase);
          const next = refundedMinor > 0 ? applyRefund(ordered, purchase.currency, refundedMinor) : ordered;
          outcome = await this.writeOrder(purchase, digest, options, pending, this.profilePut(next, current), early);
        }
        if (outcome.kind === 'done') return outcome.status;
        if (outcome.kind === 'pending') pending = outcome.pending;
        else known = outcome;
      }
      throw new WriteConflict('the customer kept changing during the write');
    });
  }

  /**
   * One transaction of an order: its guard, the order, the profile's write, the platform's delivery
   * id and the refunds that came first. Cancelled, it tells what it met: a duplicate, an earlier
   * refund or cancellation of the order (`pending`), or a profile other than the write expected (as
   * the condition found it).
   */
  private async writeOrder(
    purchase: Purchase,
    digest: string,
    options: { source: OrderSource; deliveryId?: string; arrival?: OrderArrival },
    pending: PendingOrder | undefined,
    profileWrite: ReturnType<DynamoPurchaseLedger['profilePut']> | ReturnType<DynamoPurchaseLedger['orderChangeUpdate']>,
    early: Refund[] = [],
  ): Promise<OrderWrite> {
    const refundedMinor = early.reduce((total, refund) => total + refund.amountMinor, 0);
    const GUARD = 0;
    const PROFILE = 2;
    const DELIVERY = 3;
    const items = [
      this.guardPut(purchase, digest, pending?.version),
      this.orderPut(purchase, options.source, options.arrival ?? 'live', refundedMinor),
      profileWrite,
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
      // Refunds that came first, recorded now against the order.
      ...early.map((refund) => this.refundPut(orderReferenceOf(purchase), refund)),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'done', status: 'recorded' };
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (!reasons) throw error;
      if (options.deliveryId && reasons.codes[DELIVERY] === 'ConditionalCheckFailed') return { kind: 'done', status: 'duplicate' };
      if (reasons.codes[GUARD] === 'ConditionalCheckFailed') {
        const existing = reasons.items[GUARD];
        // A refund or cancellation for the order came first: try again with it.
        if (existing?.['type'] === 'orderPending') return { kind: 'pending', pending: pendingOrderOf(existing) };
        if (existing?.['fingerprint'] === digest) return { kind: 'done', status: 'duplicate' };
        throw new ConflictError(`order ${purchase.orderId} was already recorded with a different payload`);
      }
      if (reasons.codes[PROFILE] === 'ConditionalCheckFailed') {
        const found = reasons.items[PROFILE];
        const liveRevenueCurrency = found?.[LIVE_PROFILE_ATTRIBUTES.revenueCurrency];
        return { kind: 'profile', profile: found ? storedProfile(found) : undefined, ...(typeof liveRevenueCurrency === 'string' ? { liveRevenueCurrency } : {}) };
      }
      throw new WriteConflict('the customer changed during the write', { cause: error });
    }
  }

  /**
   * Records orders of one customer (past orders being imported) in as few writes as possible. The
   * orders' guards are read first: an order already recorded is a duplicate (or, with other content,
   * a 'conflict') and costs no write. The others go in transactions that each hold every order's
   * guard (so each order is still recorded exactly once), the orders, and the profile once, with all
   * of them applied. Should a guard appear in the meantime, that transaction's orders go one by one
   * through recordPurchase. The outcomes follow the purchases' order. They are past orders: written
   * with arrival `history`, so nothing reacts to them as to a purchase made now.
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
          outcomes.set(purchase, await this.recordPurchase(purchase, { ...options, arrival: 'history' }));
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
    for (const item of await batchGetItems(this.client, this.table, wanted, { consistent: true })) {
      if (item['type'] === 'profile') profile = storedProfile(item);
      // A pending order (a refund or cancellation came first) is recorded one by one, which reads it.
      else if (item['type'] === 'orderGuard') recorded.set(String(item['orderId']), String(item['fingerprint']));
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
      const items = [...batch.flatMap((purchase) => [this.guardPut(purchase, fingerprint(purchase)), this.orderPut(purchase, source, 'history')]), this.profilePut(next, current)];
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
    const guard = await this.readGuard(orderId);
    return guard?.type === 'orderGuard' ? referenceOf(guard) : undefined;
  }

  /** The generic refund route: refunding more than is left is refused. */
  async recordRefund(order: OrderReference, refund: Refund): Promise<RecordStatus> {
    const outcome = await this.withRetries(() => this.reverse(order, refund, { kind: 'strict' }));
    return outcome.status;
  }

  async recordPlatformRefund(orderId: string, refund: PlatformRefund): Promise<ReversalOutcome> {
    return this.withRetries(async () => {
      const guard = await this.readGuard(orderId);
      if (guard?.type !== 'orderGuard') {
        const { refundId, ...kept } = refund;
        const known = guard?.earlyRefunds?.[refundId];
        if (known) {
          if (known.fingerprint === refund.fingerprint) return { status: 'early' };
          throw new ConflictError(`refund ${refundId} was already recorded with a different payload`);
        }
        await this.putPending(orderId, guard, { earlyRefunds: { ...guard?.earlyRefunds, [refundId]: definedOnly(kept) } });
        return { status: 'early' };
      }
      const order = referenceOf(guard);
      const amountMinor = refundAmountMinor(refund, order);
      return this.reverse(order, { refundId: refund.refundId, amountMinor, fingerprint: refund.fingerprint, ...(refund.reason ? { reason: refund.reason } : {}) }, { kind: 'capped' });
    });
  }

  async cancelOrder(orderId: string, cancellation: { reason: string; at: string }): Promise<ReversalOutcome> {
    return this.withRetries(async () => {
      const guard = await this.readGuard(orderId);
      if (guard?.type !== 'orderGuard') {
        if (!guard?.cancelled) await this.putPending(orderId, guard, { cancelled: cancellation });
        return { status: 'early' };
      }
      const order = referenceOf(guard);
      // Everything the order still holds: capped at what earlier refunds left.
      const refund = { refundId: CANCELLATION_REFUND_ID, amountMinor: order.totalMinor, reason: cancellation.reason, fingerprint: fingerprint({ cancellation: orderId }) };
      return this.reverse(order, refund, { kind: 'capped', cancelledAt: cancellation.at });
    });
  }

  async recordConsent(customerId: string, statement: ConsentStatement): Promise<CustomerProfile | undefined> {
    return this.withRetries(async () => {
      const current = await this.readProfile(customerId);
      if (!current) return undefined;
      const next = applyConsentStatement(current, statement);
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [this.profilePut(next, current)] }));
      } catch (error) {
        if (!cancellationCodes(error)) throw error;
        throw new WriteConflict('the customer changed during the write', { cause: error });
      }
      const { version: _version, ...profile } = next as StoredProfile;
      return profile;
    });
  }

  /**
   * One attempt at a refund against a recorded order: the refund item (once per refund id), the
   * order's refunded amount and the profile's revenue, in one transaction. `strict` refuses a refund
   * above what is left (the generic route's 422); `capped` gives back at most what is left, read first
   * and checked unchanged (a platform's refund of a cancelled order gives nothing back twice), and
   * may mark the order cancelled.
   */
  private async reverse(
    order: OrderReference,
    refund: Refund,
    mode: { kind: 'strict' } | { kind: 'capped'; cancelledAt?: string },
  ): Promise<{ status: RecordStatus; order: OrderReference; refundId: string; amountMinor: number }> {
    const orderKey = keys.order(order.customerId, order.placedAt, order.orderId);
    const [current, seen] = await Promise.all([
      this.readProfile(order.customerId),
      mode.kind === 'capped' ? this.readRefunded(orderKey) : Promise.resolve(undefined),
    ]);
    if (!current) throw new Error(`order ${order.orderId} has no customer profile`);
    const amountMinor = seen === undefined ? refund.amountMinor : Math.max(0, Math.min(refund.amountMinor, order.totalMinor - seen));
    const written = { ...refund, amountMinor };
    const next = amountMinor > 0 ? applyRefund(current, order.currency, amountMinor) : current;
    const cancelledAt = mode.kind === 'capped' ? mode.cancelledAt : undefined;
    const REFUND = 0;
    const ORDER = 1;
    const items = [
      this.refundPut(order, written),
      {
        Update: {
          TableName: this.table,
          Key: orderKey,
          UpdateExpression: `SET refundedMinor = refundedMinor + :amount${cancelledAt ? ', cancelledAt = :cancelledAt' : ''}`,
          ConditionExpression: seen === undefined ? 'attribute_exists(pk) AND refundedMinor <= :ceiling' : 'attribute_exists(pk) AND refundedMinor = :seen',
          ExpressionAttributeValues: {
            ':amount': amountMinor,
            ...(seen === undefined ? { ':ceiling': order.totalMinor - amountMinor } : { ':seen': seen }),
            ...(cancelledAt ? { ':cancelledAt': cancelledAt } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      this.profilePut(next, current),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { status: 'recorded', order, refundId: refund.refundId, amountMinor };
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (!reasons) throw error;
      if (reasons.codes[REFUND] === 'ConditionalCheckFailed') {
        const existing = reasons.items[REFUND];
        if (existing?.['fingerprint'] === refund.fingerprint) return { status: 'duplicate', order, refundId: refund.refundId, amountMinor: Number(existing['amountMinor'] ?? 0) };
        throw new ConflictError(`refund ${refund.refundId} was already recorded with a different payload`);
      }
      if (reasons.codes[ORDER] === 'ConditionalCheckFailed' && seen === undefined) {
        const refunded = Number(reasons.items[ORDER]?.['refundedMinor'] ?? 0);
        throw new UnprocessableError(
          `refunding ${amountMinor} would exceed what was paid: order total ${order.totalMinor}, already refunded ${refunded} (minor units of ${order.currency})`,
        );
      }
      throw new WriteConflict('the order or the customer changed during the write', { cause: error });
    }
  }

  /** The refund with its order's facts, so what reacts to it from the stream reads nothing else. */
  private refundPut(order: OrderReference, refund: Refund) {
    return {
      Put: {
        TableName: this.table,
        Item: { ...keys.refund(order.orderId, refund.refundId), type: 'refund', ...order, ...refund },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  /** What an order item says was refunded so far. */
  private async readRefunded(orderKey: { pk: string; sk: string }): Promise<number> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: orderKey, ConsistentRead: true, ProjectionExpression: 'refundedMinor' }));
    if (!Item) throw new WriteConflict('the order item is not there yet');
    return Number(Item['refundedMinor'] ?? 0);
  }

  private async readGuard(orderId: string): Promise<GuardItem | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.orderGuard(orderId), ConsistentRead: true }));
    if (!Item) return undefined;
    if (Item['type'] === 'orderPending') return pendingOrderOf(Item);
    return { type: 'orderGuard', ...orderGuardEntity.parse(Item) };
  }

  /** Writes what arrived before the order, over the version read (or where nothing was). */
  private async putPending(orderId: string, read: PendingOrder | undefined, change: Pick<PendingOrder, 'cancelled' | 'earlyRefunds'>): Promise<void> {
    const version = read?.version ?? 0;
    const item: PendingOrder = { ...read, ...change, type: 'orderPending', orderId, version: version + 1 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.orderGuard(orderId), ...item },
          ConditionExpression: read ? '#type = :pending AND version = :version' : 'attribute_not_exists(pk)',
          ...(read ? { ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':pending': 'orderPending', ':version': version } } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new WriteConflict('the order arrived or changed during the write', { cause: error });
      throw error;
    }
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
    return { profile: view, orders: orders.map((item) => orderEntity.parse(item)), ...(predictionsItem ? { predictions: predictionsEntity.parse(predictionsItem) } : {}) };
  }

  private async readProfile(customerId: string): Promise<StoredProfile | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.profile(customerId), ConsistentRead: true }));
    return Item ? storedProfile(Item) : undefined;
  }

  /**
   * The order guard: exists once per order id, with what was recorded under it. It replaces a pending
   * order (what came first) only as it was read.
   */
  private guardPut(purchase: Purchase, digest: string, pendingVersion?: number) {
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
        ...(pendingVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#type = :pending AND version = :version',
              ExpressionAttributeNames: { '#type': 'type' },
              ExpressionAttributeValues: { ':pending': 'orderPending', ':version': pendingVersion },
            }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  private orderPut(purchase: Purchase, source: OrderSource, arrival: OrderArrival, refundedMinor = 0) {
    const order: RecordedOrder = {
      orderId: purchase.orderId,
      customerId: purchase.customer.id,
      placedAt: purchase.placedAt,
      currency: purchase.currency,
      totalMinor: purchase.totalMinor,
      refundedMinor,
      items: purchase.items,
      source,
      ...(purchase.orderName ? { orderName: purchase.orderName } : {}),
      ...(purchase.channel ? { channel: purchase.channel } : {}),
      ...(purchase.promoCode ? { promoCode: purchase.promoCode } : {}),
    };
    // Sparse: the console's search by email finds the customer through the orders placed with it.
    const byEmail = purchase.customer.email ? keys.customerByOrderEmail(purchase.customer.email, order.customerId) : {};
    const key = keys.order(order.customerId, order.placedAt, order.orderId);
    return { Put: { TableName: this.table, Item: { ...key, ...byEmail, ...keys.readForCoPurchases(key), type: 'order', ...order, arrival } } };
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
          ...keys.readNightly(keys.profile(next.customerId)),
          // Sparse: an SMS reply (STOP) finds the customers of its number through it.
          ...(next.phone ? keys.customerByPhone(next.phone, next.customerId) : {}),
          type: 'profile',
          ...next,
          version,
        },
        ConditionExpression: current ? 'version = :version' : 'attribute_not_exists(pk)',
        ...(current ? { ExpressionAttributeValues: { ':version': current.version } } : {}),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  /**
   * A live order's change to its customer's profile (orderChange) as one update: what it sets, fills
   * and adds, on the condition that everything the change requires of the profile holds. Where not,
   * the transaction is cancelled with the profile as it was (ALL_OLD). The update names no path inside
   * a map the item may lack: the revenue goes to a top-level number (or, `byCurrency`, into the map of
   * a profile that has one) and each consent stated to a top-level attribute (LIVE_PROFILE_ATTRIBUTES),
   * so a `newest` update that finds no profile creates it, with what a first order starts one with.
   */
  private orderChangeUpdate(change: OrderChange, revenue: RevenueTarget) {
    const { requires } = change;
    const live = LIVE_PROFILE_ATTRIBUTES;
    const names: Record<string, string> = {};
    const values: Record<string, NativeAttributeValue> = { ':at': requires.at, ':total': change.add.totalMinor, ':one': 1 };
    const sets: string[] = [];
    const adds = ['orderCount :one', 'version :one'];
    // What holds of the profile if there is one; `creates`: the update may be the one that starts it.
    const creates = requires.placement === 'newest' && revenue === 'live';
    const conditions = {
      newest: ['contactAsOf <= :at', 'lastOrderAt <= :at'],
      older: ['contactAsOf > :at', 'lastOrderAt > :at', 'firstOrderAt <= :at'],
      earliest: ['contactAsOf > :at', 'lastOrderAt > :at', 'firstOrderAt > :at'],
    }[requires.placement];
    // What holds whether or not there is one.
    const always: string[] = [];
    if (revenue === 'live') {
      Object.assign(names, { '#liveRevenue': live.revenueMinor, '#liveCurrency': live.revenueCurrency });
      values[':liveCurrency'] = change.add.currency;
      adds.push('#liveRevenue :total');
      sets.push('#liveCurrency = if_not_exists(#liveCurrency, :liveCurrency)');
      always.push('(attribute_not_exists(#liveCurrency) OR #liveCurrency = :liveCurrency)');
    } else {
      Object.assign(names, { '#revenue': 'revenueByCurrency', '#revenueCurrency': change.add.currency });
      values[':zero'] = 0;
      sets.push('#revenue.#revenueCurrency = if_not_exists(#revenue.#revenueCurrency, :zero) + :total');
      conditions.push('attribute_exists(#revenue)');
    }
    const { lastOrderAt, phone } = change.set;
    const indexKeys = { ...(lastOrderAt ? keys.lastOrderDay(lastOrderAt, change.customerId) : {}), ...(phone ? keys.customerByPhone(phone, change.customerId) : {}) };
    const created = creates ? { customerId: change.customerId, type: 'profile', ...keys.readNightly(keys.profile(change.customerId)) } : {};
    for (const [field, value] of Object.entries({ ...change.set, ...indexKeys, ...created })) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    const emptyMaps = creates ? { consent: {}, consentAsOf: {}, refundedMinorByCurrency: {}, revenueByCurrency: {} } : {};
    for (const [field, value] of Object.entries({ ...change.fill, ...emptyMaps })) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = if_not_exists(#${field}, :${field})`);
    }
    if (requires.consentWins.length > 0 || requires.consentLoses.length > 0) names['#statedAt'] = 'at';
    for (const channel of requires.consentWins) {
      names[`#${channel}`] = channel;
      names[`#live_${channel}`] = live.consent[channel];
      values[`:consent_${channel}`] = { answer: change.consent[channel], at: requires.at };
      sets.push(`#live_${channel} = :consent_${channel}`);
      conditions.push(
        `(attribute_not_exists(consentAsOf.#${channel}) OR consentAsOf.#${channel} <= :at)`,
        `(attribute_not_exists(#live_${channel}) OR #live_${channel}.#statedAt <= :at)`,
        `attribute_not_exists(consentSource.#${channel})`,
      );
    }
    for (const channel of requires.consentLoses) {
      names[`#${channel}`] = channel;
      names[`#live_${channel}`] = live.consent[channel];
      conditions.push(`(consentAsOf.#${channel} > :at OR #live_${channel}.#statedAt > :at)`);
    }
    const profileHolds = creates ? `(attribute_not_exists(pk) OR (${conditions.join(' AND ')}))` : ['attribute_exists(pk)', ...conditions].join(' AND ');
    return {
      Update: {
        TableName: this.table,
        Key: keys.profile(change.customerId),
        UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
        ConditionExpression: [profileHolds, ...always].join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
  }

  /**
   * The profile's order days, largest orders, categories and SKUs recounted from the customer's
   * orders (what a live order's one write leaves out), written unless unchanged, over the profile's
   * version as read before the orders: an order recorded meanwhile makes it count again. The write
   * is of the whole profile, so it also folds what live orders kept beside its maps
   * (LIVE_PROFILE_ATTRIBUTES) back into them. Idempotent. Gives the profile as it stands after (undefined: the customer has none),
   * so that what reacts to the order next need not read it again.
   */
  async recountOrderHistory(customerId: string): Promise<CustomerProfile | undefined> {
    return this.withRetries(async () => {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.profile(customerId), ConsistentRead: true }));
      if (!Item) return undefined;
      const current = storedProfile(Item);
      const orders: Pick<RecordedOrder, 'placedAt' | 'currency' | 'totalMinor' | 'items'>[] = [];
      const pages = paginateQuery(
        { client: this.client },
        {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :orders)',
          ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':orders': keys.orderPrefix },
          // `items` is a reserved word.
          ProjectionExpression: 'placedAt, currency, totalMinor, #items',
          ExpressionAttributeNames: { '#items': 'items' },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) orders.push(orderHistoryEntity.parse(item));
      const history = orderHistoryOf(orders);
      const { version: _version, ...profile } = current;
      const counted = (['orderDays', 'largestOrderMinorByCurrency', 'categories', 'skus'] as const).every((field) => isDeepStrictEqual(history[field], current[field]));
      if (counted && !keepsLiveAttributes(Item)) return profile;
      const recounted: CustomerProfile = { ...profile, ...history };
      const { ReturnValuesOnConditionCheckFailure: _old, ...put } = this.profilePut(recounted, current).Put;
      try {
        await this.client.send(new PutCommand(put));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new WriteConflict('the customer changed during the recount', { cause: error });
        throw error;
      }
      return recounted;
    });
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

/** A pending order as stored; its maps are written only by putPending. */
function pendingOrderOf(item: Record<string, unknown>): PendingOrder {
  return { type: 'orderPending', ...pendingOrderEntity.parse(item) };
}

function orderReferenceOf(purchase: Purchase): OrderReference {
  return { orderId: purchase.orderId, customerId: purchase.customer.id, placedAt: purchase.placedAt, currency: purchase.currency, totalMinor: purchase.totalMinor };
}

/** The order a guard records, without the guard's own fields. */
function referenceOf({ orderId, customerId, placedAt, currency, totalMinor }: OrderReference): OrderReference {
  return { orderId, customerId, placedAt, currency, totalMinor };
}

/**
 * A platform refund in the order's minor units. One stated in another currency than the order's
 * cannot be converted here: it is remembered (so it is applied once) and gives back nothing.
 */
function refundAmountMinor(refund: Pick<PlatformRefund, 'amount' | 'currency'>, order: Pick<OrderReference, 'currency'>): number {
  if (refund.currency !== undefined && refund.currency !== order.currency) return 0;
  try {
    return toMinorUnits(refund.amount, order.currency);
  } catch (error) {
    throw new InvalidInputError(`the refund amount "${refund.amount}" is not an amount of ${order.currency}`, [{ path: 'amount', message: (error as Error).message }], { cause: error });
  }
}

/**
 * The refunds that came before the order, as recorded with it: each in the order's minor units,
 * together never more than the order's total.
 */
function earlyRefundsOf(pending: PendingOrder | undefined, purchase: Purchase): Refund[] {
  let left = purchase.totalMinor;
  return Object.entries(pending?.earlyRefunds ?? {}).map(([refundId, refund]) => {
    let wanted = 0;
    try {
      wanted = refundAmountMinor(refund, purchase);
    } catch {
      // An amount the order's currency cannot hold gives nothing back; the refund id is still used up.
    }
    const amountMinor = Math.min(left, wanted);
    left -= amountMinor;
    return { refundId, amountMinor, fingerprint: refund.fingerprint, ...(refund.reason ? { reason: refund.reason } : {}) };
  });
}

/** Attempts of one order that each learnt what the last one met, before waiting to try again. */
const ATTEMPTS_BEFORE_BACKOFF = 4;

/** Values an order may check against the profile's lists in one update (a condition is at most 4 KB). */
const MAX_VALUES_CHECKED = 40;

/** Whether an order's change is small enough for one update's condition. */
function fitsOneUpdate(purchase: Purchase): boolean {
  return purchase.items.length <= MAX_VALUES_CHECKED / 2;
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

/** The profile item as the domain knows it (what live orders kept beside its maps merged in), with its version. */
function storedProfile(item: Record<string, NativeAttributeValue>): StoredProfile {
  return { ...profileEntity.parse(item), version: Number(item['version'] ?? 0) };
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
