/**
 * Benchmark of the journeys on the local host (not a test): how late messages go out over a
 * simulated month of a small store, journeys started and completed per second through the HTTP API
 * on DynamoDB Local with the virtual clock, and the state transitions each journey spends per
 * customer, which is what Step Functions Standard bills.
 */
import { readFileSync } from 'node:fs';
import { defaultDeliveryPolicy, wakeOffsetMs } from '../../functions/core/delivery/guardrails.ts';
import type { MessageLogEntry } from '../../functions/core/delivery/types.ts';
import type { ScheduledMessage } from '../../functions/core/loyalty/scheduled.ts';
import type { PurchaseInput } from '../../functions/core/purchase.ts';
import { signComebackPayload } from '../../functions/core/signature.ts';
import { startLocalHost, type LocalHost } from '../../lib/local/host.ts';
import { samplePurchase } from '../../lib/local/sample.ts';
import { seeded } from './seeded-random.ts';

const secret = 'whsec_bench';
/** Step Functions Standard, us-east-1: USD per state transition (after the free tier). */
const USD_PER_TRANSITION = 0.000025;

export async function run(report: (line: string) => void): Promise<void> {
  const customers = Number(process.env['COMEBACK_BENCH_JOURNEY_CUSTOMERS'] ?? 200);
  process.env['COMEBACK_OUTBOX_PRINT'] = 'off';
  const host = await startLocalHost({
    port: 0,
    secrets: { COMEBACK_WEBHOOK_SECRET: secret, COMEBACK_SHOPIFY_SECRET: 'x', COMEBACK_WOOCOMMERCE_SECRET: 'x', COMEBACK_ADMIN_TOKEN: 'x', COMEBACK_UNSUBSCRIBE_SECRET: 'x', COMEBACK_FEEDBACK_SECRET: 'x' },
    settings: { COMEBACK_HOLDOUT_SHARE: '0', COMEBACK_SHOP_URL: 'https://shop.example.com', COMEBACK_SUPPORT_CONTACT: 'support@shop.example.com' },
    // March: the clocks change in America (8 March) and Europe (29 March) within the month.
    clockStart: new Date('2026-03-02T00:00:00Z'),
  });
  try {
    await simulateMonth(host, report);

    const clock = host.journeys.clock;
    report(`${customers} customers, one purchase each, through POST /v1/purchases:`);
    let started = performance.now();
    for (let index = 0; index < customers; index += 1) {
      const body = JSON.stringify(samplePurchase({ orderId: `bench-journey-${index}`, customerId: `bench-journey-${index}`, placedAt: clock.now() }));
      const response = await fetch(`${host.url}/v1/purchases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, body, Math.floor(Date.now() / 1000)) },
        body,
      });
      if (response.status !== 202) throw new Error(`unexpected status ${response.status}`);
      await response.arrayBuffer();
      if ((index + 1) % 50 === 0) report(`  posted ${index + 1}/${customers}`);
    }
    await clock.advance({ minutes: 1 });
    let seconds = (performance.now() - started) / 1000;
    report(`  post-purchase journeys started (thank-you sent): ${(customers / seconds).toFixed(0)} per second (${seconds.toFixed(1)} s)`);

    started = performance.now();
    const days = 120;
    for (let day = 0; day < days; day += 10) {
      await clock.advance({ days: 10 });
      report(`  virtual day ${day + 10}/${days}: ${host.journeys.stepFunctions.list().filter((execution) => execution.status === 'RUNNING').length} executions running`);
    }
    seconds = (performance.now() - started) / 1000;
    const executions = host.journeys.stepFunctions.list();
    const completed = executions.filter((execution) => execution.status === 'SUCCEEDED').length;
    const statuses = executions.reduce<Record<string, number>>((counts, execution) => ({ ...counts, [`${execution.name.split('-').slice(0, 2).join('-')} ${execution.status}`]: (counts[`${execution.name.split('-').slice(0, 2).join('-')} ${execution.status}`] ?? 0) + 1 }), {});
    report(`  executions by journey and status: ${JSON.stringify(statuses)}`);
    report(`  ${days} virtual days in ${seconds.toFixed(1)} s: ${completed} journeys completed (post-purchase to its offer, win-back to the call task), ${(completed / seconds).toFixed(0)} per second`);

    report('state transitions per customer (Step Functions Standard bills each; quiet-hours deferrals add 2 each):');
    for (const journey of ['post-purchase', 'win-back', 'loyalty-invite']) {
      const done = executions.filter((execution) => execution.status === 'SUCCEEDED' && execution.name.startsWith(`${journey}-`));
      if (done.length === 0) {
        report(`  ${journey.padEnd(15)} none completed`);
        continue;
      }
      const transitions = done.map((execution) => execution.statesEntered.length).sort((a, b) => a - b);
      const mean = transitions.reduce((sum, value) => sum + value, 0) / transitions.length;
      report(
        `  ${journey.padEnd(15)} ${done.length} executions: min ${transitions[0]}, median ${transitions[Math.floor(transitions.length / 2)]}, max ${transitions.at(-1)} transitions; USD ${(mean * USD_PER_TRANSITION * 1000).toFixed(3)} per 1,000 customers`,
      );
    }
  } finally {
    await host.stop();
  }
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Kyiv', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];
const PRODUCTS = [
  { sku: 'DOG-FOOD-5KG', category: 'pet-food', price: '39.99' },
  { sku: 'CAT-FOOD-2KG', category: 'pet-food', price: '19.99' },
  { sku: 'FILTER-CARTRIDGE', category: 'water-filters', price: '24.90' },
  { sku: 'PRINTER-200', category: 'printers', price: '189.00' },
  { sku: 'INK-200-BLACK', category: 'ink', price: '24.00' },
  { sku: 'LAPTOP-14', category: 'laptops', price: '899.00' },
  { sku: 'MOUSE-WIRELESS', category: 'accessories', price: '29.00' },
  { sku: 'PLAN-BASIC', category: 'plans', price: '9.00' },
];

/**
 * A month of a small store: customers in seven time zones, each with an order 40-59 days before the
 * month (win-back falls due in it unless they buy again) and now and then another, at any hour of
 * their day. Journeys, the sweeps and the dispatch run on the virtual clock, the dispatch hourly as
 * on AWS; quiet hours and the frequency cap defer messages. Then, per marketing message sent: the
 * delay from when it was due (its journey step, or its scheduled item) to when it went, and for the
 * deferred ones from the slot they were allowed to go at.
 */
async function simulateMonth(host: LocalHost, report: (line: string) => void): Promise<void> {
  const customers = Number(process.env['COMEBACK_BENCH_MONTH_CUSTOMERS'] ?? 70);
  const days = 30;
  const clock = host.journeys.clock;
  const start = clock.now().getTime();
  const end = start + days * DAY;
  const random = seeded(20260302);
  const orders: { at: number; customer: number; placedAt: number }[] = [];
  for (let customer = 0; customer < customers; customer += 1) {
    orders.push({ at: start, customer, placedAt: start - (40 + Math.floor(random() * 20)) * DAY - Math.floor(random() * DAY) });
    for (let day = 0; day < days; day += 1) {
      if (random() < 0.06) {
        const at = start + day * DAY + Math.floor(random() * DAY);
        orders.push({ at, customer, placedAt: at });
      }
    }
  }
  orders.sort((a, b) => a.at - b.at);
  report(`a month of a small store: ${customers} customers in ${ZONES.length} time zones, ${orders.length} orders (${orders.length - customers} within the month), the dispatch hourly as on AWS:`);
  const started = performance.now();
  for (const [index, order] of orders.entries()) {
    const minutes = Math.floor((order.at - clock.now().getTime()) / 60_000);
    if (minutes > 0) await clock.advance({ minutes });
    const lines = PRODUCTS.filter(() => random() < 0.25);
    const items = (lines.length > 0 ? lines : PRODUCTS.slice(0, 1)).map((product) => ({ sku: product.sku, category: product.category, quantity: 1, unitPrice: product.price }));
    const total = items.reduce((sum, item) => sum + Math.round(Number(item.unitPrice) * 100), 0);
    const body: PurchaseInput = {
      orderId: `bench-month-order-${index}`,
      placedAt: new Date(order.placedAt).toISOString(),
      currency: 'USD',
      total: (total / 100).toFixed(2),
      customer: {
        id: `bench-month-${order.customer}`,
        email: `bench-month-${order.customer}@example.com`,
        // One customer in five left no phone number: their SMS falls back, their call task says to write.
        ...(order.customer % 5 === 4 ? {} : { phone: `+1555010${String(order.customer).padStart(4, '0')}` }),
        name: `Customer ${order.customer}`,
        timezone: ZONES[order.customer % ZONES.length]!,
        consent: { email: true, sms: true },
      },
      items,
    };
    const text = JSON.stringify(body);
    const response = await fetch(`${host.url}/v1/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'comeback-signature': signComebackPayload(secret, text, Math.floor(Date.now() / 1000)) },
      body: text,
    });
    if (response.status !== 202) throw new Error(`unexpected status ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
  // A week more, so what was deferred at the month's end goes out too.
  await clock.advance({ minutes: Math.ceil((end + 7 * DAY - clock.now().getTime()) / 60_000) });
  const seconds = (performance.now() - started) / 1000;

  const { DynamoMessageLog } = await import('../../functions/adapters/message-log.ts');
  const { DynamoLoyaltyStore } = await import('../../functions/adapters/loyalty-store.ts');
  const { documentClient, tableName } = await import('../../functions/adapters/dynamodb.ts');
  const log = new DynamoMessageLog(documentClient, tableName);
  const outreach = new DynamoLoyaltyStore(documentClient, tableName);
  const rules = JSON.parse(readFileSync(new URL('../../workflows/catalog.json', import.meta.url), 'utf8')) as { replenishment: { leadDays: number }; crossSell: { id: string; afterDays: number }[] };
  const delays = { all: [] as number[], journeys: [] as number[], scheduled: [] as number[], quiet: [] as number[], capped: [] as number[], journeysFromSlot: [] as number[], scheduledFromSlot: [] as number[] };
  let mostDeferrals = 0;
  for (let customer = 0; customer < customers; customer += 1) {
    const customerId = `bench-month-${customer}`;
    const entries = await log.recent(customerId, new Date(start - 365 * DAY).toISOString(), new Date(end + 365 * DAY).toISOString());
    const scheduledDue = new Map<string, number>();
    for (const item of await outreach.listScheduled(customerId)) {
      const messageId = item.pendingMessageId ?? item.messageId;
      scheduledDue.set(messageId, Math.min(scheduledDue.get(messageId) ?? Number.POSITIVE_INFINITY, firstDue(item, rules)));
    }
    const attempts = new Map<string, MessageLogEntry[]>();
    for (const entry of entries) attempts.set(entry.messageId, [...(attempts.get(entry.messageId) ?? []), entry]);
    for (const [messageId, tries] of attempts) {
      const sent = tries.find((entry) => entry.status === 'sent');
      const firstTry = Date.parse(tries[0]!.at);
      if (!sent || !sent.marketing || sent.channel === 'task' || firstTry < start || firstTry >= end) continue;
      const due = Math.min(firstTry, scheduledDue.get(messageId) ?? Number.POSITIVE_INFINITY);
      const delay = Date.parse(sent.at) - due;
      // Scheduled messages are logged under their kind's name; an item a newer order replaced is no longer listed.
      const scheduled = sent.journey === 'loyalty' || sent.journey === 'replenishment' || sent.journey === 'cross-sell';
      delays.all.push(delay);
      (scheduled ? delays.scheduled : delays.journeys).push(delay);
      const waits = tries.filter((entry) => entry.status === 'deferred' || entry.status === 'capped');
      mostDeferrals = Math.max(mostDeferrals, waits.length);
      const last = waits.at(-1);
      if (!last?.deferredUntil) continue;
      (waits.some((entry) => entry.status === 'capped') ? delays.capped : delays.quiet).push(delay);
      // The slot: for the cap, the one its reason names; for quiet hours, the wake, less the customer's offset for a journey's message.
      const named = /next free slot (\S+)$/.exec(last.reason ?? '')?.[1];
      const slot = named ? Date.parse(named) : Date.parse(last.deferredUntil) - (scheduled ? 0 : wakeOffsetMs(customerId, defaultDeliveryPolicy.wakeSpreadMs));
      (scheduled ? delays.scheduledFromSlot : delays.journeysFromSlot).push(Date.parse(sent.at) - slot);
    }
  }
  report(`  ${days} virtual days (and a week to let deferrals go out) in ${seconds.toFixed(1)} s`);
  report(`  marketing messages sent: ${delays.all.length} (journeys ${delays.journeys.length}, scheduled ${delays.scheduled.length}); deferred by quiet hours ${delays.quiet.length}, by the cap ${delays.capped.length}; most deferrals of one message: ${mostDeferrals}`);
  report(`  delay from due to sent, all:                 ${percentiles(delays.all)}`);
  report(`    journey steps:                             ${percentiles(delays.journeys)}`);
  report(`    scheduled (tier, replenishment, cross-sell): ${percentiles(delays.scheduled)}`);
  report(`    deferred by quiet hours:                   ${percentiles(delays.quiet)}`);
  report(`    deferred by the frequency cap:             ${percentiles(delays.capped)}`);
  report(`  deferred messages, from the slot they were allowed to go at to sent:`);
  report(`    journey steps (they wake at the slot plus the customer's minute of the hour): ${percentiles(delays.journeysFromSlot)}`);
  report(`    scheduled (the next hourly dispatch after the slot sends them):            ${percentiles(delays.scheduledFromSlot)}`);
}

/** When a scheduled item was first due, before any deferral moved it. */
function firstDue(item: ScheduledMessage, rules: { replenishment: { leadDays: number }; crossSell: { id: string; afterDays: number }[] }): number {
  const created = Date.parse(item.createdAt);
  if (item.kind === 'replenishment' && item.needBy && item.cycleDays) {
    return Math.max(created, Date.parse(item.needBy) - Math.min(rules.replenishment.leadDays, Math.floor(item.cycleDays / 2)) * DAY);
  }
  const rule = rules.crossSell.find((candidate) => candidate.id === item.ruleId);
  if (item.kind === 'cross-sell' && rule && item.placedAt) return Math.max(created, Date.parse(item.placedAt) + rule.afterDays * DAY);
  return created;
}

function percentiles(values: readonly number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
  const text = (ms: number) => (ms < 2 * HOUR ? `${Math.round(ms / 60_000)} min` : ms < 2 * DAY ? `${(ms / HOUR).toFixed(1)} h` : `${(ms / DAY).toFixed(1)} days`);
  return `p50 ${text(at(0.5))}, p99 ${text(at(0.99))}, max ${text(sorted.at(-1)!)} (${values.length})`;
}
