/**
 * Sending the scheduled messages when they are due: tier congratulations and nudges, replenishment
 * reminders, cross-sell offers. Everything goes through the one delivery step, so consent, opt-outs,
 * the frequency cap and quiet hours apply as to any journey. A message the delivery step defers
 * (quiet hours, the cap) moves to the time it names and keeps its message id; one that no longer
 * makes sense when due (the customer reordered, bought the offer, reached the tier) is cancelled.
 *
 * Nothing wakes a deferred item but a run of the dispatch: the item is due again at the customer's
 * next allowed slot, and the next run after it sends it. So the dispatch must run often: hourly,
 * as it does on AWS, sends within the hour after the slot. A run at a fixed hour alone (the nightly
 * sweep, 02:30 UTC) falls in the quiet hours of every customer from Europe to India and would defer
 * the same message again every night.
 */
import type { JourneyName, MessageIntent } from '../delivery/types.ts';
import { fillUrl, type Catalog, type TierDefinition } from '../catalog/rules.ts';
import { customerBand, offerFor } from '../catalog/offers.ts';
import { HISTORY_ORDERS } from '../catalog/follow-ups.ts';
import type { CustomerProfile } from '../profile.ts';
import { isMember, type LoyaltyAccount } from './account.ts';
import type { LoyaltySweepPorts } from './ports.ts';
import { daysLookedBack, isCloseToNext, percentText, tierProgress, windowTotals } from './program.ts';
import { MAX_ATTEMPTS, type ScheduledKind, type ScheduledMessage } from './scheduled.ts';

/**
 * How each kind reaches the delivery step: its step, template and priority, and the journey its
 * messages are logged under. Tier messages go with the loyalty invitation and product follow-ups
 * with the post-purchase journey, the closest journeys the message log knows (JourneyName); the step
 * tells them apart in the outbox and the reports.
 */
export const scheduledIntents: Record<ScheduledKind, { journey: JourneyName; step: string; template: string; priority: number }> = {
  'tier-up': { journey: 'loyalty', step: 'tier-up', template: 'loyalty-tier-up', priority: 3 },
  'tier-nudge': { journey: 'loyalty', step: 'tier-nudge', template: 'loyalty-tier-nudge', priority: 3 },
  replenishment: { journey: 'replenishment', step: 'replenishment', template: 'replenishment-reminder', priority: 2 },
  'cross-sell': { journey: 'cross-sell', step: 'cross-sell', template: 'cross-sell-offer', priority: 3 },
};

export interface DispatchSummary {
  customers: number;
  sent: number;
  deferred: number;
  suppressed: number;
  cancelled: number;
  failed: number;
  /** Errors met on the way (the items stay scheduled and are tried again, up to MAX_ATTEMPTS); one customer's error never stops the others. */
  errors: { customerId: string; messageId: string; error: string }[];
}

export function emptySummary(): DispatchSummary {
  return { customers: 0, sent: 0, deferred: 0, suppressed: 0, cancelled: 0, failed: 0, errors: [] };
}

/**
 * How far back a run looks for due items, so missed runs lose nothing: the nightly sweep a week
 * (the due days of eight dates); the hourly dispatch two hours, its own and one missed run's, so it
 * reads today alone except in the two runs after midnight UTC, which read yesterday too (26 queries
 * a day instead of 48 for today and yesterday at every run). An item left due on an earlier day (a
 * send that failed and is tried again) waits for the nightly sweep.
 */
export const LOYALTY_LOOKBACK_HOURS = 7 * 24;
export const DISPATCH_LOOKBACK_HOURS = 2;

/** Every customer with a message due by now (on the days `lookbackHours` reaches), one after another. */
export async function dispatchDueMessages(ports: LoyaltySweepPorts): Promise<DispatchSummary> {
  const now = ports.now();
  const until = now.toISOString();
  const customers = new Set<string>();
  for (const day of daysLookedBack(now, ports.settings.lookbackHours)) {
    for await (const customerId of ports.outreach.dueCustomers(day, until)) customers.add(customerId);
  }
  const summary = emptySummary();
  for (const customerId of customers) {
    try {
      await dispatchCustomer(ports, customerId, summary);
    } catch (error) {
      // Reading the customer failed (the items stay due, the next run tries again): the others still go.
      summary.errors.push({ customerId, messageId: '', error: describe(error) });
    }
  }
  return summary;
}

