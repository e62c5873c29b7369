/**
 * The delivery guardrails on hand-computed cases. Times are UTC unless the customer's zone is
 * named; Kyiv is UTC+2 in winter and UTC+3 in summer (DST 29 March and 25 October 2026),
 * Los Angeles UTC-8 / UTC-7 (DST 8 March and 1 November 2026).
 *
 * A deferred message wakes at its slot plus its customer's offset: cust-1 (the fixtures' customer)
 * wakes 59 minutes after a slot, cust-2 39, cust-3 6 and cust-4 16.
 */
import { describe, expect, it } from 'vitest';
import { decideDelivery, defaultDeliveryPolicy, nextFreeSlot, wakeOffsetMs } from '../../../functions/core/delivery/guardrails.ts';
import { instantAt, isQuietTime, quietHoursEnd, zoneOffsetMs } from '../../../functions/core/delivery/zoned-time.ts';
import type { JourneyName } from '../../../functions/core/delivery/types.ts';
import { contact, intent, logEntry } from './fixtures.ts';

const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;
const noon = at('2026-05-08T12:00:00.000Z');

describe('opt-out, bounces and consent', () => {
  const journeys: [JourneyName, number][] = [
    ['win-back', 1],
    ['post-purchase', 2],
    ['loyalty-invite', 3],
  ];

  it.each(journeys)('an opted-out customer never gets a marketing email from %s, consent or not', (journey, priority) => {
    const optedOut = contact({ consent: { email: true, sms: true } }, { email: { optedOutAt: '2026-05-01T08:00:00.000Z' } });

    const decision = decideDelivery(intent({ journey, priority }), optedOut, [], noon);

    expect(decision).toEqual({ kind: 'suppress', reason: 'the customer unsubscribed from email on 2026-05-01T08:00:00.000Z' });
  });

  it('an SMS opt-out suppresses marketing SMS but leaves email alone', () => {
    const optedOut = contact({}, { sms: { optedOutAt: '2026-05-01T08:00:00.000Z' } });

    expect(decideDelivery(intent({ channel: 'sms', template: 'win-back-sms' }), optedOut, [], noon).kind).toBe('suppress');
    expect(decideDelivery(intent(), optedOut, [], noon)).toEqual({ kind: 'send' });
  });

  it('opt-out wins even when there is nothing else in the way and the SMS has no phone', () => {
    const decision = decideDelivery(intent({ channel: 'sms' }), contact({ phone: undefined }, { sms: { optedOutAt: '2026-05-01T08:00:00.000Z' } }), [], noon);

    expect(decision.kind).toBe('suppress');
  });

  it('the transactional thank-you ignores the marketing opt-out and needs no consent', () => {
    const thankYou = intent({ journey: 'post-purchase', step: 'thank-you', template: 'post-purchase-thank-you', marketing: false, priority: 2 });
    const optedOut = contact({ consent: {} }, { email: { optedOutAt: '2026-05-01T08:00:00.000Z' } });

    expect(decideDelivery(thankYou, optedOut, [], noon)).toEqual({ kind: 'send' });
  });

  it.each(['bounce', 'complaint'] as const)('nothing, not even the thank-you, goes to an address after a %s', (kind) => {
    const thankYou = intent({ template: 'post-purchase-thank-you', marketing: false });
    const suppressed = contact({}, { email: { suppressed: kind, suppressedAt: '2026-05-02T08:00:00.000Z' } });

    expect(decideDelivery(thankYou, suppressed, [], noon)).toEqual({ kind: 'suppress', reason: `email is suppressed after a ${kind}` });
    expect(decideDelivery(intent(), suppressed, [], noon).kind).toBe('suppress');
  });

  it.each([{}, { email: false }, { sms: true }])('marketing email needs email consent (consent %j)', (consent) => {
    expect(decideDelivery(intent(), contact({ consent }), [], noon)).toEqual({ kind: 'suppress', reason: 'no marketing consent for email' });
  });

  it('marketing SMS needs SMS consent, email consent is not enough', () => {
    const decision = decideDelivery(intent({ channel: 'sms' }), contact({ consent: { email: true } }), [], noon);

    expect(decision).toEqual({ kind: 'suppress', reason: 'no marketing consent for sms' });
  });
});

