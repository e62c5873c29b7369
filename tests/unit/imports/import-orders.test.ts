/** The import use case with fake ports: what is recorded, counted and scheduled. */
import { describe, expect, it } from 'vitest';
import type { CheckIn } from '../../../functions/core/journey-engine.ts';
import { importOrders, type ImportPorts } from '../../../functions/core/imports/import-orders.ts';
import type { ParsedUpload } from '../../../functions/core/imports/parse-upload.ts';
import type { Purchase } from '../../../functions/core/purchase.ts';

const now = new Date('2026-06-01T12:00:00.000Z');

function purchase(orderId: string, customerId: string, placedAt: string): Purchase {
  return { orderId, placedAt, currency: 'USD', totalMinor: 1000, customer: { id: customerId }, items: [{ sku: 'S', quantity: 1, unitPriceMinor: 1000 }] };
}

function fakePorts(known: Record<string, 'same' | 'different'> = {}) {
  const recorded: string[] = [];
  const checkIns: CheckIn[] = [];
  const writing = new Set<string>();
  let overlapped = false;
  const ports: ImportPorts = {
    ledger: {
      async recordPurchases(orders) {
        // Two writes of one customer at once would race for the profile's version.
        const customerId = orders[0]!.customer.id;
        if (writing.has(customerId) || orders.some((order) => order.customer.id !== customerId)) overlapped = true;
        writing.add(customerId);
        await new Promise((resolve) => setTimeout(resolve, 1));
        writing.delete(customerId);
        return orders.map((order) => {
          if (known[order.orderId] === 'same') return 'duplicate';
          if (known[order.orderId] === 'different') return 'conflict';
          recorded.push(order.orderId);
          return 'recorded';
        });
      },
    },
    checkIns: { scheduleCheckIns: async (list) => void checkIns.push(...list) },
    now: () => now,
    concurrency: 4,
  };
  return { ports, recorded, checkIns, overlapped: () => overlapped };
}

const upload = (orders: Purchase[], rejections: ParsedUpload['rejections'] = []): ParsedUpload => ({
  source: 'comeback',
  orders: orders.map((order, index) => ({ line: index + 2, purchase: order })),
  rejections,
});

describe('importOrders', () => {
  it('records every order, counts duplicates and customers, and passes rejections on', async () => {
    const fake = fakePorts({ 'o-2': 'same', 'o-3': 'different' });
    const summary = await importOrders(
      fake.ports,
      upload(
        [purchase('o-1', 'a', '1997-01-01T00:00:00.000Z'), purchase('o-2', 'a', '1997-02-01T00:00:00.000Z'), purchase('o-3', 'b', '1997-03-01T00:00:00.000Z'), purchase('o-4', 'c', '1997-04-01T00:00:00.000Z')],
        [{ line: 9, reason: 'cancelled' }],
      ),
    );
    expect(summary).toEqual({ imported: 2, duplicates: 2, rejected: 1, customers: 3, customerIds: ['a', 'b', 'c'], rejections: [{ line: 9, reason: 'cancelled' }] });
    expect(fake.recorded.sort()).toEqual(['o-1', 'o-4']);
    // Orders of 1997: every check-in is long past, none is scheduled.
    expect(fake.checkIns).toEqual([]);
  });

  it('schedules only the check-ins still ahead, for a duplicate too', async () => {
    const fake = fakePorts({ 'o-old': 'same' });
    await importOrders(fake.ports, upload([purchase('o-new', 'a', '2026-04-01T10:00:00.000Z'), purchase('o-old', 'b', '2025-10-01T10:00:00.000Z')]));
    expect(fake.checkIns.map((checkIn) => `${checkIn.orderId}/${checkIn.months}/${checkIn.dueAt}`).sort()).toEqual([
      'o-new/12/2027-04-01T10:00:00.000Z',
      'o-new/3/2026-07-01T10:00:00.000Z',
      'o-new/6/2026-10-01T10:00:00.000Z',
      'o-old/12/2026-10-01T10:00:00.000Z',
    ]);
    expect(fake.checkIns.every((checkIn) => checkIn.status === 'scheduled')).toBe(true);
  });

  it("gives the ledger each customer's orders together, never one customer twice at once", async () => {
    const fake = fakePorts();
    const orders = Array.from({ length: 40 }, (_, index) => purchase(`o-${index}`, `c-${index % 5}`, '2020-01-01T00:00:00.000Z'));
    const summary = await importOrders(fake.ports, upload(orders));
    expect(summary.imported).toBe(40);
    expect(fake.overlapped()).toBe(false);
  });

  it('stops at a storage failure, which the caller sees (a retried import records each order once)', async () => {
    const fake = fakePorts();
    fake.ports.ledger = { recordPurchases: async () => Promise.reject(new Error('throttled')) };
    await expect(importOrders(fake.ports, upload([purchase('o-1', 'a', '2020-01-01T00:00:00.000Z')]))).rejects.toThrow('throttled');
  });
});