/** Sends (or settles) one customer's due messages. Safe to repeat at any time. */
export async function dispatchCustomer(ports: LoyaltySweepPorts, customerId: string, summary: DispatchSummary = emptySummary()): Promise<DispatchSummary> {
  const now = ports.now();
  const at = now.toISOString();
  const due = (await ports.outreach.listScheduled(customerId))
    .filter((item) => item.status === 'scheduled' && item.dueAt <= at)
    .sort((a, b) => compare(a.dueAt, b.dueAt) || compare(a.kind, b.kind) || compare(a.key, b.key));
  if (due.length === 0) return summary;
  summary.customers += 1;
  const profile = await ports.customers.getProfile(customerId);
  if (!profile) {
    for (const item of due) await cancel(ports, item, 'the customer is unknown', summary);
    return summary;
  }
  let account: LoyaltyAccount | undefined;
  for (const item of due.filter((candidate) => candidate.kind === 'tier-up' || candidate.kind === 'tier-nudge')) {
    account ??= await ports.store.getAccount(customerId);
    const variables = !account ? 'the customer has no loyalty account' : isMember(account) ? tierVariables(ports, account, item) : 'the customer is not a member of the program';
    if (typeof variables === 'string') await cancel(ports, item, variables, summary);
    else await send(ports, [item], variables, summary);
  }
  const reminders = due.filter((item) => item.kind === 'replenishment');
  if (reminders.length > 0) await sendReminders(ports, profile, reminders, summary);
  for (const item of due.filter((candidate) => candidate.kind === 'cross-sell')) {
    const variables = crossSellVariables(ports, profile, item);
    if (typeof variables === 'string') await cancel(ports, item, variables, summary);
    else await send(ports, [item], variables, summary);
  }
  return summary;
}

/** One reminder for every product due at once; products reordered since are left out (cancelled). */
async function sendReminders(ports: LoyaltySweepPorts, profile: CustomerProfile, reminders: ScheduledMessage[], summary: DispatchSummary): Promise<void> {
  const orders = await ports.customers.recentOrders(profile.customerId, HISTORY_ORDERS);
  const still: ScheduledMessage[] = [];
  for (const item of reminders) {
    const reorder = orders.find((order) => order.orderId !== item.orderId && order.placedAt > (item.placedAt ?? '') && order.items.some((line) => line.sku === item.sku));
    if (reorder) await cancel(ports, item, `reordered in order ${reorder.orderId}`, summary);
    else still.push(item);
  }
  if (still.length === 0) return;
  const { catalog } = ports;
  const products = still.map((item) => {
    const sku = item.sku ?? item.key;
    const quantity = item.quantity ?? 1;
    const product = catalog.products.get(sku);
    return { sku, name: product?.name ?? item.name ?? sku, quantity, needBy: item.needBy ?? item.dueAt, reorderUrl: fillUrl(product?.reorderUrl ?? catalog.reorderUrl, sku, quantity) };
  });
  await send(ports, still, { shopUrl: ports.settings.shopUrl, products, firstProduct: products[0] }, summary);
}

function tierView(tier: TierDefinition) {
  return { name: tier.name, cashbackPercent: percentText(tier.cashbackBp), benefits: tier.benefits };
}