describe('channel fallback', () => {
  it('skips SMS when there is no phone, so the journey escalates', () => {
    expect(decideDelivery(intent({ channel: 'sms' }), contact({ phone: undefined }), [], noon)).toEqual({ kind: 'skip', reason: 'no phone number for SMS' });
  });

  it('skips email when there is no address, even for the thank-you', () => {
    expect(decideDelivery(intent({ marketing: false }), contact({ email: undefined }), [], noon)).toEqual({ kind: 'skip', reason: 'no email address' });
  });
});

describe('tasks', () => {
  it('are exempt from consent, opt-out, the cap and quiet hours', () => {
    const call = intent({ channel: 'task', template: 'win-back-call', marketing: true, priority: 1 });
    const unreachable = contact(
      { consent: {}, email: undefined, phone: undefined, timezone: 'Europe/Kyiv' },
      { email: { optedOutAt: '2026-05-01T08:00:00.000Z' }, sms: { suppressed: 'complaint' } },
    );
    const busy = ['2026-05-07T10:00:00.000Z', '2026-05-07T11:00:00.000Z', '2026-05-07T12:00:00.000Z'].map((sentAt, index) => logEntry({ messageId: `m${index}`, at: sentAt }));

    // 23:30 in Kyiv.
    expect(decideDelivery(call, unreachable, busy, at('2026-05-07T20:30:00.000Z'))).toEqual({ kind: 'send' });
  });

  it('do not count against the marketing cap', () => {
    const log = [
      logEntry({ messageId: 'call', at: '2026-05-07T10:00:00.000Z', channel: 'task', marketing: true }),
      logEntry({ messageId: 'offer', at: '2026-05-07T11:00:00.000Z' }),
    ];

    expect(decideDelivery(intent(), contact(), log, noon)).toEqual({ kind: 'send' });
  });
});

describe('frequency cap: 2 marketing messages per rolling 7 days', () => {
  const twoSent = [
    logEntry({ messageId: 'pp.offer', at: '2026-05-04T10:00:00.000Z' }),
    logEntry({ messageId: 'loyalty.email', at: '2026-05-06T15:30:00.000Z', journey: 'loyalty-invite', priority: 3 }),
  ];

  it('defers the third message to the exact moment the oldest leaves the window', () => {
    const decision = decideDelivery(intent(), contact(), twoSent, noon);

    expect(decision).toEqual({
      kind: 'defer',
      status: 'capped',
      slot: at('2026-05-11T10:00:00.000Z'),
      until: at('2026-05-11T10:59:00.000Z'),
      reason: 'frequency cap: at most 2 marketing messages per 7 days; next free slot 2026-05-11T10:00:00.000Z',
    });
  });

  it('sends at that moment and not a millisecond before', () => {
    expect(decideDelivery(intent(), contact(), twoSent, at('2026-05-11T10:00:00.000Z'))).toEqual({ kind: 'send' });
    const early = decideDelivery(intent(), contact(), twoSent, at('2026-05-11T09:59:59.999Z'));
    expect(early).toMatchObject({ kind: 'defer', status: 'capped', slot: at('2026-05-11T10:00:00.000Z'), until: at('2026-05-11T10:59:00.000Z') });
  });

  it('counts across journeys but not the transactional thank-you, deferred attempts or failures', () => {
    const log = [
      logEntry({ messageId: 'pp.thank-you', at: '2026-05-07T10:00:00.000Z', marketing: false }),
      logEntry({ messageId: 'pp.offer', at: '2026-05-07T10:05:00.000Z', status: 'capped', deferredUntil: '2026-05-06T10:00:00.000Z' }),
      logEntry({ messageId: 'loyalty.email', at: '2026-05-07T11:00:00.000Z', status: 'failed' }),
      logEntry({ messageId: 'loyalty.email', at: '2026-05-07T11:01:00.000Z', status: 'suppressed' }),
      logEntry({ messageId: 'wb.email', at: '2026-05-07T12:00:00.000Z', journey: 'win-back', priority: 1 }),
    ];

    expect(decideDelivery(intent({ messageId: 'wb2.email' }), contact(), log, noon)).toEqual({ kind: 'send' });
  });

  it('does not count the message against itself when a retry finds it logged', () => {
    const log = [twoSent[0]!, logEntry({ messageId: 'entry-1.email', at: '2026-05-08T11:59:00.000Z' })];

    expect(decideDelivery(intent(), contact(), log, noon)).toEqual({ kind: 'send' });
  });

  it('leaves a cap slot that falls in quiet hours until the morning', () => {
    const kyiv = contact({ timezone: 'Europe/Kyiv' });
    // The oldest was sent at 22:30 Kyiv time; its slot frees at 22:30 on 11 May, quiet until 09:00 on 12 May (06:00Z).
    const log = [
      logEntry({ messageId: 'a', at: '2026-05-04T19:30:00.000Z' }),
      logEntry({ messageId: 'b', at: '2026-05-05T10:00:00.000Z' }),
    ];

    expect(decideDelivery(intent(), kyiv, log, noon)).toMatchObject({ kind: 'defer', status: 'capped', slot: at('2026-05-12T06:00:00.000Z'), until: at('2026-05-12T06:59:00.000Z') });
  });
});

