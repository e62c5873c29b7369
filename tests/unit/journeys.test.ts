import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultDeliveryPolicy, wakeOffsetMs } from '../../functions/core/delivery/guardrails.ts';
import type { DeliveryOutcome, MessageIntent } from '../../functions/core/delivery/types.ts';
import { isHeldOut, offersDiscount, runJourneyStep, type JourneyStepPorts, type JourneyStore } from '../../functions/core/journey-engine.ts';
import {
  afterStep,
  checkInDueAt,
  convertsJourney,
  entryIdFor,
  journeys,
  parseJourney,
  reachesHoldout,
  stateMachineJourneys,
  stepDueAt,
  type JourneyEntry,
  type JourneyEntryRecord,
} from '../../functions/core/journeys.ts';
import type { RecordedOrder } from '../../functions/core/ledger.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';
import { testCatalog } from './catalog/fixtures.ts';

const entry = { enteredAt: '2026-03-01T10:00:00.000Z' };

describe('journey rules', () => {
  it('converts on any later order but the one that started the journey', () => {
    expect(convertsJourney({ ...entry, orderId: 'o1' }, { orderId: 'o2', placedAt: '2026-03-02T00:00:00.000Z' })).toBe(true);
    expect(convertsJourney({ ...entry, orderId: 'o1' }, { orderId: 'o1', placedAt: '2026-03-02T00:00:00.000Z' })).toBe(false);
    expect(convertsJourney(entry, { orderId: 'o0', placedAt: '2026-02-28T00:00:00.000Z' })).toBe(false);
    expect(convertsJourney(entry, { orderId: 'o0', placedAt: entry.enteredAt })).toBe(false);
  });

  it('names entries deterministically, within Step Functions limits, one per re-entry rule', () => {
    const guest = 'Guest.Buyer+tag@example.com';
    const names = [entryIdFor('post-purchase', guest, 'order-1'), entryIdFor('win-back', guest, '2026-01-05'), entryIdFor('loyalty-invite', guest, 'anything')];
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(entryIdFor('post-purchase', guest, 'order-1')).toBe(names[0]);
    expect(entryIdFor('post-purchase', guest, 'order-2')).not.toBe(names[0]);
    expect(entryIdFor('win-back', guest, '2026-01-05')).toBe(names[1]);
    expect(entryIdFor('win-back', guest, '2026-04-05')).not.toBe(names[1]);
    expect(entryIdFor('loyalty-invite', guest, 'other')).toBe(names[2]);
  });

  it('times steps from the entry, never in the past', () => {
    const feedback = journeys['post-purchase'].steps[1]!;
    expect(stepDueAt(entry, feedback).toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(afterStep('post-purchase', 0, entry, new Date('2026-03-01T10:05:00Z'), 'sent')).toEqual({ outcome: 'continue', step: 'feedback', at: '2026-03-08T10:00:00.000Z', reason: 'sent' });
    expect(afterStep('post-purchase', 0, entry, new Date('2026-03-09T00:00:00Z'), 'late').at).toBe('2026-03-09T00:00:00.000Z');
    expect(afterStep('win-back', 2, entry, new Date('2026-03-20T00:00:00Z'), 'sent')).toMatchObject({ outcome: 'done', step: 'manager-call' });
  });

  it("times a marketing step due in the customer's quiet hours to when a deferral would wake it, and order messages and call tasks when due", () => {
    const customer = { customerId: 'quiet-customer', timezone: 'Europe/Kyiv' };
    const late = { enteredAt: '2026-03-01T20:30:00.000Z' };
    // Due 2026-03-08 22:30 in Kyiv (quiet from 21:00): 09:00 there (07:00 UTC) plus the customer's minutes.
    expect(afterStep('post-purchase', 0, late, new Date(late.enteredAt), 'sent', customer)).toEqual({
      outcome: 'continue',
      step: 'feedback',
      at: new Date(Date.parse('2026-03-09T07:00:00.000Z') + wakeOffsetMs(customer.customerId, defaultDeliveryPolicy.wakeSpreadMs)).toISOString(),
      reason: 'sent',
    });
    // Due 2026-03-01 14:00 in Kyiv: at once.
    expect(afterStep('post-purchase', 0, entry, new Date(entry.enteredAt), 'sent', customer).at).toBe('2026-03-08T10:00:00.000Z');
    // The manager's call task is never held by quiet hours.
    expect(afterStep('win-back', 1, late, new Date(late.enteredAt), 'sent', customer)).toMatchObject({ step: 'manager-call', at: '2026-03-15T20:30:00.000Z' });
  });

  it('dates check-ins by calendar months', () => {
    expect([3, 6, 12].map((months) => checkInDueAt('2026-01-31T12:00:00.000Z', months).slice(0, 10))).toEqual(['2026-05-01', '2026-07-31', '2027-01-31']);
  });

  it('holds out a stable share of entrants', () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `entry-${index}`);
    const held = ids.filter((id) => isHeldOut(id, 0.1)).length;
    expect(held).toBeGreaterThan(900);
    expect(held).toBeLessThan(1100);
    expect(ids.filter((id) => isHeldOut(id, 0.1))).toEqual(ids.filter((id) => isHeldOut(id, 0.1)));
    expect(ids.some((id) => isHeldOut(id, 0))).toBe(false);
  });

  it('offers a discount in the 90-day offer and every win-back step only, and refuses unknown journeys', () => {
    const offering = Object.values(journeys).flatMap((journey) => journey.steps.filter((step) => offersDiscount(step.template)).map((step) => `${journey.name}.${step.name}`));
    expect(offering).toEqual(['post-purchase.offer', 'win-back.miss-you-email', 'win-back.reminder-sms', 'win-back.manager-call']);
    expect(() => parseJourney('check-in')).toThrow(/unknown journey/);
    expect(parseJourney('win-back')).toBe('win-back');
  });
});

