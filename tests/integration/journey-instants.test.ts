/**
 * When each message of a journey goes out, from fixed starting instants (just after midnight, midday
 * and just before 21:00 UTC, and the days the clocks change in Europe and in the US) for customers in
 * three time zones. The expected instants are written out: a message due in the customer's quiet
 * hours (21:00-09:00 local) waits for 09:00 there plus the customer's own minute of the hour, so the
 * same store never sends one burst at nine. The real definitions run on the interpreter, on the
 * virtual clock; nothing here reads the real date or time of day.
 */
import { describe, expect, it } from 'vitest';
import { handler as recordPurchase } from '../../functions/handlers/record-purchase.ts';
import { outbox } from '../../lib/local/local-routes.ts';
import { journeyRuntime } from '../support/environment.ts';
import { lambdaContext, signedEvent } from '../support/events.ts';

const clock = journeyRuntime.clock;
const zones = { ny: 'America/New_York', kyiv: 'Europe/Kyiv', tokyo: 'Asia/Tokyo' } as const;
type Zone = keyof typeof zones;

/** The runs, in the order the virtual clock meets them; each customer id is fixed, so is its minute. */
const runs = [
  { name: 'EU clocks go back', start: '2026-10-25T00:30:00.000Z' },
  { name: 'US clocks go back', start: '2026-11-01T12:30:00.000Z' },
  { name: 'a winter evening', start: '2027-01-11T20:59:00.000Z' },
  { name: 'US clocks go forward', start: '2027-03-14T12:30:00.000Z' },
  { name: 'EU clocks go forward', start: '2027-03-28T00:30:00.000Z' },
] as const;

const customerId = (run: number, zone: Zone) => `instants-${run}-${zone}`;

/**
 * What each customer is sent, "journey/step sent-at (local time)", by "<run>-<zone>". Thank-you:
 * at once, even in quiet hours (an order message). Feedback with complements, upsell, offer: 7, 30 and 90 days
 * after the order. Win-back: the nightly sweep (02:00 UTC) 60 days after the order, the SMS 7 days
 * later, the manager's call task (never held by quiet hours) 7 days after that.
 */
