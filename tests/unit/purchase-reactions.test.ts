/**
 * The purchase reactions off the table's stream, without services: which new items react and how
 * (a live order, a refund; not an order arrived as history, not another item), and the batch's
 * partial failures (a failing record and its customer's later records are delivered again, other
 * customers' are not held back).
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { reactionOf, UnreadableItemError, type PurchaseReaction } from '../../functions/core/purchase-reactions.ts';

vi.hoisted(() => {
  // The handler module's table client reads its name when imported; nothing here reaches it.
  process.env['TABLE_NAME'] ??= 'comeback-unit';
});
const { reactToRecords } = await import('../../functions/handlers/purchase-reactions.ts');

const order = {
  pk: 'CUSTOMER#c-1',
  sk: 'ORDER#2026-05-30T14:00:00.000Z#1001',
  type: 'order',
  orderId: '1001',
  customerId: 'c-1',
  placedAt: '2026-05-30T14:00:00.000Z',
  currency: 'USD',
  totalMinor: 4490,
  refundedMinor: 0,
  items: [{ sku: 'A', category: 'food', quantity: 1, unitPriceMinor: 4490 }],
  source: 'shopify',
  promoCode: 'ADA-1',
  arrival: 'live',
};

const refund = {
  pk: 'ORDER#1001',
  sk: 'REFUND#r-1',
  type: 'refund',
  orderId: '1001',
  customerId: 'c-1',
  placedAt: '2026-05-30T14:00:00.000Z',
  currency: 'USD',
  totalMinor: 4490,
  refundId: 'r-1',
  amountMinor: 1000,
  fingerprint: 'f',
};

let sequence = 100;
function record(item: Record<string, unknown>, eventName: 'INSERT' | 'MODIFY' = 'INSERT'): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `e-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: { SequenceNumber: String(sequence), StreamViewType: 'NEW_IMAGE', NewImage: marshall(item) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] },
  };
}

describe('reactionOf', () => {
  it('reads a live order as a purchase of the customer by id, with its lines and promo code', () => {
    expect(reactionOf(order)).toEqual({
      kind: 'purchase',
      purchase: {
        orderId: '1001',
        placedAt: '2026-05-30T14:00:00.000Z',
        currency: 'USD',
        totalMinor: 4490,
        customer: { id: 'c-1' },
        items: [{ sku: 'A', category: 'food', quantity: 1, unitPriceMinor: 4490 }],
        promoCode: 'ADA-1',
      },
    });
  });

  it('reads a refund (or a cancellation) with its order', () => {
    expect(reactionOf(refund)).toEqual({
      kind: 'refund',
      refund: { order: { orderId: '1001', customerId: 'c-1', placedAt: '2026-05-30T14:00:00.000Z', currency: 'USD', totalMinor: 4490 }, refundId: 'r-1', amountMinor: 1000 },
    });
  });

  it('leaves an order arrived as history (an import, a sync of past orders) and every other item alone', () => {
    expect(reactionOf({ ...order, arrival: 'history' })).toBeUndefined();
    expect(reactionOf({ pk: 'CUSTOMER#c-1', sk: 'PROFILE', type: 'profile', orderCount: 1 })).toBeUndefined();
  });

  it('refuses an order or refund item not as the ledger writes it', () => {
    const { arrival: _arrival, ...withoutArrival } = order;
    expect(() => reactionOf(withoutArrival)).toThrow(UnreadableItemError);
    expect(() => reactionOf({ ...refund, amountMinor: 'ten' })).toThrow(UnreadableItemError);
  });
});

describe('reactToRecords', () => {
  const event = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
  const described = (reaction: PurchaseReaction) =>
    reaction.kind === 'purchase' ? `purchase ${reaction.purchase.customer.id}/${reaction.purchase.orderId}` : `refund ${reaction.refund.order.customerId}/${reaction.refund.refundId}`;

  it('runs new orders and refunds, one customer in stream order, and skips changed items and history', async () => {
    const ran: string[] = [];
    const answer = await reactToRecords(
      event(record(order), record({ ...order, refundedMinor: 1000 }, 'MODIFY'), record(refund), record({ ...order, orderId: '1002', arrival: 'history' }), record({ pk: 'x', sk: 'y', type: 'profile' })),
      async (reaction) => void ran.push(described(reaction)),
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(ran).toEqual(['purchase c-1/1001', 'refund c-1/r-1']);
  });

  it("reports a failed record and its customer's later records, and runs the other customers' records", async () => {
    const ran: string[] = [];
    const failing = record(order);
    const after = record(refund);
    const other = record({ ...order, customerId: 'c-2', orderId: '2001' });
    const unreadable = record({ ...refund, customerId: 'c-3', amountMinor: -5 });
    const answer = await reactToRecords(event(failing, other, after, unreadable), async (reaction) => {
      if (reaction.kind === 'purchase' && reaction.purchase.orderId === '1001') throw new Error('the table is unreachable');
      ran.push(described(reaction));
    });
    expect(ran).toEqual(['purchase c-2/2001']);
    expect(answer.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [failing, after, unreadable].map((failed) => failed.dynamodb!.SequenceNumber!).sort(),
    );
  });
});
