/**
 * Importing a store's past orders. Each order goes through the purchase ledger's one write (order
 * guard + order + profile, one transaction), so an order imported twice, or already recorded by a
 * webhook, is recorded once. Unlike a webhook delivery, nothing reacts: a past order starts no
 * journey, earns no points and sends nothing (no thank-you for a 1997 order). It does schedule the
 * manager check-ins that are still ahead (3, 6 and 12 months after the order). Segments, value
 * tiers, predictions and win-back follow from the profiles at the next nightly run, as of that day.
 *
 * The orders of one customer are written one after another (each write reads the profile it
 * updates, so writing them at once would only make them retry); customers are written side by
 * side, a bounded number at a time.
 */
import { ConflictError } from '../errors.ts';
import type { CheckIn } from '../journey-engine.ts';
import { checkInDueAt, checkInMonths } from '../journeys.ts';
import type { PurchaseLedger } from '../ledger.ts';
import type { ParsedUpload } from './parse-upload.ts';
import type { ImportSummary } from './request.ts';

export interface ImportPorts {
  ledger: Pick<PurchaseLedger, 'recordPurchase'>;
  checkIns: { scheduleCheckIns(checkIns: CheckIn[]): Promise<void> };
  now: () => Date;
  /** Customers written at once. */
  concurrency: number;
}

export async function importOrders(ports: ImportPorts, upload: ParsedUpload): Promise<ImportSummary> {
  const byCustomer = new Map<string, ParsedUpload['orders']>();
  for (const order of upload.orders) {
    const orders = byCustomer.get(order.purchase.customer.id) ?? [];
    orders.push(order);
    byCustomer.set(order.purchase.customer.id, orders);
  }
  const now = ports.now().toISOString();
  let imported = 0;
  let duplicates = 0;
  await forEachBounded([...byCustomer.values()], ports.concurrency, async (orders) => {
    for (const { purchase } of orders) {
      let status: 'recorded' | 'duplicate';
      try {
        status = await ports.ledger.recordPurchase(purchase, { source: upload.source });
      } catch (error) {
        // Recorded before under this id with other content: a webhook's own view of the order.
        if (!(error instanceof ConflictError)) throw error;
        status = 'duplicate';
      }
      if (status === 'recorded') imported += 1;
      else duplicates += 1;
      // Also for a duplicate: an import stopped half way may have recorded the order but not these.
      const ahead: CheckIn[] = checkInMonths
        .map((months) => ({ customerId: purchase.customer.id, orderId: purchase.orderId, months, dueAt: checkInDueAt(purchase.placedAt, months), status: 'scheduled' as const }))
        .filter((checkIn) => checkIn.dueAt > now);
      if (ahead.length > 0) await ports.checkIns.scheduleCheckIns(ahead);
    }
  });
  return {
    imported,
    duplicates,
    rejected: upload.rejections.length,
    customers: byCustomer.size,
    customerIds: [...byCustomer.keys()],
    rejections: upload.rejections,
  };
}

/** Runs `work` on every item, at most `limit` at once; the first failure stops the rest and is thrown. */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