const expected: Record<string, string[]> = {
  '0-ny': [
    'post-purchase/thank-you 2026-10-25T00:30:00.000Z (2026-10-24 20:30)',
    'post-purchase/feedback 2026-11-01T00:30:00.000Z (2026-10-31 20:30)',
    'post-purchase/content 2026-11-24T00:30:00.000Z (2026-11-23 19:30)',
    'win-back/miss-you-email 2026-12-24T14:47:00.000Z (2026-12-24 09:47)',
    'win-back/reminder-sms 2026-12-31T14:47:00.000Z (2026-12-31 09:47)',
    'win-back/manager-call 2027-01-07T02:00:00.000Z (2027-01-06 21:00)',
    'post-purchase/offer 2027-01-23T00:30:00.000Z (2027-01-22 19:30)',
  ],
  '0-kyiv': [
    'post-purchase/thank-you 2026-10-25T00:30:00.000Z (2026-10-25 03:30)',
    'post-purchase/feedback 2026-11-01T07:05:00.000Z (2026-11-01 09:05)',
    'post-purchase/content 2026-11-24T07:05:00.000Z (2026-11-24 09:05)',
    'win-back/miss-you-email 2026-12-24T07:05:00.000Z (2026-12-24 09:05)',
    'win-back/reminder-sms 2026-12-31T07:05:00.000Z (2026-12-31 09:05)',
    'win-back/manager-call 2027-01-07T02:00:00.000Z (2027-01-07 04:00)',
    'post-purchase/offer 2027-01-23T07:05:00.000Z (2027-01-23 09:05)',
  ],
  '0-tokyo': [
    'post-purchase/thank-you 2026-10-25T00:30:00.000Z (2026-10-25 09:30)',
    'post-purchase/feedback 2026-11-01T00:30:00.000Z (2026-11-01 09:30)',
    'post-purchase/content 2026-11-24T00:30:00.000Z (2026-11-24 09:30)',
    'win-back/miss-you-email 2026-12-24T02:00:00.000Z (2026-12-24 11:00)',
    'win-back/reminder-sms 2026-12-31T02:00:00.000Z (2026-12-31 11:00)',
    'win-back/manager-call 2027-01-07T02:00:00.000Z (2027-01-07 11:00)',
    'post-purchase/offer 2027-01-23T00:30:00.000Z (2027-01-23 09:30)',
  ],
  '1-ny': [
    'post-purchase/thank-you 2026-11-01T12:30:00.000Z (2026-11-01 07:30)',
    'post-purchase/feedback 2026-11-08T14:15:00.000Z (2026-11-08 09:15)',
    'post-purchase/content 2026-12-01T14:15:00.000Z (2026-12-01 09:15)',
    'win-back/miss-you-email 2026-12-31T14:15:00.000Z (2026-12-31 09:15)',
    'win-back/reminder-sms 2027-01-07T14:15:00.000Z (2027-01-07 09:15)',
    'win-back/manager-call 2027-01-14T02:00:00.000Z (2027-01-13 21:00)',
    'post-purchase/offer 2027-01-30T14:15:00.000Z (2027-01-30 09:15)',
  ],
  '1-kyiv': [
    'post-purchase/thank-you 2026-11-01T12:30:00.000Z (2026-11-01 14:30)',
    'post-purchase/feedback 2026-11-08T12:30:00.000Z (2026-11-08 14:30)',
    'post-purchase/content 2026-12-01T12:30:00.000Z (2026-12-01 14:30)',
    'win-back/miss-you-email 2026-12-31T07:17:00.000Z (2026-12-31 09:17)',
    'win-back/reminder-sms 2027-01-07T07:17:00.000Z (2027-01-07 09:17)',
    'win-back/manager-call 2027-01-14T02:00:00.000Z (2027-01-14 04:00)',
    'post-purchase/offer 2027-01-30T12:30:00.000Z (2027-01-30 14:30)',
  ],
  '1-tokyo': [
    'post-purchase/thank-you 2026-11-01T12:30:00.000Z (2026-11-01 21:30)',
    'post-purchase/feedback 2026-11-09T00:36:00.000Z (2026-11-09 09:36)',
    'post-purchase/content 2026-12-02T00:36:00.000Z (2026-12-02 09:36)',
    'win-back/miss-you-email 2026-12-31T02:00:00.000Z (2026-12-31 11:00)',
    'win-back/reminder-sms 2027-01-07T02:00:00.000Z (2027-01-07 11:00)',
    'win-back/manager-call 2027-01-14T02:00:00.000Z (2027-01-14 11:00)',
    'post-purchase/offer 2027-01-31T00:36:00.000Z (2027-01-31 09:36)',
  ],
  '2-ny': [
    'post-purchase/thank-you 2027-01-11T20:59:00.000Z (2027-01-11 15:59)',
    'post-purchase/feedback 2027-01-18T20:59:00.000Z (2027-01-18 15:59)',
    'post-purchase/content 2027-02-10T20:59:00.000Z (2027-02-10 15:59)',
    'win-back/miss-you-email 2027-03-12T14:45:00.000Z (2027-03-12 09:45)',
    'win-back/reminder-sms 2027-03-19T13:45:00.000Z (2027-03-19 09:45)',
    'win-back/manager-call 2027-03-26T02:00:00.000Z (2027-03-25 22:00)',
    'post-purchase/offer 2027-04-11T20:59:00.000Z (2027-04-11 16:59)',
  ],
  '2-kyiv': [
    'post-purchase/thank-you 2027-01-11T20:59:00.000Z (2027-01-11 22:59)',
    'post-purchase/feedback 2027-01-19T07:36:00.000Z (2027-01-19 09:36)',
    'post-purchase/content 2027-02-11T07:36:00.000Z (2027-02-11 09:36)',
    'win-back/miss-you-email 2027-03-12T07:36:00.000Z (2027-03-12 09:36)',
    'win-back/reminder-sms 2027-03-19T07:36:00.000Z (2027-03-19 09:36)',
    'win-back/manager-call 2027-03-26T02:00:00.000Z (2027-03-26 04:00)',
    'post-purchase/offer 2027-04-12T06:36:00.000Z (2027-04-12 09:36)',
  ],
  '2-tokyo': [
    'post-purchase/thank-you 2027-01-11T20:59:00.000Z (2027-01-12 05:59)',
    'post-purchase/feedback 2027-01-19T00:30:00.000Z (2027-01-19 09:30)',
    'post-purchase/content 2027-02-11T00:30:00.000Z (2027-02-11 09:30)',
    'win-back/miss-you-email 2027-03-12T02:00:00.000Z (2027-03-12 11:00)',
    'win-back/reminder-sms 2027-03-19T02:00:00.000Z (2027-03-19 11:00)',
    'win-back/manager-call 2027-03-26T02:00:00.000Z (2027-03-26 11:00)',
    'post-purchase/offer 2027-04-12T00:30:00.000Z (2027-04-12 09:30)',
  ],
  '3-ny': [
    'post-purchase/thank-you 2027-03-14T12:30:00.000Z (2027-03-14 08:30)',
    'post-purchase/feedback 2027-03-21T13:29:00.000Z (2027-03-21 09:29)',
    'post-purchase/content 2027-04-13T13:29:00.000Z (2027-04-13 09:29)',
    'win-back/miss-you-email 2027-05-13T13:29:00.000Z (2027-05-13 09:29)',
    'win-back/reminder-sms 2027-05-20T13:29:00.000Z (2027-05-20 09:29)',
    'win-back/manager-call 2027-05-27T02:00:00.000Z (2027-05-26 22:00)',
    'post-purchase/offer 2027-06-12T13:29:00.000Z (2027-06-12 09:29)',
  ],
  '3-kyiv': [
    'post-purchase/thank-you 2027-03-14T12:30:00.000Z (2027-03-14 14:30)',
    'post-purchase/feedback 2027-03-21T12:30:00.000Z (2027-03-21 14:30)',
    'post-purchase/content 2027-04-13T12:30:00.000Z (2027-04-13 15:30)',
    'win-back/miss-you-email 2027-05-13T06:12:00.000Z (2027-05-13 09:12)',
    'win-back/reminder-sms 2027-05-20T06:12:00.000Z (2027-05-20 09:12)',
    'win-back/manager-call 2027-05-27T02:00:00.000Z (2027-05-27 05:00)',
    'post-purchase/offer 2027-06-12T12:30:00.000Z (2027-06-12 15:30)',
  ],
  '3-tokyo': [
    'post-purchase/thank-you 2027-03-14T12:30:00.000Z (2027-03-14 21:30)',
    'post-purchase/feedback 2027-03-22T00:12:00.000Z (2027-03-22 09:12)',
    'post-purchase/content 2027-04-14T00:12:00.000Z (2027-04-14 09:12)',
    'win-back/miss-you-email 2027-05-13T02:00:00.000Z (2027-05-13 11:00)',
    'win-back/reminder-sms 2027-05-20T02:00:00.000Z (2027-05-20 11:00)',
    'win-back/manager-call 2027-05-27T02:00:00.000Z (2027-05-27 11:00)',
    'post-purchase/offer 2027-06-13T00:12:00.000Z (2027-06-13 09:12)',
  ],
  '4-ny': [
    'post-purchase/thank-you 2027-03-28T00:30:00.000Z (2027-03-27 20:30)',
    'post-purchase/feedback 2027-04-04T00:30:00.000Z (2027-04-03 20:30)',
    'post-purchase/content 2027-04-27T00:30:00.000Z (2027-04-26 20:30)',
    'win-back/miss-you-email 2027-05-27T13:18:00.000Z (2027-05-27 09:18)',
    'win-back/reminder-sms 2027-06-03T13:18:00.000Z (2027-06-03 09:18)',
    'win-back/manager-call 2027-06-10T02:00:00.000Z (2027-06-09 22:00)',
    'post-purchase/offer 2027-06-26T00:30:00.000Z (2027-06-25 20:30)',
  ],
  '4-kyiv': [
    'post-purchase/thank-you 2027-03-28T00:30:00.000Z (2027-03-28 02:30)',
    'post-purchase/feedback 2027-04-04T06:22:00.000Z (2027-04-04 09:22)',
    'post-purchase/content 2027-04-27T06:22:00.000Z (2027-04-27 09:22)',
    'win-back/miss-you-email 2027-05-27T06:22:00.000Z (2027-05-27 09:22)',
    'win-back/reminder-sms 2027-06-03T06:22:00.000Z (2027-06-03 09:22)',
    'win-back/manager-call 2027-06-10T02:00:00.000Z (2027-06-10 05:00)',
    'post-purchase/offer 2027-06-26T06:22:00.000Z (2027-06-26 09:22)',
  ],
  '4-tokyo': [
    'post-purchase/thank-you 2027-03-28T00:30:00.000Z (2027-03-28 09:30)',
    'post-purchase/feedback 2027-04-04T00:30:00.000Z (2027-04-04 09:30)',
    'post-purchase/content 2027-04-27T00:30:00.000Z (2027-04-27 09:30)',
    'win-back/miss-you-email 2027-05-27T02:00:00.000Z (2027-05-27 11:00)',
    'win-back/reminder-sms 2027-06-03T02:00:00.000Z (2027-06-03 11:00)',
    'win-back/manager-call 2027-06-10T02:00:00.000Z (2027-06-10 11:00)',
    'post-purchase/offer 2027-06-26T00:30:00.000Z (2027-06-26 09:30)',
  ],
};