describe('priority between competing messages', () => {
  // Two marketing messages sent; the cap frees at 11 May 10:00, then at 12 May 10:00.
  const sent = [logEntry({ messageId: 'pp.offer', at: '2026-05-04T10:00:00.000Z' }), logEntry({ messageId: 'pp.content', at: '2026-05-05T10:00:00.000Z' })];
  const loyalty = intent({ messageId: 'loyalty.email', journey: 'loyalty-invite', template: 'loyalty-invite', priority: 3 });
  const winBack = intent({ messageId: 'wb.email', journey: 'win-back', priority: 1 });
  const loyaltyWaiting = logEntry({
    messageId: 'loyalty.email',
    journey: 'loyalty-invite',
    priority: 3,
    at: '2026-05-06T12:00:00.000Z',
    status: 'capped',
    deferredUntil: '2026-05-11T10:00:00.000Z',
  });
  const winBackWaiting = logEntry({
    messageId: 'wb.email',
    journey: 'win-back',
    priority: 1,
    at: '2026-05-07T12:00:00.000Z',
    status: 'capped',
    deferredUntil: '2026-05-11T10:00:00.000Z',
  });

  it('a waiting lower-priority message does not hold back a higher-priority one', () => {
    const decision = decideDelivery(winBack, contact(), [...sent, loyaltyWaiting], at('2026-05-07T12:00:00.000Z'));

    expect(decision).toMatchObject({ kind: 'defer', status: 'capped', slot: at('2026-05-11T10:00:00.000Z') });
  });

  it('when both wake up for the same slot, the higher priority gets it and the lower one the next', () => {
    const log = [...sent, loyaltyWaiting, winBackWaiting];
    const slot = at('2026-05-11T10:00:00.000Z');

    expect(decideDelivery(loyalty, contact(), log, slot)).toMatchObject({ kind: 'defer', status: 'capped', slot: at('2026-05-12T10:00:00.000Z') });
    expect(decideDelivery(winBack, contact(), log, slot)).toEqual({ kind: 'send' });
  });

  it('after the higher one is sent, the lower one gets the next slot and then goes', () => {
    const log = [
      ...sent,
      loyaltyWaiting,
      winBackWaiting,
      { ...loyaltyWaiting, at: '2026-05-11T10:00:00.000Z', deferredUntil: '2026-05-12T10:00:00.000Z' },
      logEntry({ messageId: 'wb.email', journey: 'win-back', priority: 1, at: '2026-05-11T10:00:01.000Z' }),
    ];

    expect(decideDelivery(loyalty, contact(), log, at('2026-05-12T10:00:00.000Z'))).toEqual({ kind: 'send' });
  });

  it('a lower-priority message must not take the free slot a higher-priority one is waiting for', () => {
    // One slot is free; the win-back email waits for the end of quiet hours (09:00) to take it.
    const log = [
      logEntry({ messageId: 'pp.offer', at: '2026-05-04T10:00:00.000Z' }),
      logEntry({ messageId: 'wb.email', journey: 'win-back', priority: 1, at: '2026-05-07T22:30:00.000Z', status: 'deferred', deferredUntil: '2026-05-08T09:00:00.000Z' }),
    ];

    const decision = decideDelivery(loyalty, contact(), log, at('2026-05-08T08:59:00.000Z'));

    // Without the waiting win-back it would be 'deferred' to 09:00; with it, the next slot is when pp.offer leaves.
    expect(decision).toMatchObject({ kind: 'defer', status: 'capped', slot: at('2026-05-11T10:00:00.000Z') });
  });

  it('between equal priorities, the one that asked first goes first', () => {
    const first = logEntry({ messageId: 'pp-a.offer', at: '2026-05-06T12:00:00.000Z', status: 'capped', deferredUntil: '2026-05-11T10:00:00.000Z' });
    const second = logEntry({ messageId: 'pp-b.offer', at: '2026-05-07T12:00:00.000Z', status: 'capped', deferredUntil: '2026-05-11T10:00:00.000Z' });
    const slot = at('2026-05-11T10:00:00.000Z');
    const log = [...sent, first, second];

    expect(decideDelivery(intent({ messageId: 'pp-b.offer', priority: 2 }), contact(), log, slot)).toMatchObject({ kind: 'defer', slot: at('2026-05-12T10:00:00.000Z') });
    expect(decideDelivery(intent({ messageId: 'pp-a.offer', priority: 2 }), contact(), log, slot)).toEqual({ kind: 'send' });
  });

  it('a waiting message abandoned more than a day past its slot holds nothing', () => {
    const abandoned = { ...winBackWaiting, deferredUntil: '2026-05-06T10:00:00.000Z' };

    expect(decideDelivery(loyalty, contact(), [sent[1]!, abandoned], at('2026-05-07T10:00:01.000Z'))).toEqual({ kind: 'send' });
  });
});

