/**
 * The purchase ledger port: what the webhook and customer handlers need from storage. The DynamoDB
 * adapter implements it with one transaction per write; tests may pass a fake.
 */
import type { ConsentStatement } from './consent.ts';
import { ConflictError } from './errors.ts';
import type { CustomerProfile } from './profile.ts';
import type { LineItem, OrderSource, Purchase } from './purchase.ts';

/**
 * The order was cancelled on its platform before it arrived here: it never counts. A conflict, so
 * an import that meets it reports the order as one recorded differently before.
 */
export class OrderCancelledError extends ConflictError {
  override readonly name: string = 'OrderCancelledError';
}

export type RecordStatus = 'recorded' | 'duplicate';

export interface RecordedOrder {
  orderId: string;
  customerId: string;
  placedAt: string;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  items: LineItem[];
  /** The shop's name for the order (Shopify `#1006`), which messages call it by. */
  orderName?: string;
  source: OrderSource;
  /** When the platform's cancellation reached the ledger: the order's revenue is all reversed. */
  cancelledAt?: string;
  channel?: string;
  promoCode?: string;
}

export interface OrderReference {
  orderId: string;
  customerId: string;
  placedAt: string;
  currency: string;
  totalMinor: number;
}

export interface Refund {
  refundId: string;
  amountMinor: number;
  reason?: string;
  fingerprint: string;
}

/** A platform's refund, in the refund's currency when the platform states one, else the order's. */
export interface PlatformRefund {
  refundId: string;
  /** Positive decimal text. */
  amount: string;
  currency?: string;
  reason?: string;
  /** Of what the platform sent: a refund id seen again with another digest is a conflict. */
  fingerprint: string;
}

/**
 * What became of a platform's refund or cancellation: applied to a recorded order (with the amount
 * that was left to give back), a repeat of one applied before, or kept until its order arrives.
 */
export type ReversalOutcome =
  | { status: 'recorded' | 'duplicate'; order: OrderReference; refundId: string; amountMinor: number }
  | { status: 'early' };

/**
 * How an order reached the ledger, written with it: what reacts to recorded orders (journeys, points,
 * follow-ups; functions/core/purchase-reactions.ts) reacts to `live` orders only. `history` is an
 * imported or synced past order: it counts in the profile and is never thanked or rewarded now.
 */
export type OrderArrival = 'live' | 'history';

export interface PurchaseLedger {
  /**
   * Records an order exactly once. `deliveryId` is a platform's own delivery identifier, deduplicated
   * as well as the order id. Refunds that arrived before the order are applied with it; an order whose
   * cancellation arrived first is refused with OrderCancelledError. `arrival` is `live` unless told.
   */
  recordPurchase(purchase: Purchase, options: { source: OrderSource; deliveryId?: string; arrival?: OrderArrival }): Promise<RecordStatus>;
  findOrder(orderId: string): Promise<OrderReference | undefined>;
  recordRefund(order: OrderReference, refund: Refund): Promise<RecordStatus>;
  getCustomer(customerId: string, orderLimit?: number): Promise<{ profile: CustomerProfile; orders: RecordedOrder[] } | undefined>;
}

/** What the platforms' webhooks need beyond a purchase: their refunds and cancellations, in any order of arrival. */
export interface OrderLifecycleLedger extends PurchaseLedger {
  /**
   * A platform's refund, exactly once per refund id. Capped at what is left of the order (a platform
   * refunding a cancelled order gives nothing back twice); before the order, kept until it arrives.
   */
  recordPlatformRefund(orderId: string, refund: PlatformRefund): Promise<ReversalOutcome>;
  /** Reverses what is left of the order, once; before the order, keeps it from ever counting. */
  cancelOrder(orderId: string, cancellation: { reason: string; at: string }): Promise<ReversalOutcome>;
}

/** The consent route's write. */
export interface ConsentLedger {
  /** Applies a consent statement to the customer's profile; undefined for an unknown customer. */
  recordConsent(customerId: string, statement: ConsentStatement): Promise<CustomerProfile | undefined>;
}