/** A journey step on in-memory ports: one entry, one customer, and a delivery step that answers as told. */
function stepWorld(options: { holdout?: boolean; outcome?: DeliveryOutcome; now: string; orders?: Pick<RecordedOrder, 'orderId' | 'currency' | 'items'>[] }) {
  const entry: JourneyEntry = { journey: 'win-back', entryId: 'win-back-abc-20260101', customerId: 'cust-1', enteredAt: '2026-03-01T10:00:00.000Z' };
  const record: JourneyEntryRecord = { ...entry, status: 'active', holdout: options.holdout ?? false };
  const profile = { customerId: 'cust-1', lastOrderAt: '2026-01-01T10:00:00.000Z', orderCount: 1, categories: [], skus: [], currency: 'USD', revenueByCurrency: { USD: 5_000 } } as unknown as CustomerProfile;
  const delivered: MessageIntent[] = [];
  const store = {
    getEntry: async (query: JourneyEntry) => (query.entryId === record.entryId ? record : undefined),
    getProfile: async () => profile,
    updateActiveEntry: async (_entry: JourneyEntry, changes: Partial<JourneyEntryRecord>) => {
      Object.assign(record, changes);
      return true;
    },
    recentOrders: async () => options.orders ?? [],
    ordersAfter: async () => [],
  } as unknown as JourneyStore;
  const ports: JourneyStepPorts = {
    store,
    settings: { holdoutShare: 0.1, winBackAfterDays: 60, sweepLookbackDays: 6, npsIntervalDays: 90, shopUrl: 'https://shop.example', supportContact: 'help@shop.example' },
    now: () => new Date(options.now),
    deliverer: {
      async deliver(_customerId, intent) {
        delivered.push(intent);
        return options.outcome ?? { status: 'sent' };
      },
    },
    links: { feedback: async () => 'https://shop.example/feedback', join: async () => 'https://shop.example/join' },
    membership: { isMember: async () => false },
    offers: { catalog: testCatalog(), coPurchases: { lookup: async () => new Map([['LAPTOP', [{ sku: 'SNACK', count: 5 }]]]) } },
  };
  return { ports, entry, record, delivered };
}

