/**
 * What the loyalty and product-rule use cases need from the outside: storage (the DynamoDB adapters
 * implement these; tests may pass fakes), the validated rules file, the clock, and for the sweep the
 * one delivery step.
 */
import type { CoPurchaseLookup } from '../catalog/offers.ts';
import type { CountedNeighbour, StreamedOrder } from '../catalog/copurchase.ts';
import type { Catalog } from '../catalog/rules.ts';
import type { ReferralCodes } from '../discounts/discounts.ts';
import type { Deliverer } from '../journey-engine.ts';
import type { RecordedOrder } from '../ledger.ts';
import type { CustomerProfile } from '../profile.ts';
import type { LedgerEntry, LoyaltyAccount, LoyaltyDecision, LoyaltyState } from './account.ts';
import type { ScheduledMessage } from './scheduled.ts';

/** One operation on a customer's account: its guard id, and a digest of what it carries. */
export interface LoyaltyOp {
  customerId: string;
  /** `purchase:<orderId>`, `refund:<orderId>:<refundId>`, `feedback:<id>`, `referral:<id>`, `redeem:<id>`, `review:<day>`. */
  opId: string;
  /** The same opId with another fingerprint is a conflict, not a retry. */
  fingerprint: string;
  /** The order whose earning the decision needs (purchases and refunds). */
  orderId?: string;
}

export type LoyaltyOutcome<R> = { status: 'applied' | 'duplicate' | 'skipped'; result: R };

export interface LoyaltyStore {
  /**
   * Reads the account (and the order's earning), lets `decide` say what to write, and writes it as one
   * transaction with the operation's guard; retries when another write to the account won the race.
   * An operation already applied returns its first result ('duplicate') without deciding again.
   */
  execute<R>(op: LoyaltyOp, decide: (state: LoyaltyState) => LoyaltyDecision<R>): Promise<LoyaltyOutcome<R>>;
  getAccount(customerId: string): Promise<LoyaltyAccount | undefined>;
  /** Newest first. */
  recentEntries(customerId: string, limit: number): Promise<LedgerEntry[]>;
  /** Makes `code` name the customer; false when it already names someone else. */
  claimReferralCode(code: string, customerId: string): Promise<boolean>;
  findReferrer(code: string): Promise<string | undefined>;
  /** Customers whose tier is due for a review on `day` (an order left their window). */
  dueReviews(day: string): AsyncIterable<string>;
  completeReview(customerId: string, day: string): Promise<void>;
}

export interface OutreachStore {
  /**
   * Writes each item, replacing one under the same key only when the new item comes from a newer
   * order (or the old one is no longer scheduled and carries no order): a retried purchase never
   * resets a reminder already sent.
   */
  schedule(items: readonly ScheduledMessage[]): Promise<void>;
  /** Every item of the customer, whatever its status. */
  listScheduled(customerId: string): Promise<ScheduledMessage[]>;
  /** Changes an item that is still scheduled under the same message id; false when it no longer is. */
  update(item: ScheduledMessage, changes: Partial<ScheduledMessage>): Promise<boolean>;
  /** Customers with a scheduled item due on `day` no later than `until` (ISO). */
  dueCustomers(day: string, until: string): AsyncIterable<string>;
}

export interface CustomerHistory {
  getProfile(customerId: string): Promise<CustomerProfile | undefined>;
  /** The customer's latest orders, newest first. */
  recentOrders(customerId: string, limit: number): Promise<RecordedOrder[]>;
}

export interface CoPurchaseStore {
  /** Every recorded order, a customer's orders together; `segment` of `segments` (parallel scan of the orders' own index). */
  orders(segment: number, segments: number): AsyncIterable<StreamedOrder>;
  /** Every order carries the orders index's key: `markOrdersIndexed` has been called. */
  ordersIndexed(): Promise<boolean>;
  /** The same orders as `orders`, read from the whole table, giving the ones written before the index their key. */
  ordersIndexing(segment: number, segments: number): AsyncIterable<StreamedOrder>;
  markOrdersIndexed(at: string): Promise<void>;
  /** Stores each product's neighbours (replacing last night's); returns how many products. */
  save(neighbours: ReadonlyMap<string, readonly CountedNeighbour[]>, computedAt: string): Promise<number>;
  lookup(skus: readonly string[]): Promise<CoPurchaseLookup>;
}

export interface LoyaltyPorts {
  store: LoyaltyStore;
  outreach: OutreachStore;
  customers: CustomerHistory;
  catalog: Catalog;
  now: () => Date;
  /** Creates referral codes in the storefront before they are shown; without it they are shown as they are. */
  referrals?: ReferralCodes;
}

export interface LoyaltySweepSettings {
  shopUrl: string;
  /** How many hours before now a run reads the due days of, so a missed run loses nothing. */
  lookbackHours: number;
}

/** The sweep sends, so it also needs the delivery step. */
export interface LoyaltySweepPorts extends LoyaltyPorts {
  deliverer: Deliverer;
  settings: LoyaltySweepSettings;
}
