/**
 * The daily sweep reads each due day once: a night it ran is not read again the next night, a night
 * it did not run is read on the next one (up to the look-back), and a clock set back reads the whole
 * look-back again. Real store on DynamoDB Local; the days each half read are counted at the store.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb.ts';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { keys } from '../../functions/adapters/table-design.ts';
import type { JourneyEntry } from '../../functions/core/journeys.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';
import { sweepCheckIns, sweepDays, sweepJourneys, sweepWinBack, type JourneyRunPorts, type JourneyStore, type SweptThrough } from '../../functions/core/journey-engine.ts';
import { checkInDueAt } from '../../functions/core/journeys.ts';
import { uniqueId } from '../support/events.ts';

/** The store, noting which day each half of the sweep read. */
function countingStore() {
  const store = new DynamoJourneyStore(documentClient, tableName);
  const read = { winBack: [] as string[], checkIns: [] as string[] };
  const counting: JourneyStore = Object.create(store) as JourneyStore;
  counting.customersByLastOrderDay = (day) => {
    read.winBack.push(day);
    return store.customersByLastOrderDay(day);
  };
  counting.checkInsDueOn = (day) => {
    read.checkIns.push(day);
    return store.checkInsDueOn(day);
  };
  return { store: counting, read };
}

function portsAt(store: JourneyStore, now: string, started: JourneyEntry[], tasks: string[]): JourneyRunPorts {
  return {
    store,
    now: () => new Date(now),
    launcher: { start: async (entry) => void started.push(entry), stop: async () => {} },
    settings: { holdoutShare: 0, winBackAfterDays: 60, sweepLookbackDays: 6, npsIntervalDays: 90, shopUrl: 'https://shop.example.com', supportContact: 'support@shop.example.com' },
    links: { feedback: async () => 'https://example.com/f', join: async () => 'https://example.com/j' },
    membership: { isMember: async () => false },
    deliverer: {
      async deliver(customerId, intent) {
        tasks.push(`${customerId}/${intent.step}`);
        return { status: 'sent' };
      },
    },
  };
}

/** A one-time buyer's whole profile, in the index of last-order days. */
async function oneTimeBuyer(customerId: string, lastOrderAt: string): Promise<void> {
  const profile: CustomerProfile = {
    customerId,
    consent: { email: true },
    consentAsOf: {},
    contactAsOf: lastOrderAt,
    orderCount: 1,
    revenueByCurrency: { USD: 2000 },
    currency: 'USD',
    firstOrderAt: lastOrderAt,
    lastOrderAt,
    categories: [],
    skus: [],
    refundedMinorByCurrency: {},
  };
  await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...keys.profile(customerId), ...keys.lastOrderDay(lastOrderAt, customerId), type: 'profile', ...profile } }));
}