describe('quiet hours 21:00-09:00 in the customer zone', () => {
  const cases: [string, string, string, string, string][] = [
    // zone, now, what the wall clock shows, when the message may go (09:00 there), when cust-1 wakes (59 minutes later)
    ['Europe/Kyiv', '2026-01-15T21:30:00.000Z', '23:30 before midnight', '2026-01-16T07:00:00.000Z', '2026-01-16T07:59:00.000Z'],
    ['Europe/Kyiv', '2026-01-15T23:30:00.000Z', '01:30 after midnight', '2026-01-16T07:00:00.000Z', '2026-01-16T07:59:00.000Z'],
    ['Europe/Kyiv', '2026-03-28T20:00:00.000Z', '22:00 EET, 09:00 is EEST after spring-forward', '2026-03-29T06:00:00.000Z', '2026-03-29T06:59:00.000Z'],
    ['Europe/Kyiv', '2026-10-24T19:00:00.000Z', '22:00 EEST, 09:00 is EET after fall-back', '2026-10-25T07:00:00.000Z', '2026-10-25T07:59:00.000Z'],
    ['America/Los_Angeles', '2026-01-16T06:30:00.000Z', '22:30 PST the day before', '2026-01-16T17:00:00.000Z', '2026-01-16T17:59:00.000Z'],
    ['America/Los_Angeles', '2026-01-16T09:00:00.000Z', '01:00 PST after midnight', '2026-01-16T17:00:00.000Z', '2026-01-16T17:59:00.000Z'],
    ['America/Los_Angeles', '2026-03-08T06:00:00.000Z', '22:00 PST, 09:00 is PDT after spring-forward', '2026-03-08T16:00:00.000Z', '2026-03-08T16:59:00.000Z'],
    ['America/Los_Angeles', '2026-11-01T05:00:00.000Z', '22:00 PDT, 09:00 is PST after fall-back', '2026-11-01T17:00:00.000Z', '2026-11-01T17:59:00.000Z'],
    ['Asia/Kolkata', '2026-01-15T16:00:00.000Z', '21:30 IST, a half-hour zone', '2026-01-16T03:30:00.000Z', '2026-01-16T04:29:00.000Z'],
    ['Mars/Olympus_Mons', '2026-01-15T22:00:00.000Z', 'unknown zone: UTC', '2026-01-16T09:00:00.000Z', '2026-01-16T09:59:00.000Z'],
  ];

  it.each(cases)('%s at %s (%s) may go at %s and wakes at %s', (timezone, now, _wall, slot, until) => {
    const decision = decideDelivery(intent(), contact({ timezone }), [], at(now));

    expect(decision).toEqual({ kind: 'defer', status: 'deferred', slot: at(slot), until: at(until), reason: `quiet hours 21:00-09:00 in ${timezone.startsWith('Mars') ? 'UTC' : timezone}` });
  });

  it.each(cases)('%s at %s (%s): at its wake the message goes', (timezone, now, _wall, _slot, until) => {
    const decision = decideDelivery(intent(), contact({ timezone }), [], at(now));

    expect(decision.kind).toBe('defer');
    expect(decideDelivery(intent(), contact({ timezone }), [], at(until))).toEqual({ kind: 'send' });
  });

  it('uses UTC when the zone is unknown', () => {
    expect(decideDelivery(intent(), contact({ timezone: undefined }), [], at('2026-01-15T08:59:00.000Z'))).toMatchObject({ slot: at('2026-01-15T09:00:00.000Z'), until: at('2026-01-15T09:59:00.000Z') });
  });

  it('sends from 09:00 to 20:59 local time', () => {
    const kyiv = contact({ timezone: 'Europe/Kyiv' });
    expect(decideDelivery(intent(), kyiv, [], at('2026-01-15T07:00:00.000Z'))).toEqual({ kind: 'send' }); // 09:00
    expect(decideDelivery(intent(), kyiv, [], at('2026-01-15T18:59:59.000Z'))).toEqual({ kind: 'send' }); // 20:59:59
    expect(decideDelivery(intent(), kyiv, [], at('2026-01-15T19:00:00.000Z')).kind).toBe('defer'); // 21:00
  });

  it('does not hold back the transactional thank-you', () => {
    const thankYou = intent({ marketing: false, template: 'post-purchase-thank-you' });
    expect(decideDelivery(thankYou, contact({ timezone: 'Europe/Kyiv' }), [], at('2026-01-15T23:30:00.000Z'))).toEqual({ kind: 'send' });
  });
});

