/**
 * Importing a store's past orders. Each order goes through the purchase ledger's one write (order
 * guard + order + profile, one transaction), so an order imported twice, or already recorded by a
 * webhook, is recorded once. Unlike a webhook delivery, nothing reacts: a past order starts no
 * journey, earns no points and sends nothing (no thank-you for a 1997 order). It does schedule the
 * manager check-ins that are still ahead (3, 6 and 12 months after the order). Segments, value
 * tiers, predictions and win-back follow from the profiles at the next nightly run, as of that day.
 *
 * A customer's orders of an upload go to the ledger together, which records them in as few
 * transactions as their guards allow (one per customer, mostly); customers are written side by
 * side, a bounded number at a time.
 */
import type { CheckIn } from '../journey-engine.ts';
import { checkInDueAt, checkInMonths } from '../journeys.ts';
import type { RecordStatus } from '../ledger.ts';
import type { OrderSource, Purchase } from '../purchase.ts';
import type { ParsedUpload } from './parse-upload.ts';
import type { ImportSummary } from './request.ts';

/**
 * Customers written at once. DynamoDB Local serialises transactions, so more writers gain nothing
 * there (tests/bench/import.ts measures 4 against 16); on DynamoDB, 4 keep an upload of 1,000
 * orders well within the API's time limit.
 */
export const IMPORT_CONCURRENCY = 4;

/** The ledger's write of past orders: one customer's orders, each recorded exactly once. */
export interface ImportLedger {
  /** One outcome per purchase, in order; 'conflict': the id was recorded before with other content. */
  recordPurchases(purchases: readonly Purchase[], options: { source: OrderSource }): Promise<(RecordStatus | 'conflict')[]>;
}

export interface ImportPorts {
  ledger: ImportLedger;
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
    const purchases = orders.map((order) => order.purchase);
    const outcomes = await ports.ledger.recordPurchases(purchases, { source: upload.source });
    // A conflict is an order recorded before under its id with other content, as a webhook saw it:
    // it is already known, so it counts as a duplicate and stays as recorded.
    for (const outcome of outcomes) {
      if (outcome === 'recorded') imported += 1;
      else duplicates += 1;
    }
    // Also for duplicates: an import stopped half way may have recorded an order but not these.
    const ahead: CheckIn[] = purchases.flatMap((purchase) =>
      checkInMonths
        .map((months) => ({ customerId: purchase.customer.id, orderId: purchase.orderId, months, dueAt: checkInDueAt(purchase.placedAt, months), status: 'scheduled' as const }))
        .filter((checkIn) => checkIn.dueAt > now),
    );
    if (ahead.length > 0) await ports.checkIns.scheduleCheckIns(ahead);
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