describe('a journey step', () => {
  it.each([
    // what the delivery step made of the SMS, what the state machine hears back
    [{ status: 'sent' }, { outcome: 'continue', step: 'manager-call', at: '2026-03-15T10:00:00.000Z', reason: 'reminder-sms sent' }],
    [{ status: 'skipped', reason: 'no phone number for SMS' }, { outcome: 'continue', step: 'manager-call', at: '2026-03-15T10:00:00.000Z', reason: 'reminder-sms skipped: no phone number for SMS' }],
    [
      { status: 'failed', reason: 'SNS InvalidParameterException: Invalid parameter: PhoneNumber' },
      { outcome: 'continue', step: 'manager-call', at: '2026-03-15T10:00:00.000Z', reason: 'reminder-sms failed: SNS InvalidParameterException: Invalid parameter: PhoneNumber' },
    ],
    [
      { status: 'suppressed', reason: 'SNS OptedOutException: the number opted out' },
      { outcome: 'continue', step: 'manager-call', at: '2026-03-15T10:00:00.000Z', reason: 'reminder-sms suppressed: SNS OptedOutException: the number opted out' },
    ],
    [
      { status: 'deferred', reason: 'quiet hours 21:00-09:00 in UTC', deferredUntil: '2026-03-09T09:59:00.000Z' },
      { outcome: 'retry', step: 'reminder-sms', at: '2026-03-09T09:59:00.000Z', reason: 'deferred: quiet hours 21:00-09:00 in UTC' },
    ],
  ] satisfies [DeliveryOutcome, unknown][])('goes on to the manager call whatever became of the SMS, unless it must wait: %o', async (outcome, expected) => {
    const world = stepWorld({ outcome, now: '2026-03-08T22:00:00.000Z' });

    const answer = await runJourneyStep(world.ports, { action: 'step', step: 'reminder-sms', entry: world.entry });

    expect(answer).toEqual(expected);
    expect(world.record.status).toBe('active');
  });

  it('asks for a discount for the journey entry, never a finished code: the delivery step issues it when it sends', async () => {
    const world = stepWorld({ now: '2026-03-08T12:00:00.000Z' });

    await runJourneyStep(world.ports, { action: 'step', step: 'reminder-sms', entry: world.entry });
    await runJourneyStep(world.ports, { action: 'step', step: 'manager-call', entry: world.entry });

    expect(world.delivered.map((intent) => intent.discount)).toEqual([{ offerId: 'win-back-abc-20260101' }, { offerId: 'win-back-abc-20260101' }]);
    expect(world.delivered.every((intent) => !('discountCode' in intent.variables))).toBe(true);
  });

  it.each([
    // journey, step, whether a held-out entry gets it
    ['post-purchase', 'thank-you', true],
    ['post-purchase', 'feedback', false],
    ['post-purchase', 'offer', false],
    ['win-back', 'miss-you-email', false],
    ['win-back', 'reminder-sms', false],
    ['win-back', 'manager-call', false],
    ['loyalty-invite', 'invite', false],
  ] as const)('a held-out entry of %s gets its %s step: %s', async (journey, stepName, reaches) => {
    const step = journeys[journey].steps.find((candidate) => candidate.name === stepName)!;
    const world = stepWorld({ holdout: true, now: '2026-03-08T12:00:00.000Z' });
    const entry = { ...world.entry, journey };

    const answer = await runJourneyStep(world.ports, { action: 'step', step: stepName, entry });

    expect(reachesHoldout(step)).toBe(reaches);
    expect(world.delivered.map((intent) => intent.step)).toEqual(reaches ? [stepName] : []);
    expect(answer.reason).toBe(reaches ? `${stepName} sent` : answer.outcome === 'done' ? 'completed' : 'holdout: no message');
  });
});

