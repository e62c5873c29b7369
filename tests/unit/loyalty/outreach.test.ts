/**
 * The dispatch of scheduled messages on in-memory ports, through the real delivery step: a message
 * deferred by quiet hours is due again at the customer's next allowed slot, and the next hourly run
 * sends it; a message the provider refuses for good is settled at once; an error that may pass
 * leaves the item for the next run; one customer's trouble never stops the others.
 *
 * In January 09:00 is 07:00Z in Kyiv, 17:00Z in Los Angeles, 03:30Z in Kolkata, 00:00Z in Tokyo
 * and 22:00Z the day before in Sydney (summer time there).
 */
import { describe, expect, it } from 'vitest';
import { deliverMessage } from '../../../functions/core/delivery/deliver.ts';
import { PermanentSendError, TransientSendError } from '../../../functions/core/delivery/errors.ts';
import { DISPATCH_LOOKBACK_HOURS, dispatchDueMessages, LOYALTY_LOOKBACK_HOURS } from '../../../functions/core/loyalty/outreach.ts';
import type { LoyaltySweepPorts, OutreachStore } from '../../../functions/core/loyalty/ports.ts';
import type { ScheduledMessage } from '../../../functions/core/loyalty/scheduled.ts';
import type { CustomerProfile } from '../../../functions/core/profile.ts';
import { customer, testCatalog } from '../catalog/fixtures.ts';
import { contact, memoryDeliveryPorts } from '../delivery/fixtures.ts';

const HOUR = 3_600_000;

function reminder(customerId: string, dueAt: string): ScheduledMessage {
  return {
    customerId,
    kind: 'replenishment',
    key: 'DOG-FOOD',
    messageId: `replenishment.${customerId}`,
    dueAt,
    status: 'scheduled',
    createdAt: '2026-01-01T10:00:00.000Z',
    orderId: 'o-1',
    placedAt: '2026-01-01T10:00:00.000Z',
    sku: 'DOG-FOOD',
    quantity: 1,
    needBy: '2026-01-31T10:00:00.000Z',
  };
}

/** The scheduled items in memory, indexed by the UTC day they are due, as the table's index is. */
function memoryOutreach(items: ScheduledMessage[]): OutreachStore {
  return {
    async schedule(added) {
      items.push(...added);
    },
    async listScheduled(customerId) {
      return items.filter((item) => item.customerId === customerId).map((item) => ({ ...item }));
    },
    async update(item, changes) {
      const stored = items.find((candidate) => candidate.customerId === item.customerId && candidate.kind === item.kind && candidate.key === item.key);
      if (!stored || stored.status !== 'scheduled' || stored.messageId !== item.messageId) return false;
      Object.assign(stored, changes);
      return true;
    },
    async *dueCustomers(day, until) {
      for (const item of items) if (item.status === 'scheduled' && item.dueAt.slice(0, 10) === day && item.dueAt <= until) yield item.customerId;
    },
  };
}

function dispatchWorld(customers: Partial<CustomerProfile>[], items: ScheduledMessage[], start: string) {
  const profiles = customers.map((overrides) => customer({ consent: { email: true }, ...overrides }));
  const delivery = memoryDeliveryPorts(Object.fromEntries(profiles.map((profile) => [profile.customerId, contact(profile)])), start);
  const broken = new Set<string>();
  const ports: LoyaltySweepPorts = {
    store: { getAccount: async () => undefined } as unknown as LoyaltySweepPorts['store'],
    outreach: memoryOutreach(items),
    customers: {
      async getProfile(customerId) {
        if (broken.has(customerId)) throw new Error('the table did not answer');
        return profiles.find((profile) => profile.customerId === customerId);
      },
      recentOrders: async () => [],
    },
    catalog: testCatalog(),
    now: () => delivery.ports.now(),
    deliverer: { deliver: (customerId, intent) => deliverMessage(delivery.ports, customerId, intent) },
    settings: { shopUrl: 'https://shop.test', lookbackHours: DISPATCH_LOOKBACK_HOURS },
  };
  return { ports, delivery, items, broken };
}

/** The world's ports as the nightly loyalty sweep dispatches: looking back a week. */
function nightlyPorts(world: ReturnType<typeof dispatchWorld>): LoyaltySweepPorts {
  return { ...world.ports, settings: { ...world.ports.settings, lookbackHours: LOYALTY_LOOKBACK_HOURS } };
}

