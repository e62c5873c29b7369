/**
 * Win-back timing per customer on the virtual clock: the real purchase handler, the scheduled daily
 * sweep, and the nightly recompute's customer pass (over this file's customers only: the table is
 * shared with other files) telling the journey engine of every customer it classified.
 */
import { describe, expect, it } from 'vitest';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { DynamoAnalyticsStore } from '../../functions/adapters/analytics-store.ts';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { journeyPorts, withDeclaredCycles } from '../../functions/adapters/journey-ports.ts';
import type { FittedModels } from '../../functions/core/analytics/predictions.ts';
import { recompute, type RecomputeState, type RecomputeStore } from '../../functions/core/analytics/recompute.ts';
import { recomputeSettings } from '../../functions/core/analytics/settings.ts';
import { startWinBackOnSegmentEntry, startWinBackWhenDue } from '../../functions/core/journey-engine.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent, uniqueId } from '../support/events.ts';

const clock = journeyRuntime.clock;

async function buy(customerId: string, item: { sku: string; category: string; unitPrice: string }) {
  const payload = {
    orderId: uniqueId('order'),
    placedAt: clock.now().toISOString(),
    currency: 'USD',
    total: item.unitPrice,
    customer: { id: customerId, email: 'ada@example.com', name: 'Ada', timezone: 'UTC', consent: { email: true, sms: false } },
    items: [{ ...item, name: item.sku, quantity: 1 }],
  };
  expect((await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext)).statusCode).toBe(202);
}

const licence = { sku: 'ANTIVIRUS-1Y', category: 'licences', unitPrice: '49.00' };
const catFood = { sku: 'CAT-FOOD-2KG', category: 'pet-food', unitPrice: '19.99' };

/** The recompute's store, reading this file's customers only and keeping its state in memory. */
function storeOf(customers: ReadonlySet<string>): RecomputeStore {
  const table = new DynamoAnalyticsStore(documentClient, tableName);
  let state: RecomputeState | undefined;
  let models: FittedModels | undefined;
  return {
    readState: async () => state,
    saveState: async (next) => void (state = next),
    readModels: async () => models,
    saveModels: async (next) => void (models = next),
    saveSnapshot: async () => undefined,
    listDefinitions: async () => [],
    async *scan(segment, total) {
      for await (const page of table.scan(segment, total)) {
        const mine = page.filter((record) => record.kind === 'customer' && customers.has(record.customerId));
        if (mine.length > 0) yield mine;
      }
    },
    enterSegment: (membership) => table.enterSegment(membership),
    leaveSegments: (memberships) => table.leaveSegments(memberships),
    putPredictions: (items) => table.putPredictions(items),
    deletePredictions: (ids) => table.deletePredictions(ids),
  };
}

const settings = recomputeSettings({ recency: { minGaps: 100_000 } });

async function nightlyRun(customers: ReadonlySet<string>) {
  const journeys = withDeclaredCycles(journeyPorts());
  return recompute(
    {
      store: storeOf(customers),
      events: { entered: (event) => startWinBackOnSegmentEntry(journeys, event), seen: (event) => startWinBackWhenDue(journeys, event) },
      now: () => clock.now(),
    },
    settings,
  );
}

function winBackOf(customerId: string) {
  return journeyRuntime.stepFunctions.list().filter((execution) => execution.name.startsWith('win-back-') && JSON.parse(execution.input).entry.customerId === customerId);
}

describe('win-back timing per customer', () => {
  it('waits out a yearly licence at day 60, and reaches a monthly buyer before day 60', async () => {
    // Prepare: a licence buyer, a one-time cat-food buyer, and a monthly cat-food buyer (3 orders, 30 days apart).
    const licenceBuyer = uniqueId('wbt-licence');
    const oneTime = uniqueId('wbt-once');
    const monthly = uniqueId('wbt-monthly');
    const customers = new Set([licenceBuyer, oneTime, monthly]);
    await buy(licenceBuyer, licence);
    await buy(oneTime, catFood);
    await buy(monthly, catFood);
    await clock.advance({ days: 30 });
    await buy(monthly, catFood);
    await clock.advance({ days: 30 });
    const lastOrder = clock.now().getTime();
    await buy(monthly, catFood);

    // Act: day 61 after the first orders, the sweep has run; so does the recompute.
    await clock.advance({ days: 1, hours: 2 });
    const atDay61 = await nightlyRun(customers);

    // Assess: the 60-day fallback still holds for a one-time buyer; the licence buyer is not due for a year.
    expect(winBackOf(oneTime)).toHaveLength(1);
    expect(winBackOf(licenceBuyer)).toHaveLength(0);
    expect(atDay61.customers).toBe(3);
    expect(winBackOf(monthly)).toHaveLength(0);

    // The monthly buyer (median gap 30 days, times 1.5) is due 45 days after her last order.
    await clock.advance({ days: 42 });
    await nightlyRun(customers);
    expect(winBackOf(monthly), '44 days after her last order').toHaveLength(0);
    await clock.advance({ days: 2 });
    const due = await nightlyRun(customers);
    expect(due.winBackStarted).toBe(1);
    const [started] = winBackOf(monthly);
    const enteredAt = Date.parse(JSON.parse(started!.input).entry.enteredAt);
    const daysSinceLastOrder = (enteredAt - lastOrder) / 86_400_000;
    expect(daysSinceLastOrder).toBeGreaterThanOrEqual(45);
    expect(daysSinceLastOrder).toBeLessThan(60);
    expect(winBackOf(licenceBuyer)).toHaveLength(0);
  });
});
