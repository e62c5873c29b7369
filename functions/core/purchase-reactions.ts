/**
 * What follows a recorded purchase, refund or cancellation. The webhooks write once (the ledger's
 * transaction) and answer; these reactions run from the table's stream, on the items that write
 * put: an order item (the profile's order days, largest orders, categories and SKUs, recounted
 * from the customer's orders; its journeys: conversions, the thank-you, the loyalty invite, the
 * check-ins; its points, the referral bonus and the product rules' follow-ups) and a refund item (a
 * refund or a cancellation: the points the money given back earned).
 *
 * Idempotent per order and per refund: a stream delivers a record at least once, and every step
 * below is guarded by the order's or the refund's id (journey entries by episode, check-ins by order
 * and month, points by `purchase:<orderId>` and `refund:<orderId>:<refundId>`), so a redelivered
 * record changes nothing twice.
 *
 * An order written as `history` (an import, a sync of past orders) gets no reaction: it is counted
 * in the profile and its check-ins were scheduled by the import itself.
 */
import * as z from './zod.ts';
import { reactToPurchase, type JourneyPorts } from './journey-engine.ts';
import type { OrderArrival } from './ledger.ts';
import type { LoyaltyPorts } from './loyalty/ports.ts';
import { onPurchaseRecorded, onRefundRecorded, type RecordedRefund } from './loyalty/use-cases.ts';
import type { CustomerProfile } from './profile.ts';
import type { Purchase } from './purchase.ts';

export interface PurchaseReactionPorts {
  journeys: JourneyPorts;
  loyalty: LoyaltyPorts;
  /**
   * What a live order's one write leaves out of the profile, recounted from the customer's orders:
   * her order days, largest orders, categories and SKUs (functions/core/profile.ts, orderHistoryOf).
   * Idempotent. Gives the profile as it stands after, which the journeys and the points then go by.
   */
  orderHistory: { recountOrderHistory(customerId: string): Promise<CustomerProfile | undefined> };
}

export type PurchaseReaction = { kind: 'purchase'; purchase: Purchase } | { kind: 'refund'; refund: RecordedRefund };

/** The item types the reactions read: the stream's filter lets only new items of these through. */
export const REACTING_ITEM_TYPES = ['order', 'refund'] as const;

const orderFacts = {
  orderId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  placedAt: z.string().check(z.minLength(1)),
  currency: z.string().check(z.minLength(1)),
  totalMinor: z.number().check(z.int()),
};

const orderItemSchema = z.object({
  type: z.literal('order'),
  ...orderFacts,
  arrival: z.enum(['live', 'history'] satisfies OrderArrival[]),
  items: z.array(
    z.object({
      sku: z.string(),
      name: z.optional(z.string()),
      category: z.optional(z.string()),
      quantity: z.number(),
      unitPriceMinor: z.number(),
    }),
  ),
  orderName: z.optional(z.string()),
  channel: z.optional(z.string()),
  promoCode: z.optional(z.string()),
});

const refundItemSchema = z.object({ type: z.literal('refund'), ...orderFacts, refundId: z.string().check(z.minLength(1)), amountMinor: z.number().check(z.int(), z.gte(0)) });

/** An item the stream's record carried that breaks the shape the ledger writes. */
export class UnreadableItemError extends Error {
  override readonly name: string = 'UnreadableItemError';
}

/**
 * The reaction a new item asks for, or undefined for an item nothing reacts to (another type, or
 * an order arrived as history). Throws UnreadableItemError for an order or refund item that is not
 * as the ledger writes it.
 */
export function reactionOf(item: Record<string, unknown>): PurchaseReaction | undefined {
  if (item['type'] === 'order') {
    const order = parsed(orderItemSchema, item);
    if (order.arrival !== 'live') return undefined;
    const { orderId, placedAt, currency, totalMinor, customerId, items, orderName, channel, promoCode } = order;
    return {
      kind: 'purchase',
      purchase: {
        orderId,
        placedAt,
        currency,
        totalMinor,
        // Contact details live in the profile: the reactions read the customer by id.
        customer: { id: customerId },
        items: items.map(({ sku, name, category, quantity, unitPriceMinor }) => ({ sku, quantity, unitPriceMinor, ...(name ? { name } : {}), ...(category ? { category } : {}) })),
        ...(orderName ? { orderName } : {}),
        ...(channel ? { channel } : {}),
        ...(promoCode ? { promoCode } : {}),
      },
    };
  }
  if (item['type'] === 'refund') {
    const { orderId, customerId, placedAt, currency, totalMinor, refundId, amountMinor } = parsed(refundItemSchema, item);
    return { kind: 'refund', refund: { order: { orderId, customerId, placedAt, currency, totalMinor }, refundId, amountMinor } };
  }
  return undefined;
}

/**
 * Runs one reaction: an order's count in the profile's order history, its journeys (which go by
 * that history), then its points; a refund's points taken back. The profile is read once, by the
 * recount, and handed on.
 */
export async function runReaction(ports: PurchaseReactionPorts, reaction: PurchaseReaction): Promise<void> {
  if (reaction.kind === 'purchase') {
    const profile = await ports.orderHistory.recountOrderHistory(reaction.purchase.customer.id);
    await reactToPurchase(ports.journeys, reaction.purchase, profile);
    await onPurchaseRecorded(ports.loyalty, reaction.purchase, profile);
    return;
  }
  await onRefundRecorded(ports.loyalty, reaction.refund);
}

/** The customer a reaction is about: one customer's reactions run one after another, in stream order. */
export function customerOf(reaction: PurchaseReaction): string {
  return reaction.kind === 'purchase' ? reaction.purchase.customer.id : reaction.refund.order.customerId;
}

function parsed<T>(schema: z.ZodMiniType<T>, item: Record<string, unknown>): T {
  const result = schema.safeParse(item);
  if (!result.success) throw new UnreadableItemError(`a ${String(item['type'])} item is not as the ledger writes it: ${z.prettifyError(result.error)}`);
  return result.data;
}