/** The hourly dispatch (minute 15, as on AWS) from `from` to `to`; the summaries of the runs that did something. */
async function hourlyRuns(world: ReturnType<typeof dispatchWorld>, from: string, to: string) {
  const runs: { at: string; sent: number; deferred: number; failed: number; errors: number }[] = [];
  for (let at = Date.parse(from); at <= Date.parse(to); at += HOUR) {
    world.delivery.set(new Date(at).toISOString());
    const summary = await dispatchDueMessages(world.ports);
    if (summary.customers > 0) runs.push({ at: new Date(at).toISOString(), sent: summary.sent, deferred: summary.deferred, failed: summary.failed, errors: summary.errors.length });
  }
  return runs;
}

describe('a scheduled message deferred by quiet hours', () => {
  it.each([
    // customer, zone, due (in quiet hours there), its slot (09:00 there), the run that sends it
    ['cust-1', 'Europe/Kyiv', '2026-01-15T20:30:00.000Z', '2026-01-16T07:00:00.000Z', '2026-01-16T07:15:00.000Z'],
    ['cust-3', 'Europe/Kyiv', '2026-01-15T20:30:00.000Z', '2026-01-16T07:00:00.000Z', '2026-01-16T07:15:00.000Z'],
    ['cust-1', 'America/Los_Angeles', '2026-01-16T06:00:00.000Z', '2026-01-16T17:00:00.000Z', '2026-01-16T17:15:00.000Z'],
    ['cust-3', 'Asia/Kolkata', '2026-01-15T16:00:00.000Z', '2026-01-16T03:30:00.000Z', '2026-01-16T04:15:00.000Z'],
    ['cust-2', 'Asia/Tokyo', '2026-01-15T13:00:00.000Z', '2026-01-16T00:00:00.000Z', '2026-01-16T00:15:00.000Z'],
    ['cust-4', 'Australia/Sydney', '2026-01-15T11:00:00.000Z', '2026-01-15T22:00:00.000Z', '2026-01-15T22:15:00.000Z'],
  ])('for %s in %s due %s is due again at %s and sent by the hourly run at %s', async (customerId, timezone, dueAt, wake, sentAt) => {
    const world = dispatchWorld([{ customerId, timezone }], [reminder(customerId, dueAt)], dueAt);

    const runs = await hourlyRuns(world, new Date(Date.parse(dueAt) + 15 * 60_000 - (Date.parse(dueAt) % HOUR)).toISOString(), '2026-01-17T00:15:00.000Z');

    expect(runs.map((run) => [run.sent, run.deferred])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(runs[1]?.at).toBe(sentAt);
    expect(world.delivery.log.map((entry) => [entry.status, entry.deferredUntil ?? entry.at])).toEqual([
      ['deferred', wake],
      ['sent', sentAt],
    ]);
    expect(world.items[0]).toMatchObject({ status: 'sent', doneAt: sentAt, pendingMessageId: `replenishment.${customerId}` });
    // Sent within the hour after its slot, under the message id it was first tried with.
    expect(Date.parse(sentAt) - Date.parse(wake)).toBeLessThan(HOUR);
    expect(new Set(world.delivery.log.map((entry) => entry.messageId))).toEqual(new Set([`replenishment.${customerId}`]));
  });

  it('is picked up by a run on the UTC day after it fell due again, from the index of the day before', async () => {
    // Due again at 23:59Z on the 15th (18:59 in New York); the next run is at 00:15Z on the 16th.
    const world = dispatchWorld([{ customerId: 'cust-1', timezone: 'America/New_York' }], [{ ...reminder('cust-1', '2026-01-15T23:59:00.000Z'), pendingMessageId: 'replenishment.cust-1' }], '2026-01-15T23:15:00.000Z');

    const runs = await hourlyRuns(world, '2026-01-15T23:15:00.000Z', '2026-01-16T01:15:00.000Z');

    expect(runs).toEqual([{ at: '2026-01-16T00:15:00.000Z', sent: 1, deferred: 0, failed: 0, errors: 0 }]);
  });

  it('is left to the nightly sweep once the hourly runs no longer reach its day', async () => {
    // Due at 20:00Z on the 15th; no run read it before 02:15Z on the 16th (11:15 in Tokyo).
    const world = dispatchWorld([{ customerId: 'cust-1', timezone: 'Asia/Tokyo' }], [reminder('cust-1', '2026-01-15T20:00:00.000Z')], '2026-01-16T02:15:00.000Z');

    const hourly = await hourlyRuns(world, '2026-01-16T02:15:00.000Z', '2026-01-16T02:15:00.000Z');
    world.delivery.set('2026-01-16T02:30:00.000Z');
    const nightly = await dispatchDueMessages(nightlyPorts(world));

    expect(hourly).toEqual([]);
    expect(nightly).toMatchObject({ customers: 1, sent: 1 });
  });
});

describe('why the dispatch runs hourly', () => {
  it('a run at 02:30 UTC alone falls in quiet hours in Kyiv, and defers the same message every night', async () => {
    const world = dispatchWorld([{ customerId: 'cust-1', timezone: 'Europe/Kyiv' }], [reminder('cust-1', '2026-01-15T20:30:00.000Z')], '2026-01-16T02:30:00.000Z');

    for (let night = 0; night < 3; night += 1) {
      world.delivery.set(new Date(Date.parse('2026-01-16T02:30:00.000Z') + night * 24 * HOUR).toISOString());
      await dispatchDueMessages(nightlyPorts(world));
    }

    expect(world.delivery.log.map((entry) => [entry.at, entry.status, entry.deferredUntil])).toEqual([
      ['2026-01-16T02:30:00.000Z', 'deferred', '2026-01-16T07:00:00.000Z'],
      ['2026-01-17T02:30:00.000Z', 'deferred', '2026-01-17T07:00:00.000Z'],
      ['2026-01-18T02:30:00.000Z', 'deferred', '2026-01-18T07:00:00.000Z'],
    ]);
  });
});

describe('a scheduled message the provider refuses', () => {
  it('is settled as failed at once, with the reason, and never tried again', async () => {
    const world = dispatchWorld([{ customerId: 'cust-1' }], [reminder('cust-1', '2026-01-15T12:00:00.000Z')], '2026-01-15T12:15:00.000Z');
    world.delivery.refusals.email.push(new PermanentSendError('SES MessageRejected: Email address is not verified.', { code: 'MessageRejected', outcome: 'failed' }));

    const runs = await hourlyRuns(world, '2026-01-15T12:15:00.000Z', '2026-01-15T15:15:00.000Z');

    expect(runs).toEqual([{ at: '2026-01-15T12:15:00.000Z', sent: 0, deferred: 0, failed: 1, errors: 0 }]);
    expect(world.items[0]).toMatchObject({ status: 'failed', reason: 'SES MessageRejected: Email address is not verified.', doneAt: '2026-01-15T12:15:00.000Z' });
    expect(world.delivery.log.map((entry) => entry.status)).toEqual(['failed']);
  });

  it('stays scheduled after an error that may pass, and the next run sends it', async () => {
    const world = dispatchWorld([{ customerId: 'cust-1' }], [reminder('cust-1', '2026-01-15T12:00:00.000Z')], '2026-01-15T12:15:00.000Z');
    world.delivery.refusals.email.push(new TransientSendError('SES TooManyRequestsException: Maximum sending rate exceeded.', { code: 'TooManyRequestsException' }));

    const runs = await hourlyRuns(world, '2026-01-15T12:15:00.000Z', '2026-01-15T15:15:00.000Z');

    expect(runs).toEqual([
      { at: '2026-01-15T12:15:00.000Z', sent: 0, deferred: 0, failed: 0, errors: 1 },
      { at: '2026-01-15T13:15:00.000Z', sent: 1, deferred: 0, failed: 0, errors: 0 },
    ]);
    expect(world.items[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('a dispatch run', () => {
  it("goes on to the other customers when one customer's data cannot be read", async () => {
    const world = dispatchWorld([{ customerId: 'cust-1' }, { customerId: 'cust-2' }], [reminder('cust-1', '2026-01-15T12:00:00.000Z'), reminder('cust-2', '2026-01-15T12:00:00.000Z')], '2026-01-15T12:15:00.000Z');
    world.broken.add('cust-1');

    const summary = await dispatchDueMessages(world.ports);

    expect(summary).toMatchObject({ customers: 2, sent: 1, errors: [{ customerId: 'cust-1', error: 'Error: the table did not answer' }] });
    expect(world.items.map((item) => [item.customerId, item.status])).toEqual([
      ['cust-1', 'scheduled'],
      ['cust-2', 'sent'],
    ]);
  });
});
