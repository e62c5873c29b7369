/**
 * Product rules end to end on DynamoDB Local and the virtual clock: replenishment reminders from
 * declared and learned cycles, a reorder cancelling its reminder, quiet hours, cross-sell rules that
 * wait longer than the post-purchase journey's 7-day email (the shorter ones go with it), and
 * the nightly co-purchase count. Purchases go through the ledger and the purchase use case; the sweep
 * and the nightly job are called as their schedules would.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { coPurchasePorts, loyaltyPorts } from '../../functions/adapters/loyalty-ports.ts';
import { loyaltySweepPorts } from '../../functions/adapters/loyalty-sweep-ports.ts';
import { DynamoPurchaseLedger } from '../../functions/adapters/purchase-ledger.ts';
import { onPurchaseRecorded, sweepLoyalty } from '../../functions/core/loyalty/use-cases.ts';
import { formatMinorUnits } from '../../functions/core/money.ts';
import { parsePurchase, type Purchase } from '../../functions/core/purchase.ts';
import { handler as coPurchaseJob } from '../../functions/handlers/catalog-copurchase.ts';
import { handler as loyaltyDispatch } from '../../functions/handlers/loyalty-dispatch.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime } from '../support/environment.ts';
import { uniqueId } from '../support/events.ts';

const clock = journeyRuntime.clock;
const DAY = 86_400_000;
const ledger = new DynamoPurchaseLedger(documentClient, tableName);
const ports = loyaltyPorts();
const sweepPorts = loyaltySweepPorts();

interface Line {
  sku: string;
  quantity?: number;
  price?: number;
  name?: string;
  category?: string;
}

/**
 * A purchase recorded as the webhook does, its follow-ups run here; `followUps: false` records it in
 * the ledger only, as history (an order nothing reacts to: the stream's reactions leave it alone).
 * `daysAgo` places it in the past (an order recorded late), so a test need not live through weeks.
 */
async function buy(customerId: string, lines: Line[], options: { timezone?: string; followUps?: boolean; daysAgo?: number } = {}): Promise<Purchase> {
  const items = lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity ?? 1,
    unitPrice: formatMinorUnits(line.price ?? 10_00, 'USD'),
    ...(line.name ? { name: line.name } : {}),
    ...(line.category ? { category: line.category } : {}),
  }));
  const total = lines.reduce((sum, line) => sum + (line.price ?? 10_00) * (line.quantity ?? 1), 0);
  const purchase = parsePurchase({
    orderId: uniqueId('order'),
    placedAt: new Date(clock.now().getTime() - (options.daysAgo ?? 0) * DAY).toISOString(),
    currency: 'USD',
    total: formatMinorUnits(total, 'USD'),
    customer: { id: customerId, email: 'ada@example.com', name: 'Ada', timezone: options.timezone ?? 'UTC', consent: { email: true } },
    items,
  });
  await ledger.recordPurchase(purchase, { source: 'comeback', ...(options.followUps === false ? { arrival: 'history' as const } : {}) });
  if (options.followUps !== false) await onPurchaseRecorded(ports, purchase, await ports.customers.getProfile(customerId));
  return purchase;
}

/** Moves the virtual clock (the nightly jobs of the journeys run on the way), then runs the loyalty sweep. */
async function days(count: number) {
  await clock.advance({ days: count });
  const summary = await sweepLoyalty(sweepPorts);
  expect(summary.errors).toEqual([]);
  return summary;
}

/** Tests start at noon UTC (outside quiet hours for customers in UTC). */
beforeEach(async () => {
  const hours = (36 - clock.now().getUTCHours()) % 24;
  if (hours > 0) await clock.advance({ hours });
});

/** Minutes from the virtual now to the next run of the hourly dispatch (minute 15 of every hour, as on AWS). */
function minutesToNextHourlyRun(): number {
  const now = clock.now();
  const next = new Date(now);
  next.setUTCMinutes(15, 0, 0);
  if (next <= now) next.setUTCHours(next.getUTCHours() + 1);
  return Math.ceil((next.getTime() - now.getTime()) / 60_000);
}

async function sent(customerId: string, step: string) {
  return (await outbox(customerId)).filter((item) => item.step === step && item.status === 'sent');
}

async function scheduled(customerId: string, kind: string) {
  return (await ports.outreach.listScheduled(customerId)).filter((item) => item.kind === kind);
}

