/**
 * What a recorded purchase schedules from the product rules: a replenishment reminder per product
 * with a consumption cycle (declared or learned), and the cross-sell rules' offers after their wait
 * (a rule waiting no longer than the post-purchase journey's complement step goes with that step).
 * Both are dated items (see loyalty/scheduled.ts) the loyalty sweep sends when due. A newer order of
 * the same product replaces its pending reminder (so a customer who already reordered is not
 * reminded); the sweep checks her orders again before sending.
 */
import type { LoyaltyPorts } from '../loyalty/ports.ts';
import { scheduledMessageId, type ScheduledMessage } from '../loyalty/scheduled.ts';
import type { RecordedOrder } from '../ledger.ts';
import type { CustomerProfile } from '../profile.ts';
import type { Purchase } from '../purchase.ts';
import { COMPLEMENT_STEP_DAYS } from '../journeys.ts';
import { triggeredCrossSells } from './offers.ts';
import { cycleFor, purchasesOf, reminderSchedule } from './replenishment.ts';

const DAY_MS = 86_400_000;
/** The orders read to learn a customer's rhythm with a product. */
export const HISTORY_ORDERS = 100;

export interface FollowUpSummary {
  replenishment: number;
  crossSell: number;
  cancelled: number;
}

/** One line per product of the order: quantities summed, the first name and category kept. */
export function productLines(purchase: Pick<Purchase, 'items'>): { sku: string; name?: string; category?: string; quantity: number }[] {
  const lines = new Map<string, { sku: string; name?: string; category?: string; quantity: number }>();
  for (const item of purchase.items) {
    const line = lines.get(item.sku);
    if (line) {
      line.quantity += item.quantity;
      line.name ??= item.name;
      line.category ??= item.category;
    } else {
      lines.set(item.sku, { sku: item.sku, quantity: item.quantity, ...(item.name ? { name: item.name } : {}), ...(item.category ? { category: item.category } : {}) });
    }
  }
  return [...lines.values()];
}

export async function scheduleFollowUps(ports: LoyaltyPorts, purchase: Purchase, profile?: CustomerProfile): Promise<FollowUpSummary> {
  const { catalog } = ports;
  const now = ports.now();
  const at = now.toISOString();
  const customerId = purchase.customer.id;
  const lines = productLines(purchase);
  const [history, existing] = await Promise.all([ports.customers.recentOrders(customerId, HISTORY_ORDERS), ports.outreach.listScheduled(customerId)]);
  const orders: Pick<RecordedOrder, 'orderId' | 'placedAt' | 'items'>[] = [...history, purchase];
  const items: ScheduledMessage[] = [];
  const summary: FollowUpSummary = { replenishment: 0, crossSell: 0, cancelled: 0 };

  for (const line of lines) {
    const cycle = cycleFor(catalog, line, purchasesOf(orders, line.sku));
    const schedule = cycle && reminderSchedule(purchase.placedAt, cycle.cycleDays, catalog.replenishment.leadDays, now);
    if (cycle && schedule) {
      summary.replenishment += 1;
      items.push({
        customerId,
        kind: 'replenishment',
        key: line.sku,
        messageId: scheduledMessageId(customerId, 'replenishment', line.sku, purchase.orderId),
        dueAt: schedule.remindAt,
        status: 'scheduled',
        createdAt: at,
        orderId: purchase.orderId,
        placedAt: purchase.placedAt,
        sku: line.sku,
        name: catalog.products.get(line.sku)?.name ?? line.name ?? line.sku,
        quantity: line.quantity,
        needBy: schedule.needBy,
        cycleDays: cycle.cycleDays,
        cycleSource: cycle.source,
      });
      continue;
    }
    // No cycle for this order (or its need is past): a reminder of an older order is moot now.
    const pending = existing.find(
      (item) => item.kind === 'replenishment' && item.key === line.sku && item.status === 'scheduled' && (item.placedAt ?? '') < purchase.placedAt,
    );
    if (pending) {
      summary.cancelled += 1;
      items.push({ ...pending, status: 'cancelled', reason: `reordered in order ${purchase.orderId}`, doneAt: at, orderId: purchase.orderId, placedAt: purchase.placedAt });
    }
  }

  const owned = new Set([...(profile?.skus ?? []), ...lines.map((line) => line.sku)]);
  for (const { rule, sku } of triggeredCrossSells(catalog, lines)) {
    // A rule whose wait ends by the post-purchase journey's complement step goes out with that step.
    if (rule.afterDays <= COMPLEMENT_STEP_DAYS) continue;
    if (rule.offer.every((offered) => owned.has(offered))) continue;
    const due = Math.max(Date.parse(purchase.placedAt) + rule.afterDays * DAY_MS, now.getTime());
    const key = `${rule.id}#${sku}`;
    summary.crossSell += 1;
    items.push({
      customerId,
      kind: 'cross-sell',
      key,
      messageId: scheduledMessageId(customerId, 'cross-sell', key, purchase.orderId),
      dueAt: new Date(due).toISOString(),
      status: 'scheduled',
      createdAt: at,
      orderId: purchase.orderId,
      placedAt: purchase.placedAt,
      sku,
      name: catalog.products.get(sku)?.name ?? lines.find((line) => line.sku === sku)?.name ?? sku,
      ruleId: rule.id,
      offer: rule.offer,
    });
  }
  if (items.length > 0) await ports.outreach.schedule(items);
  return summary;
}