async function buy(run: number, zone: Zone, at: Date) {
  const payload = {
    orderId: `instants-order-${run}-${zone}`,
    placedAt: at.toISOString(),
    currency: 'USD',
    total: '54.97',
    customer: { id: customerId(run, zone), email: `${zone}@example.com`, phone: '+15555550123', name: 'Ada', timezone: zones[zone], consent: { email: true, sms: true } },
    items: [{ sku: 'DOG-FOOD', name: 'Dog food', category: 'pet-food', quantity: 1, unitPrice: '54.97' }],
  };
  expect((await recordPurchase(signedEvent('/v1/purchases', payload), lambdaContext)).statusCode).toBe(202);
}

/** "journey/step sent-at (local time)" for every message sent to the customer, in time order. */
async function sentInstants(id: string, zone: Zone): Promise<string[]> {
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: zones[zone], year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (await outbox(id)).filter((item) => item.status === 'sent').map((item) => `${item.journey}/${item.step} ${item.at} (${local.format(new Date(item.at))})`);
}

describe('journey messages from fixed instants, in three time zones', () => {
  it('go out when due, or at 09:00 local plus the customer’s minute when due in quiet hours', async () => {
    const seen: Record<string, string[]> = {};
    for (const [index, run] of runs.entries()) {
      await journeyRuntime.setClock(new Date(run.start), async () => false);
      for (const zone of Object.keys(zones) as Zone[]) await buy(index, zone, clock.now());
    }
    // The last run's offer (day 90) and every win-back call (day 74 and more) are behind us by then.
    await journeyRuntime.setClock(new Date('2027-07-01T00:00:00.000Z'), async () => false);
    for (const [index] of runs.entries()) {
      for (const zone of Object.keys(zones) as Zone[]) seen[customerId(index, zone)] = (await sentInstants(customerId(index, zone), zone)).filter((line) => !line.startsWith('check-in/'));
    }
    expect(seen).toEqual(Object.fromEntries(Object.entries(expected).map(([key, lines]) => [`instants-${key}`, lines])));
    // No marketing message goes out in the customer's quiet hours; order messages and call tasks may.
    for (const line of Object.values(seen).flat()) {
      const [, at, local] = /^\S+ (\S+) \(\S+ (\d\d:\d\d)\)$/.exec(line) ?? [];
      if (!at || !local) throw new Error(`unreadable line ${line}`);
      const dueInQuietHours = !line.includes('/thank-you ') && !line.includes('/manager-call ') && (local < '09:00' || local >= '21:00');
      expect(dueInQuietHours, line).toBe(false);
    }
    // Alone it takes half a minute; beside the suite's browsers, host processes and bundling, whole
    // runs have seen it take over five.
  }, 600_000);
});
