/**
 * Each platform action applied to a fake ledger: one write each (what follows reacts from the
 * table's stream, tests/unit/purchase-reactions.test.ts); an order is written live unless the
 * delivery says history; an order cancelled first or changed since is acknowledged, never an error.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/core/errors.ts';
import { OrderCancelledError, type OrderLifecycleLedger, type OrderReference, type ReversalOutcome } from '../../functions/core/ledger.ts';
import { applyOrderActions, type OrderLifecyclePorts } from '../../functions/core/order-lifecycle.ts';
import type { PurchaseInput } from '../../functions/core/purchase.ts';

const order: OrderReference = { orderId: '1001', customerId: 'c-1', placedAt: '2026-05-30T14:00:00.000Z', currency: 'USD', totalMinor: 4490 };

const purchase: PurchaseInput = {
  orderId: '1001',
  placedAt: '2026-05-30T14:00:00Z',
  currency: 'USD',
  total: '44.90',
  customer: { id: 'c-1' },
  items: [{ sku: 'A', quantity: 1, unitPrice: '44.90' }],
};

function portsWith(ledger: Partial<OrderLifecycleLedger>) {
  const calls: string[] = [];
  const ports: OrderLifecyclePorts = {
    ledger: {
      recordPurchase: async (recorded, options) => {
        calls.push(`record ${recorded.orderId} ${recorded.totalMinor} ${options.arrival ?? 'live'}`);
        return 'recorded';
      },
      cancelOrder: async () => ({ status: 'early' }),
      recordPlatformRefund: async () => ({ status: 'early' }),
      findOrder: async () => undefined,
      recordRefund: async () => 'recorded',
      getCustomer: async () => undefined,
      ...ledger,
    },
    now: () => new Date('2026-06-01T12:00:00Z'),
  };
  return { ports, calls };
}

const delivery = { source: 'woocommerce' as const };

describe('applyOrderActions', () => {
  it('records an order with one ledger write, live unless the delivery says history', async () => {
    const { ports, calls } = portsWith({});
    const outcomes = await applyOrderActions(ports, [{ kind: 'record', purchase }], delivery);
    expect(outcomes).toEqual([{ orderId: '1001', customerId: 'c-1', status: 'recorded' }]);
    await applyOrderActions(ports, [{ kind: 'record', purchase }], { ...delivery, arrival: 'history' });
    expect(calls).toEqual(['record 1001 4490 live', 'record 1001 4490 history']);
  });

  it('acknowledges an order cancelled before it arrived, and one changed since it was recorded', async () => {
    const cancelled = portsWith({ recordPurchase: async () => Promise.reject(new OrderCancelledError('order 1001 was cancelled (status cancelled) before it arrived, so it does not count')) });
    expect(await applyOrderActions(cancelled.ports, [{ kind: 'record', purchase }], delivery)).toEqual([
      { orderId: '1001', status: 'not_counted', reason: expect.stringMatching(/before it arrived/) },
    ]);
    const changed = portsWith({ recordPurchase: async () => Promise.reject(new ConflictError('order 1001 was already recorded with a different payload')) });
    expect(await applyOrderActions(changed.ports, [{ kind: 'record', purchase }], delivery)).toEqual([
      { orderId: '1001', customerId: 'c-1', status: 'duplicate', reason: expect.stringMatching(/as recorded stands/) },
    ]);
  });

  it('reports a reversal of a recorded order with what it gave back, and one kept until the order comes as early', async () => {
    const reversed: ReversalOutcome = { status: 'recorded', order, refundId: 'cancellation', amountMinor: 3490 };
    const applied = portsWith({ cancelOrder: async () => reversed, recordPlatformRefund: async () => ({ ...reversed, status: 'duplicate', refundId: '801', amountMinor: 1000 }) });
    expect(
      await applyOrderActions(
        applied.ports,
        [
          { kind: 'refund', orderId: '1001', refundId: '801', amount: '10.00', currency: 'USD' },
          { kind: 'cancel', orderId: '1001', reason: 'status cancelled' },
        ],
        delivery,
      ),
    ).toEqual([
      { orderId: '1001', customerId: 'c-1', kind: 'refund', refundId: '801', status: 'duplicate', reversedMinor: 1000 },
      { orderId: '1001', customerId: 'c-1', kind: 'cancellation', status: 'reversed', reversedMinor: 3490, reason: 'status cancelled' },
    ]);

    const early = portsWith({});
    expect(await applyOrderActions(early.ports, [{ kind: 'cancel', orderId: '1001', reason: 'status cancelled' }], delivery)).toEqual([
      { orderId: '1001', kind: 'cancellation', status: 'early', reason: 'status cancelled' },
    ]);
  });

  it('passes a skipped order through with its reason, touching nothing', async () => {
    const { ports, calls } = portsWith({ recordPurchase: async () => Promise.reject(new Error('must not be called')) });
    expect(await applyOrderActions(ports, [{ kind: 'skip', orderId: '1001', reason: 'a test order' }], delivery)).toEqual([{ orderId: '1001', status: 'not_counted', reason: 'a test order' }]);
    expect(calls).toEqual([]);
  });
});
