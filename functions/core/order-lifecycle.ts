/**
 * A platform webhook's actions (functions/core/platforms/lifecycle.ts) applied to the ledger: one
 * write each. What follows (journeys and points for an order; points taken back for a refund or
 * cancellation) reacts to those writes from the table's stream (functions/core/purchase-reactions.ts).
 *
 * Exactly once, in any order of arrival: the ledger keeps a refund or cancellation that comes before
 * its order and applies it when the order arrives (writing the refunds with the order, so their
 * reactions follow from the same stream).
 */
import { ConflictError } from './errors.ts';
import { OrderCancelledError, type OrderArrival, type OrderLifecycleLedger } from './ledger.ts';
import type { OrderAction } from './platforms/lifecycle.ts';
import { fingerprint, parsePurchase, type OrderSource } from './purchase.ts';

export interface OrderLifecyclePorts {
  ledger: OrderLifecycleLedger;
  now(): Date;
}

/** Where the actions came from; `arrival` (live unless told) is written with a recorded order. */
export interface OrderDelivery {
  source: OrderSource;
  deliveryId?: string;
  arrival?: OrderArrival;
}

export type ActionOutcome =
  | { orderId: string; customerId: string; status: 'recorded' | 'duplicate'; reason?: string }
  | { orderId: string; status: 'not_counted'; reason: string }
  | {
      orderId: string;
      customerId?: string;
      kind: 'cancellation' | 'refund';
      refundId?: string;
      /**
       * reversed: money taken back now; duplicate: taken back before; early: kept until the order
       * arrives (a cancelled order then never counts).
       */
      status: 'reversed' | 'duplicate' | 'early';
      reversedMinor?: number;
      reason?: string;
    };

/** Applies a delivery's actions in their order; the outcomes follow them. */
export async function applyOrderActions(
  ports: OrderLifecyclePorts,
  actions: readonly OrderAction[],
  delivery: OrderDelivery,
): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) outcomes.push(await applyAction(ports, action, delivery));
  return outcomes;
}

async function applyAction(ports: OrderLifecyclePorts, action: OrderAction, delivery: OrderDelivery): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'skip':
      return { orderId: action.orderId, status: 'not_counted', reason: action.reason };
    case 'record': {
      const purchase = parsePurchase(action.purchase);
      let status: 'recorded' | 'duplicate';
      try {
        status = await ports.ledger.recordPurchase(purchase, delivery);
      } catch (error) {
        if (error instanceof OrderCancelledError) return { orderId: purchase.orderId, status: 'not_counted', reason: error.message };
        // A platform sends the order again whenever it changes (an edited address, an added item). The
        // order as first recorded stands: a refusal would only be retried, and WooCommerce turns a
        // webhook off after a few failed deliveries.
        if (error instanceof ConflictError) {
          return { orderId: purchase.orderId, customerId: purchase.customer.id, status: 'duplicate', reason: 'the order changed on the platform after it was recorded; the order as recorded stands' };
        }
        throw error;
      }
      return { orderId: purchase.orderId, customerId: purchase.customer.id, status };
    }
    case 'cancel': {
      const outcome = await ports.ledger.cancelOrder(action.orderId, { reason: action.reason, at: ports.now().toISOString() });
      if (outcome.status === 'early') return { orderId: action.orderId, kind: 'cancellation', status: 'early', reason: action.reason };
      return {
        orderId: action.orderId,
        customerId: outcome.order.customerId,
        kind: 'cancellation',
        status: outcome.status === 'recorded' ? 'reversed' : 'duplicate',
        reversedMinor: outcome.amountMinor,
        reason: action.reason,
      };
    }
    case 'refund': {
      const { orderId, refundId, amount, currency, reason } = action;
      const outcome = await ports.ledger.recordPlatformRefund(orderId, {
        refundId,
        amount,
        ...(currency ? { currency } : {}),
        ...(reason ? { reason } : {}),
        fingerprint: fingerprint({ amount, currency: currency ?? null }),
      });
      if (outcome.status === 'early') return { orderId, kind: 'refund', refundId, status: 'early' };
      return {
        orderId,
        customerId: outcome.order.customerId,
        kind: 'refund',
        refundId,
        status: outcome.status === 'recorded' ? 'reversed' : 'duplicate',
        reversedMinor: outcome.amountMinor,
      };
    }
  }
}