describe('replenishment', () => {
  it('reminds a week before a declared cycle runs out, with a one-click reorder link', async () => {
    const customerId = uniqueId('refill-declared');
    const bought = Date.parse((await buy(customerId, [{ sku: 'DOG-FOOD-5KG', name: 'Dog food' }, { sku: 'FILTER-CARTRIDGE', quantity: 2 }])).placedAt);

    const [dogFood] = await scheduled(customerId, 'replenishment').then((items) => items.filter((item) => item.sku === 'DOG-FOOD-5KG'));
    const [filters] = await scheduled(customerId, 'replenishment').then((items) => items.filter((item) => item.sku === 'FILTER-CARTRIDGE'));
    expect(dogFood).toMatchObject({ cycleDays: 30, cycleSource: 'category', dueAt: new Date(bought + 23 * DAY).toISOString(), needBy: new Date(bought + 30 * DAY).toISOString() });
    // Two water filters of 90 days each: 180 days.
    expect(filters).toMatchObject({ cycleDays: 180, dueAt: new Date(bought + 173 * DAY).toISOString() });

    await days(22);
    expect(await sent(customerId, 'replenishment')).toEqual([]);
    await days(1);
    const [reminder] = await sent(customerId, 'replenishment');
    expect(reminder).toMatchObject({ journey: 'replenishment', subject: 'Running low on Dog food 5 kg?' });
    expect(reminder!.text).toContain('- Dog food 5 kg x 1, should last until about');
    expect(reminder!.text).toContain('Reorder in one click: https://shop.example.com/cart/add?sku=DOG-FOOD-5KG&quantity=1');
    expect(reminder!.text).not.toContain('Water filter');
    await days(1);
    expect(await sent(customerId, 'replenishment')).toHaveLength(1);
  });

  it("learns a cycle from the customer's own reorders when the store declares none", async () => {
    const customerId = uniqueId('refill-learned');
    const coffee = { sku: uniqueId('COFFEE'), name: 'House coffee beans 1 kg' };
    await buy(customerId, [coffee], { daysAgo: 55 });
    await buy(customerId, [coffee], { daysAgo: 35 });
    expect(await scheduled(customerId, 'replenishment')).toEqual([]);
    const third = await buy(customerId, [coffee], { daysAgo: 13 });

    // Intervals of 20 and 22 days: 21 days, reminded 7 days before.
    const [item] = await scheduled(customerId, 'replenishment');
    expect(item).toMatchObject({ cycleSource: 'learned', cycleDays: 21, dueAt: new Date(Date.parse(third.placedAt) + 14 * DAY).toISOString() });
    await days(1);
    expect((await sent(customerId, 'replenishment'))[0]!.subject).toBe('Running low on House coffee beans 1 kg?');
  });

  it('does not remind a customer who already reordered', async () => {
    const customerId = uniqueId('refill-reorder');
    await buy(customerId, [{ sku: 'DOG-FOOD-5KG' }], { daysAgo: 20 });
    const reorder = await buy(customerId, [{ sku: 'DOG-FOOD-5KG', quantity: 2 }]);

    await days(4); // the first order's reminder would have been due after 3
    expect(await sent(customerId, 'replenishment')).toEqual([]);
    const [item] = await scheduled(customerId, 'replenishment');
    expect(item).toMatchObject({ orderId: reorder.orderId, status: 'scheduled', cycleDays: 60, dueAt: new Date(Date.parse(reorder.placedAt) + 53 * DAY).toISOString() });
  });

  it('cancels a reminder when the sweep finds a reorder the purchase step never saw', async () => {
    const customerId = uniqueId('refill-missed');
    await buy(customerId, [{ sku: 'DOG-FOOD-5KG' }], { daysAgo: 22 });
    const reorder = await buy(customerId, [{ sku: 'DOG-FOOD-5KG' }], { followUps: false, daysAgo: 5 });

    const summary = await days(1);
    expect(summary.cancelled).toBeGreaterThanOrEqual(1);
    expect(await sent(customerId, 'replenishment')).toEqual([]);
    expect((await scheduled(customerId, 'replenishment'))[0]).toMatchObject({ status: 'cancelled', reason: `reordered in order ${reorder.orderId}` });
  });

  it('waits out quiet hours in the customer zone, and the first hourly dispatch after 09:00 there sends it', async () => {
    const customerId = uniqueId('refill-tokyo');
    // Noon UTC is 21:00 in Tokyo, the start of quiet hours; cat food lasts 21 days, reminded after 14.
    await buy(customerId, [{ sku: 'CAT-FOOD-2KG' }], { timezone: 'Asia/Tokyo', daysAgo: 13 });

    await days(1);
    expect((await outbox(customerId)).filter((item) => item.step === 'replenishment').map((item) => item.status)).toEqual(['deferred']);
    const [item] = await scheduled(customerId, 'replenishment');
    expect(item!.pendingMessageId).toBe(item!.messageId);
    expect(item!.dueAt).toMatch(/T00:00:00\.000Z$/); // 09:00 in Tokyo

    // The dispatch runs every hour at minute 15, as on AWS.
    const sentBy: string[] = [];
    for (let hour = 0; hour < 14 && sentBy.length === 0; hour += 1) {
      await clock.advance({ minutes: minutesToNextHourlyRun() });
      const run = await loyaltyDispatch();
      expect(run.errors).toBe(0);
      if (run.sent > 0) sentBy.push(clock.now().toISOString());
    }
    const log = (await outbox(customerId)).filter((entry) => entry.step === 'replenishment');
    expect(log.map((entry) => entry.status)).toEqual(['deferred', 'sent']);
    expect(log[1]!.at).toBe(sentBy[0]);
    expect(log[1]!.at).toBe(item!.dueAt.replace('T00:00:00', 'T00:15:00'));
    expect(new Set(log.map((entry) => entry.id.split('#')[1]))).toEqual(new Set([item!.messageId]));
  });
});

