/**
 * The purchase ledger port: what the webhook and customer handlers need from storage. The DynamoDB
 * adapter implements it with one transaction per write; tests may pass a fake.
 */
import type { CustomerProfile } from './profile.ts';
import type { LineItem, OrderSource, Purchase } from './purchase.ts';

export type RecordStatus = 'recorded' | 'duplicate';

export interface RecordedOrder {
  orderId: string;
  customerId: string;
  placedAt: string;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  items: LineItem[];
  source: OrderSource;
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

export interface PurchaseLedger {
  /**
   * Records an order exactly once. `deliveryId` is a platform's own delivery identifier, deduplicated
   * as well as the order id.
   */
  recordPurchase(purchase: Purchase, options: { source: OrderSource; deliveryId?: string }): Promise<RecordStatus>;
  findOrder(orderId: string): Promise<OrderReference | undefined>;
  recordRefund(order: OrderReference, refund: Refund): Promise<RecordStatus>;
  getCustomer(customerId: string, orderLimit?: number): Promise<{ profile: CustomerProfile; orders: RecordedOrder[] } | undefined>;
}
