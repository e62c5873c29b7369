/**
 * Backfill and nightly reconciliation: the orders a platform reports as created or changed since a
 * moment, read page by page through its API, each applied to the ledger exactly as the webhook of
 * it would be (applyOrderActions with the webhook's rules), so an order the sync and a webhook both
 * bring is one order: the second arrival is a duplicate, a cancellation reverses once.
 *
 * An order placed long before the sync is history, as for an import: it is recorded and gets the
 * check-ins still ahead of it, but starts no journey and earns no points now; an order placed within
 * RECENT_DAYS is one a webhook missed, and gets everything a webhook's order gets.
 */
import { ComebackError, ConflictError, UnprocessableError } from '../errors.ts';
import type { CheckIn } from '../journey-engine.ts';
import { checkInDueAt, checkInMonths } from '../journeys.ts';
import { applyOrderActions, type OrderLifecyclePorts } from '../order-lifecycle.ts';
import type { OrderAction } from '../platforms/lifecycle.ts';

export const syncPlatforms = ['shopify', 'woocommerce'] as const;
export type SyncPlatform = (typeof syncPlatforms)[number];

/** Orders placed this many days before the sync are treated as a missed webhook's, older ones as history. */
export const RECENT_DAYS = 3;

/** One order read from the platform: its id and what it means for the ledger (or why it could not be read). */
export type SyncedOrder = { orderId: string; actions: OrderAction[] } | { orderId: string; error: string };

/** One page of orders, and where the next one starts (opaque: a cursor, a page number). */
export interface OrderPage {
  orders: SyncedOrder[];
  next?: string;
}

/** A platform's orders created or changed since a moment, page by page, from `from` when given. */
export interface OrderSource {
  readonly platform: SyncPlatform;
  orders(since: Date, from?: string): AsyncIterable<OrderPage>;
}

export interface SyncRequest {
  since: Date;
  /** The `next` of an earlier answer: go on from there. */
  from?: string;
  /** Asked after each page: false stops the sync there, with `next` to go on from. */
  keepGoing?: () => boolean;
}

export interface SyncPorts {
  /** The webhooks' ports: the ledger and what follows an order or a refund. */
  lifecycle: OrderLifecyclePorts;
  /** Check-ins of historical orders, as an import schedules them. */
  checkIns: { scheduleCheckIns(checkIns: CheckIn[]): Promise<void> };
  /** After each page, for progress. */
  onPage?: (summary: SyncSummary) => void;
}

export interface SyncSummary {
  fetched: number;
  recorded: number;
  duplicates: number;
  notCounted: number;
  reversed: number;
  /** Orders the platform returned that could not be read, with the reason (at most MAX_LISTED). */
  failed: number;
  failures: { orderId: string; reason: string }[];
  /** Present when the sync stopped before the last page: pass it as `from` to go on. */
  next?: string;
}

const MAX_LISTED = 20;

/** The platform has not been set up in this Comeback (its address or credentials are missing). */
export class PlatformNotConfiguredError extends ConflictError {
  override readonly name: string = 'PlatformNotConfiguredError';
}

/** The platform refused the request (bad credentials, missing scope) or kept failing. */
export class PlatformRequestError extends UnprocessableError {
  override readonly name: string = 'PlatformRequestError';
}

/** A platform answer that breaks its documented contract. */
export class PlatformAnswerError extends ComebackError {
  override readonly name: string = 'PlatformAnswerError';
}

export async function syncOrders(ports: SyncPorts, source: OrderSource, request: SyncRequest): Promise<SyncSummary> {
  const summary: SyncSummary = { fetched: 0, recorded: 0, duplicates: 0, notCounted: 0, reversed: 0, failed: 0, failures: [] };
  const now = ports.lifecycle.now();
  const recentFrom = now.getTime() - RECENT_DAYS * 86_400_000;
  for await (const page of source.orders(request.since, request.from)) {
    for (const order of page.orders) {
      summary.fetched += 1;
      if ('error' in order) {
        fail(summary, order.orderId, order.error);
        continue;
      }
      const first = order.actions[0];
      const placedAt = first?.kind === 'record' ? Date.parse(String(first.purchase.placedAt)) : Number.NaN;
      const old = placedAt < recentFrom;
      let outcomes;
      try {
        // A past order is written as history: the stream's reactions give it no journey and no points.
        outcomes = await applyOrderActions(ports.lifecycle, order.actions, { source: source.platform, ...(old ? { arrival: 'history' as const } : {}) });
      } catch (error) {
        if (!(error instanceof ComebackError) || error instanceof PlatformAnswerError) throw error;
        fail(summary, order.orderId, error.message);
        continue;
      }
      const [main] = outcomes;
      if (main === undefined) continue;
      if (old && 'customerId' in main && main.customerId !== undefined && (main.status === 'recorded' || main.status === 'duplicate')) {
        await scheduleCheckInsAhead(ports, { customerId: main.customerId, orderId: main.orderId, placedAt: new Date(placedAt).toISOString() }, now.toISOString());
      }
      if (main.status === 'recorded') summary.recorded += 1;
      else if (main.status === 'duplicate') summary.duplicates += 1;
      else if (main.status === 'not_counted') summary.notCounted += 1;
      if (outcomes.some((outcome) => 'kind' in outcome && outcome.status === 'reversed')) summary.reversed += 1;
    }
    ports.onPage?.({ ...summary, failures: [...summary.failures] });
    if (page.next !== undefined && request.keepGoing?.() === false) return { ...summary, next: page.next };
  }
  return summary;
}

function fail(summary: SyncSummary, orderId: string, reason: string): void {
  summary.failed += 1;
  if (summary.failures.length < MAX_LISTED) summary.failures.push({ orderId, reason });
}

/**
 * History: recorded, with the check-ins still ahead (also on a duplicate, so a sync stopped half way
 * finishes them); no journey and no points for it now. Money given back on it still takes back what
 * it earned, should a webhook have recorded it before (the refund's reaction does).
 */
async function scheduleCheckInsAhead(ports: SyncPorts, order: { customerId: string; orderId: string; placedAt: string }, now: string): Promise<void> {
  const ahead: CheckIn[] = checkInMonths
    .map((months) => ({ customerId: order.customerId, orderId: order.orderId, months, dueAt: checkInDueAt(order.placedAt, months), status: 'scheduled' as const }))
    .filter((checkIn) => checkIn.dueAt > now);
  if (ahead.length > 0) await ports.checkIns.scheduleCheckIns(ahead);
}