describe('cross-sell rules', () => {
  it('offer cartridges 60 days after a printer, leaving out the one bought meanwhile', async () => {
    const customerId = uniqueId('cross-printer');
    const printer = await buy(customerId, [{ sku: 'PRINTER-200', price: 189_00 }], { daysAgo: 59 });
    expect((await scheduled(customerId, 'cross-sell'))[0]).toMatchObject({ ruleId: 'printer-ink', offer: ['INK-200-BLACK', 'INK-200-COLOUR'], dueAt: new Date(Date.parse(printer.placedAt) + 60 * DAY).toISOString() });
    await buy(customerId, [{ sku: 'INK-200-BLACK', price: 24_00 }], { daysAgo: 29 });

    await days(1);
    const [offer] = await sent(customerId, 'cross-sell');
    expect(offer!.subject).toBe('Goes well with your Printer 200');
    expect(offer!.text).toContain('- Colour ink cartridge for the Printer 200, $32.00: https://shop.example.com/products/INK-200-COLOUR');
    expect(offer!.text).not.toContain('Black ink');
  });

  it('cancel an offer the customer has already taken up in full', async () => {
    const customerId = uniqueId('cross-printer-inks');
    await buy(customerId, [{ sku: 'PRINTER-200', price: 189_00 }], { daysAgo: 59 });
    await buy(customerId, [{ sku: 'INK-200-BLACK', price: 24_00 }, { sku: 'INK-200-COLOUR', price: 32_00 }], { daysAgo: 30 });
    await days(1);
    expect(await sent(customerId, 'cross-sell')).toEqual([]);
    expect((await scheduled(customerId, 'cross-sell'))[0]).toMatchObject({ status: 'cancelled' });
  });

  it('leave a rule that waits no longer than a week to the post-purchase journey’s 7-day email', async () => {
    const customerId = uniqueId('cross-laptop');
    await buy(customerId, [{ sku: 'LAPTOP-14', price: 899_00 }]);
    expect(await scheduled(customerId, 'cross-sell')).toEqual([]);
  });
});

describe('the nightly co-purchase count', () => {
  it('stores what the store customers buy together with a product, and after it', async () => {
    const [camera, strap, card, tripod] = ['CAMERA', 'STRAP', 'CARD', 'TRIPOD'].map((name) => uniqueId(name));
    for (let index = 0; index < 4; index += 1) await buy(uniqueId('co-buyer'), [{ sku: camera! }, { sku: strap! }], { followUps: false });
    for (let index = 0; index < 3; index += 1) {
      const customerId = uniqueId('co-later');
      await buy(customerId, [{ sku: camera! }], { followUps: false, daysAgo: 10 });
      await buy(customerId, [{ sku: card! }], { followUps: false });
    }
    await buy(uniqueId('co-once'), [{ sku: camera! }, { sku: tripod! }], { followUps: false });

    const result = await coPurchaseJob();
    expect(result.orders).toBeGreaterThanOrEqual(15);
    expect(result.saved).toBeGreaterThanOrEqual(2);
    const stored = await coPurchasePorts().copurchases.lookup([camera!, strap!]);
    expect(stored.get(camera!)).toEqual([
      { sku: strap!, count: 4 },
      { sku: card!, count: 3 },
    ]);
    expect(stored.get(strap!)).toEqual([{ sku: camera!, count: 4 }]);
  });
});