/** The tier message's variables, or why it no longer makes sense. */
function tierVariables(ports: LoyaltySweepPorts, account: LoyaltyAccount, item: ScheduledMessage): Record<string, unknown> | string {
  const program = ports.catalog.loyalty;
  const progress = tierProgress(program, windowTotals(account.activity, ports.now(), program.windowDays));
  const target = program.tiers.findIndex((tier) => tier.name === item.tier);
  if (target < 0) return `the tier ${item.tier ?? '?'} is no longer in the program`;
  const remaining = (next: NonNullable<typeof progress.next>) => ({
    orders: program.basis === 'orders' ? next.remaining : null,
    spendMinor: program.basis === 'spend' ? next.remaining : null,
  });
  const common = { shopUrl: ports.settings.shopUrl, currency: program.currency, balance: { points: account.balance } };
  if (item.kind === 'tier-up') {
    if (progress.rank < target) return `no longer in the ${item.tier} tier`;
    const tier = program.tiers[target]!;
    return { ...common, tier: tierView(tier), next: progress.next ? { ...tierView(progress.next.tier), remaining: remaining(progress.next) } : null };
  }
  if (progress.rank >= target) return `already in the ${item.tier} tier`;
  if (!progress.next || progress.next.tier.name !== item.tier || !isCloseToNext(program, progress)) return `the ${item.tier} tier is no longer within reach`;
  return { ...common, tier: tierView(progress.tier), target: { ...tierView(progress.next.tier), remaining: remaining(progress.next) } };
}

function crossSellVariables(ports: LoyaltySweepPorts, profile: CustomerProfile, item: ScheduledMessage): Record<string, unknown> | string {
  const catalog: Catalog = ports.catalog;
  const owned = new Set(profile.skus);
  const band = customerBand(catalog, profile);
  const offers = (item.offer ?? []).flatMap((sku) => {
    const offer = offerFor(catalog, sku, owned, band);
    return offer ? [{ sku, name: offer.product.name, priceMinor: offer.product.priceMinor ?? null, url: offer.product.url }] : [];
  });
  if (offers.length === 0) return 'nothing left to offer: already bought, no longer offered, or above the customer price band';
  const sku = item.sku ?? item.key;
  return { shopUrl: ports.settings.shopUrl, currency: catalog.currency, because: { sku, name: catalog.products.get(sku)?.name ?? item.name ?? sku }, offers };
}

async function send(ports: LoyaltySweepPorts, items: ScheduledMessage[], variables: Record<string, unknown>, summary: DispatchSummary): Promise<void> {
  const first = items[0]!;
  const how = scheduledIntents[first.kind];
  const messageId = items.find((item) => item.pendingMessageId)?.pendingMessageId ?? first.messageId;
  // Woken by the next dispatch run after its slot, not at a minute of its own: hourly runs already pace the sends.
  const intent: MessageIntent = { messageId, journey: how.journey, step: how.step, channel: 'email', template: how.template, marketing: true, priority: how.priority, variables, wake: 'slot' };
  const at = ports.now().toISOString();
  try {
    const outcome = await ports.deliverer.deliver(first.customerId, intent);
    if ((outcome.status === 'deferred' || outcome.status === 'capped') && outcome.deferredUntil) {
      summary.deferred += 1;
      for (const item of items) await ports.outreach.update(item, { dueAt: outcome.deferredUntil, pendingMessageId: messageId, reason: `${outcome.status}: ${outcome.reason ?? ''}`.trim() });
      return;
    }
    // 'failed' is a provider refusing the message for good (the delivery step logged why): trying again cannot help.
    if (outcome.status === 'sent') summary.sent += 1;
    else if (outcome.status === 'failed') summary.failed += 1;
    else summary.suppressed += 1;
    const status = outcome.status === 'sent' || outcome.status === 'failed' || outcome.status === 'skipped' ? outcome.status : 'suppressed';
    for (const item of items) await ports.outreach.update(item, { status, doneAt: at, ...(outcome.reason ? { reason: outcome.reason } : {}), ...(messageId !== item.messageId ? { pendingMessageId: messageId } : {}) });
  } catch (error) {
    const text = describe(error);
    summary.errors.push({ customerId: first.customerId, messageId, error: text });
    for (const item of items) {
      const attempts = (item.attempts ?? 0) + 1;
      if (attempts >= MAX_ATTEMPTS) summary.failed += 1;
      await ports.outreach.update(item, attempts >= MAX_ATTEMPTS ? { status: 'failed', attempts, doneAt: at, reason: text } : { attempts, reason: text });
    }
  }
}

async function cancel(ports: LoyaltySweepPorts, item: ScheduledMessage, reason: string, summary: DispatchSummary): Promise<void> {
  if (await ports.outreach.update(item, { status: 'cancelled', reason, doneAt: ports.now().toISOString() })) summary.cancelled += 1;
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