describe('wakes spread over the hour after the slot', () => {
  const kyiv = (customerId: string) => contact({ customerId, timezone: 'Europe/Kyiv' });

  it.each([
    // customer, when they wake after quiet hours end at 09:00 in Kyiv (07:00Z in January)
    ['cust-1', '2026-01-16T07:59:00.000Z'],
    ['cust-2', '2026-01-16T07:39:00.000Z'],
    ['cust-3', '2026-01-16T07:06:00.000Z'],
    ['cust-4', '2026-01-16T07:16:00.000Z'],
  ])('%s wakes at %s, the same offset for every message of theirs', (customerId, until) => {
    const decision = decideDelivery(intent(), kyiv(customerId), [], at('2026-01-15T21:30:00.000Z'));
    const another = decideDelivery(intent({ messageId: 'other', journey: 'loyalty', priority: 3 }), kyiv(customerId), [], at('2026-01-16T01:00:00.000Z'));

    expect(decision).toMatchObject({ slot: at('2026-01-16T07:00:00.000Z'), until: at(until) });
    expect(another).toMatchObject({ until: at(until) });
  });

  it('spreads the cap slot too', () => {
    const log = [logEntry({ messageId: 'a', at: '2026-05-04T10:00:00.000Z' }), logEntry({ messageId: 'b', at: '2026-05-05T10:00:00.000Z' })];

    expect(decideDelivery(intent(), contact({ customerId: 'cust-3' }), log, noon)).toMatchObject({ status: 'capped', slot: at('2026-05-11T10:00:00.000Z'), until: at('2026-05-11T10:06:00.000Z') });
  });

  it.each([
    // customer (offset), when they wake: the offset fits in the 30 minutes before 21:00, or is scaled into them
    ['cust-3', '2026-05-11T20:36:00.000Z'],
    ['cust-2', '2026-05-11T20:49:30.000Z'],
    ['cust-1', '2026-05-11T20:59:30.000Z'],
  ])('keeps %s inside the allowed hours when the slot is 20:30, and wakes at %s', (customerId, until) => {
    // The oldest message leaves the window at 20:30 UTC, half an hour before quiet hours in UTC.
    const log = [logEntry({ messageId: 'a', at: '2026-05-04T20:30:00.000Z' }), logEntry({ messageId: 'b', at: '2026-05-05T10:00:00.000Z' })];
    const customer = contact({ customerId });

    const decision = decideDelivery(intent(), customer, log, noon);

    expect(decision).toMatchObject({ kind: 'defer', status: 'capped', slot: at('2026-05-11T20:30:00.000Z'), until: at(until) });
    expect(decideDelivery(intent(), customer, log, at(until))).toEqual({ kind: 'send' });
  });

  it('wakes a message a periodic run picks up at the slot itself', () => {
    const decision = decideDelivery(intent({ wake: 'slot' }), kyiv('cust-1'), [], at('2026-01-15T21:30:00.000Z'));

    expect(decision).toMatchObject({ slot: at('2026-01-16T07:00:00.000Z'), until: at('2026-01-16T07:00:00.000Z') });
  });

  it('wakes at the slot itself when the policy spreads nothing', () => {
    const decision = decideDelivery(intent(), kyiv('cust-1'), [], at('2026-01-15T21:30:00.000Z'), { ...defaultDeliveryPolicy, wakeSpreadMs: 0 });

    expect(decision).toMatchObject({ slot: at('2026-01-16T07:00:00.000Z'), until: at('2026-01-16T07:00:00.000Z') });
  });

  it('gives customers offsets in whole minutes across the hour', () => {
    const offsets = Array.from({ length: 6000 }, (_, index) => wakeOffsetMs(`customer-${index}`, 3_600_000));
    const perMinute = Array.from({ length: 60 }, (_, minute) => offsets.filter((offset) => offset === minute * 60_000).length);

    expect(offsets.every((offset) => offset % 60_000 === 0 && offset >= 0 && offset < 3_600_000)).toBe(true);
    expect(Math.min(...perMinute)).toBeGreaterThan(50);
    expect(Math.max(...perMinute)).toBeLessThan(150);
  });
});

