/**
 * Scheduled messages: dated items in the table that the loyalty sweep sends when due, like the
 * journeys' check-ins. Loyalty writes them (a tier reached, a tier within reach) in the same
 * transaction as the points; the product rules write them on a purchase (a product about to run
 * out, a cross-sell rule's offer). Each has a deterministic message id, so the delivery step never
 * sends it twice however often the sweep retries.
 */
import { createHash } from 'node:crypto';

export type ScheduledKind = 'tier-up' | 'tier-nudge' | 'replenishment' | 'cross-sell';
export type ScheduledStatus = 'scheduled' | 'sent' | 'suppressed' | 'skipped' | 'cancelled' | 'failed';

/** Where a consumption cycle came from: the product, its category, or the customer's own rhythm. */
export type CycleSource = 'product' | 'category' | 'learned';

export interface ScheduledMessage {
  customerId: string;
  kind: ScheduledKind;
  /**
   * Unique per customer and kind: the tier change (`gold@<since>`), the product (replenishment),
   * the rule and the product that triggered it (cross-sell). A newer order writes the same key
   * again, which replaces (and so cancels) the older order's message.
   */
  key: string;
  messageId: string;
  dueAt: string;
  status: ScheduledStatus;
  createdAt: string;
  /** The order that led to it; only a newer order (placedAt) replaces the item. */
  orderId?: string;
  placedAt?: string;
  /** tier-up: the tier reached; tier-nudge: the tier within reach. */
  tier?: string;
  /** replenishment: the product, how many were bought, its name on the order, when it runs out. */
  sku?: string;
  name?: string;
  quantity?: number;
  needBy?: string;
  cycleDays?: number;
  cycleSource?: CycleSource;
  /** cross-sell: the rule and what it offers. */
  ruleId?: string;
  offer?: string[];
  /** What happened, once it is no longer scheduled. */
  reason?: string;
  doneAt?: string;
  /** A message the delivery step deferred keeps the id it was first tried with. */
  pendingMessageId?: string;
  /** Failed attempts (the template or a sender threw); the item gives up after MAX_ATTEMPTS. */
  attempts?: number;
}

export const MAX_ATTEMPTS = 5;

/** The same customer, kind, key and order always give the same id (the delivery step's guard). */
export function scheduledMessageId(customerId: string, kind: ScheduledKind, key: string, orderId = ''): string {
  return `${kind}.${createHash('sha256').update(`${customerId}|${kind}|${key}|${orderId}`).digest('hex').slice(0, 24)}`;
}