describe('a post-purchase step that offers products', () => {
  const laptop = [{ orderId: 'o1', currency: 'USD', items: [{ sku: 'LAPTOP', quantity: 1, unitPriceMinor: 89_900 }] }] as Pick<RecordedOrder, 'orderId' | 'currency' | 'items'>[];

  it('sends the complements of what she bought at 7 days, rules first, then learned', async () => {
    const world = stepWorld({ now: '2026-03-08T12:00:00.000Z', orders: laptop });

    await runJourneyStep(world.ports, { action: 'step', step: 'feedback', entry: { ...world.entry, journey: 'post-purchase' } });

    const [intent] = world.delivered;
    expect(intent?.skipReason).toBeUndefined();
    expect(intent?.variables['currency']).toBe('USD');
    expect((intent?.variables['offers'] as { sku: string; source: string }[]).map((offer) => `${offer.sku} ${offer.source}`)).toEqual(['MOUSE cross-sell', 'BAG cross-sell', 'SNACK co-purchase']);
  });

  it.each(['feedback', 'content', 'offer'])('asks the delivery step to skip %s with a reason when nothing is relevant', async (step) => {
    const world = stepWorld({ now: '2026-03-08T12:00:00.000Z', orders: [{ orderId: 'o1', currency: 'USD', items: [{ sku: 'TEA', quantity: 1, unitPriceMinor: 500 }] }] as Pick<RecordedOrder, 'orderId' | 'currency' | 'items'>[] });

    await runJourneyStep(world.ports, { action: 'step', step, entry: { ...world.entry, journey: 'post-purchase' } });

    expect(world.delivered.map((intent) => [intent.step, intent.skipReason, intent.variables['offers']])).toEqual([[step, 'no relevant offer', []]]);
  });

  it.each(['content', 'offer'])('offers the upsell rules in %s, not complements', async (step) => {
    const world = stepWorld({ now: '2026-03-31T12:00:00.000Z', orders: [...laptop, { orderId: 'o0', currency: 'USD', items: [{ sku: 'PLAN-BASIC', quantity: 1, unitPriceMinor: 900 }] }] as Pick<RecordedOrder, 'orderId' | 'currency' | 'items'>[] });

    await runJourneyStep(world.ports, { action: 'step', step, entry: { ...world.entry, journey: 'post-purchase' } });

    expect(world.delivered.map((intent) => [intent.step, intent.skipReason, (intent.variables['offers'] as { sku: string }[]).map((offer) => offer.sku)])).toEqual([[step, undefined, ['PLAN-PRO']]]);
  });
});

describe('the state machine definitions', () => {
  // A storefront that refuses (wrong credentials, a missing scope) will refuse again: the entry fails, visibly.
  const permanent = ['TemplateError', 'StorefrontRefusedError', 'UnknownCustomerError', 'InvalidInputError'];

  it.each(stateMachineJourneys)('%s retries a step only for errors that may pass', (journey) => {
    type Retrier = { ErrorEquals: string[]; MaxAttempts?: number };
    const definition = JSON.parse(readFileSync(new URL(`../../workflows/${journey}.asl.json`, import.meta.url), 'utf8')) as {
      States: Record<string, { Type: string; Parameters?: { Payload?: { action?: string } }; Retry?: Retrier[]; Catch?: { ErrorEquals: string[]; Next: string }[] }>;
    };
    const steps = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task' && state.Parameters?.Payload?.action === 'step');
    // A state per step, and the one that runs what a deferral held back.
    expect(steps.length).toBe(journeys[journey].steps.length + 1);
    for (const [name, state] of steps) {
      const retry = state.Retry ?? [];
      const first = (error: string) => retry.find((retrier) => retrier.ErrorEquals.includes(error) || retrier.ErrorEquals.includes('States.TaskFailed') || retrier.ErrorEquals.includes('States.ALL'));
      // The first retrier that matches decides: a bug or bad input is never retried...
      for (const error of permanent) expect(first(error)?.MaxAttempts, `${name} ${error}`).toBe(0);
      // ...while a transient send error, throttling or a timeout is, a few times with backoff.
      for (const error of ['TransientSendError', 'StorefrontThrottledError', 'ProvisionedThroughputExceededException', 'Sandbox.Timedout']) expect(first(error)?.MaxAttempts, `${name} ${error}`).toBe(5);
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    }
  });
});