describe('zone arithmetic', () => {
  it('reads offsets from the platform time-zone data', () => {
    expect(zoneOffsetMs(at('2026-01-15T12:00:00Z'), 'Europe/Kyiv')).toBe(2 * 3_600_000);
    expect(zoneOffsetMs(at('2026-07-15T12:00:00Z'), 'Europe/Kyiv')).toBe(3 * 3_600_000);
    expect(zoneOffsetMs(at('2026-07-15T12:00:00Z'), 'America/Los_Angeles')).toBe(-7 * 3_600_000);
  });

  it('resolves a wall time skipped by spring-forward to just after the gap', () => {
    // 02:30 on 8 March 2026 does not exist in Los Angeles; 03:00 PDT is 10:00Z.
    expect(instantAt('America/Los_Angeles', 2026, 3, 8, 2, 30).toISOString()).toBe('2026-03-08T10:30:00.000Z');
    expect(instantAt('Europe/Kyiv', 2026, 12, 32, 9).toISOString()).toBe('2027-01-01T07:00:00.000Z');
  });

  it('treats a quiet period as wrapping midnight, or not', () => {
    expect(isQuietTime(at('2026-01-15T23:00:00Z'), 'UTC', { startHour: 21, endHour: 9 })).toBe(true);
    expect(isQuietTime(at('2026-01-15T13:00:00Z'), 'UTC', { startHour: 12, endHour: 14 })).toBe(true);
    expect(isQuietTime(at('2026-01-15T14:00:00Z'), 'UTC', { startHour: 12, endHour: 14 })).toBe(false);
    expect(quietHoursEnd(at('2026-01-15T13:00:00Z'), 'UTC', { startHour: 12, endHour: 14 }).toISOString()).toBe('2026-01-15T14:00:00.000Z');
  });
});

describe('nextFreeSlot', () => {
  const cap = defaultDeliveryPolicy.frequencyCap;
  const t = (iso: string) => Date.parse(iso);

  it('is now when the window has room', () => {
    expect(nextFreeSlot(t('2026-05-08T12:00:00Z'), [t('2026-05-04T10:00:00Z')], cap)).toBe(t('2026-05-08T12:00:00Z'));
  });

  it('is the moment enough messages have left the window', () => {
    const sent = ['2026-05-02T10:00:00Z', '2026-05-03T10:00:00Z', '2026-05-04T10:00:00Z'].map(t);
    // Three in the window (a lower cap earlier): two must leave before a third fits.
    expect(nextFreeSlot(t('2026-05-08T12:00:00Z'), sent, cap)).toBe(t('2026-05-10T10:00:00Z'));
  });

  it('keeps room for messages already placed later', () => {
    // One sent on 4 May, one placed for 9 May: sending on 8 May would make three by 9 May.
    const events = [t('2026-05-04T10:00:00Z'), t('2026-05-09T10:00:00Z')];
    expect(nextFreeSlot(t('2026-05-08T12:00:00Z'), events, cap)).toBe(t('2026-05-11T10:00:00Z'));
    expect(nextFreeSlot(t('2026-05-08T12:00:00Z'), [t('2026-05-09T10:00:00Z')], cap)).toBe(t('2026-05-08T12:00:00Z'));
    expect(t('2026-05-11T10:00:00Z') - t('2026-05-04T10:00:00Z')).toBe(7 * DAY);
  });
});