describe('the daily sweep', () => {
  it('reads the look-back on its first night, then only the days it has not handled whole', () => {
    const now = new Date('2034-03-10T02:00:00Z');
    expect(sweepDays(now, 6, undefined)).toEqual(['2034-03-04', '2034-03-05', '2034-03-06', '2034-03-07', '2034-03-08', '2034-03-09', '2034-03-10']);
    expect(sweepDays(now, 6, '2034-03-09')).toEqual(['2034-03-10']);
    expect(sweepDays(now, 6, '2034-03-10')).toEqual([]);
    expect(sweepDays(now, 6, '2034-03-06')).toEqual(['2034-03-07', '2034-03-08', '2034-03-09', '2034-03-10']);
    // Nights missed past the look-back, and a record from a later day than today: the whole look-back.
    expect(sweepDays(now, 6, '2034-02-01')).toHaveLength(7);
    expect(sweepDays(now, 6, '2034-03-11')).toHaveLength(7);
    expect(sweepDays(now, 0, '2034-03-09')).toEqual(['2034-03-10']);
  });

  it('starts win-back for a one-time buyer due on a night it missed, reading each due day once', async () => {
    // Far from every other test's dates: the due days are this file's alone.
    const customerId = uniqueId('sweep-nights');
    await oneTimeBuyer(customerId, '2033-01-10T15:00:00.000Z'); // due 2033-03-11, 60 days on
    const { store, read } = countingStore();
    const started: JourneyEntry[] = [];
    const night = (day: string) => sweepWinBack(portsAt(store, `${day}T02:00:00.000Z`, started, []));

    await night('2033-03-08');
    const first = read.winBack.splice(0);
    await night('2033-03-09');
    const second = read.winBack.splice(0);
    // The nights of 03-10, 03-11 and 03-12 did not run.
    const late = await night('2033-03-13');
    const afterMissed = read.winBack.splice(0);
    const again = await night('2033-03-14');

    // Last-order days, 60 days before each due day read.
    expect(first).toEqual(['2033-01-01', '2033-01-02', '2033-01-03', '2033-01-04', '2033-01-05', '2033-01-06', '2033-01-07']);
    expect(second).toEqual(['2033-01-08']);
    expect(afterMissed).toEqual(['2033-01-09', '2033-01-10', '2033-01-11', '2033-01-12']);
    expect(read.winBack).toEqual(['2033-01-13']);
    expect(late.winBackStarted).toBe(1);
    expect(again.winBackStarted).toBe(0);
    // One entry, for the inactivity episode of the 2033-01-10 order.
    expect(started.map((entry) => [entry.journey, entry.customerId, entry.entryId.slice(-8)])).toEqual([['win-back', customerId, '20330110']]);
  });

  it("turns a check-in due after one night's run into a task the next night, and a set-back clock reads the whole look-back", async () => {
    const customerId = uniqueId('sweep-nights');
    const orderAt = '2035-01-06T20:00:00.000Z';
    const dueAt = checkInDueAt(orderAt, 3);
    expect(dueAt.slice(0, 10)).toBe('2035-04-06');
    await oneTimeBuyer(customerId, orderAt);
    await store().scheduleCheckIns([{ customerId, orderId: 'o-1', months: 3, dueAt, status: 'scheduled' }]);
    const { store: counting, read } = countingStore();
    const tasks: string[] = [];
    const night = (at: string) => sweepCheckIns(portsAt(counting, at, [], tasks));

    await night('2035-04-05T02:00:00.000Z');
    read.checkIns.splice(0);
    // Due at 20:00 on 04-06: the run at 02:00 that day finds it not yet due; the next night finds it.
    const early = await night('2035-04-06T02:00:00.000Z');
    const daysEarly = read.checkIns.splice(0);
    const due = await night('2035-04-07T02:00:00.000Z');
    const daysDue = read.checkIns.splice(0);
    const set = await night('2035-03-01T02:00:00.000Z');

    expect(daysEarly).toEqual(['2035-04-05', '2035-04-06']);
    expect(daysDue).toEqual(['2035-04-06', '2035-04-07']);
    expect([early.checkInTasks, due.checkInTasks, set.checkInTasks]).toEqual([0, 1, 0]);
    expect(tasks).toEqual([`${customerId}/3-month`]);
    expect(read.checkIns).toHaveLength(7);
  });

  it('run whole, reads both halves\' records in one call and writes them in one', async () => {
    const { store: counting, read } = countingStore();
    const records = { read: 0, written: [] as SweptThrough[] };
    const recording: JourneyStore = Object.create(counting) as JourneyStore;
    recording.sweptThrough = () => {
      records.read += 1;
      return counting.sweptThrough();
    };
    recording.markSweptThrough = (days) => {
      records.written.push(days);
      return counting.markSweptThrough(days);
    };
    const night = (day: string) => sweepJourneys(portsAt(recording, `${day}T02:00:00.000Z`, [], []));

    await night('2036-05-10');
    read.winBack.splice(0);
    read.checkIns.splice(0);
    await night('2036-05-11');

    expect(records.read).toBe(2);
    expect(records.written).toEqual([
      { 'win-back': '2036-05-10', 'check-ins': '2036-05-09' },
      { 'win-back': '2036-05-11', 'check-ins': '2036-05-10' },
    ]);
    // The second night read only the days the first left, as stored in DynamoDB Local.
    expect(read.winBack).toEqual(['2036-03-12']);
    expect(read.checkIns).toEqual(['2036-05-10', '2036-05-11']);
  });
});

function store(): DynamoJourneyStore {
  return new DynamoJourneyStore(documentClient, tableName);
}
