/**
 * The loyalty invitation and membership: only customers who have not joined enter the invitation
 * journey, one who joins while it waits is not sent it, and the invitation carries her join link.
 * It goes with the thank-you of the order that earned it (the post-purchase journey carries it while
 * it is deferred), and on its own execution only when that order has no thank-you to go with.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome, MessageIntent } from '../../../functions/core/delivery/types.ts';
import { TemplateError } from '../../../functions/core/delivery/errors.ts';
import { CARRIED_INVITE_STEP, reactToPurchase, removeFromJourney, runJourneyStep, type JourneyPorts, type JourneyStepPorts, type JourneyStore } from '../../../functions/core/journey-engine.ts';
import type { JourneyEntry, JourneyEntryRecord } from '../../../functions/core/journeys.ts';
import { joinToken, joinUrl, verifyJoinToken } from '../../../functions/core/loyalty/join-link.ts';
import type { CustomerProfile } from '../../../functions/core/profile.ts';
import type { Purchase } from '../../../functions/core/purchase.ts';
import { testCatalog } from '../catalog/fixtures.ts';

const now = '2026-06-01T12:00:00.000Z';
const settings = { holdoutShare: 0, winBackAfterDays: 60, sweepLookbackDays: 6, npsIntervalDays: 90, shopUrl: 'https://shop.example', supportContact: 'help@shop.example' };

function world(member: boolean) {
  const profile = { customerId: 'cust-1', lastOrderAt: now, orderCount: 3, categories: [], skus: [], currency: 'USD', revenueByCurrency: { USD: 15_000 } } as unknown as CustomerProfile;
  const entries = new Map<string, JourneyEntryRecord>();
  const started: JourneyEntry[] = [];
  const delivered: MessageIntent[] = [];
  const deferrals = new Map<string, string>();
  const failures = new Map<string, Error>();
  const store = {
    getProfile: async () => profile,
    listEntries: async () => [...entries.values()],
    getEntry: async (entry: JourneyEntry) => entries.get(entry.entryId),
    createEntry: async (record: JourneyEntryRecord) => {
      if (entries.has(record.entryId)) return false;
      entries.set(record.entryId, record);
      return true;
    },
    updateActiveEntry: async (entry: JourneyEntry, changes: Partial<JourneyEntryRecord>) => {
      const record = entries.get(entry.entryId);
      if (record?.status !== 'active') return false;
      Object.assign(record, changes);
      return true;
    },
    scheduleCheckIns: async () => {},
    recentOrders: async () => [],
    ordersAfter: async () => [],
  } as unknown as JourneyStore;
  const membership = { isMember: async () => member };
  const base = { store, settings, now: () => new Date(now), membership };
  const journeyPorts: JourneyPorts = { ...base, launcher: { start: async (entry) => void started.push(entry), stop: async () => {} } };
  // The step's ports as every host builds them (products to offer included, which the invitation does not use).
  const stepPorts = {
    ...base,
    deliverer: {
      async deliver(_customerId: string, intent: MessageIntent): Promise<DeliveryOutcome> {
        delivered.push(intent);
        const failure = failures.get(intent.journey);
        if (failure) throw failure;
        const until = deferrals.get(intent.journey);
        return until ? { status: 'deferred', reason: 'quiet hours', deferredUntil: until } : { status: 'sent' };
      },
    },
    links: { feedback: async () => 'https://api.example/v1/feedback?token=f', join: async (customerId: string) => `https://api.example/v1/join?token=${customerId}` },
    offers: { catalog: testCatalog(), coPurchases: { lookup: async () => new Map() } },
  } as unknown as JourneyStepPorts;
  return {
    journeyPorts,
    stepPorts,
    entries,
    started,
    delivered,
    setMember: (value: boolean) => void (member = value),
    /** The delivery step defers the journey's messages until `until` (none: sends them). */
    defer: (journey: string, until: string | undefined) => void (until ? deferrals.set(journey, until) : deferrals.delete(journey)),
    failWith: (journey: string, error: Error) => void failures.set(journey, error),
  };
}

/** The reaction to a recorded order, given the profile as the recount hands it on. */
const react = async (ports: JourneyPorts, order: Purchase) => reactToPurchase(ports, order, await ports.store.getProfile(order.customer.id));

const purchase = { orderId: 'o-3', placedAt: now, currency: 'USD', totalMinor: 5_000, customer: { id: 'cust-1' } } as unknown as Purchase;

describe('the loyalty invitation', () => {
  it("is entered on the third purchase by a customer who has not joined, and sent with her join link by the order's thank-you step", async () => {
    const { journeyPorts, stepPorts, entries, started, delivered } = world(false);
    await react(journeyPorts, purchase);
    // Entered, and taken along by the order's post-purchase journey: no execution of its own.
    expect(started.map((entry) => entry.journey)).toEqual(['post-purchase']);
    const invite = [...entries.values()].find((entry) => entry.journey === 'loyalty-invite');
    expect(invite).toMatchObject({ status: 'active' });

    const outcome = await runJourneyStep(stepPorts, { action: 'step', step: 'thank-you', entry: started[0]! });

    expect(outcome).toMatchObject({ outcome: 'continue', step: 'feedback' });
    expect(delivered.map((intent) => intent.journey)).toEqual(['post-purchase', 'loyalty-invite']);
    expect(delivered[1]).toMatchObject({ messageId: `${invite!.entryId}.invite`, template: 'loyalty-invite', variables: { joinUrl: 'https://api.example/v1/join?token=cust-1' } });
    expect(entries.get(invite!.entryId)).toMatchObject({ status: 'completed', step: 'invite' });
  });

  it('deferred (quiet hours, the frequency cap), is the post-purchase journey\'s next stop, then the journey goes on to its own next step', async () => {
    const wake = '2026-06-02T06:00:00.000Z';
    const { journeyPorts, stepPorts, entries, started, delivered, defer } = world(false);
    await react(journeyPorts, purchase);
    defer('loyalty-invite', wake);

    const first = await runJourneyStep(stepPorts, { action: 'step', step: 'thank-you', entry: started[0]! });
    expect(first).toMatchObject({ outcome: 'continue', step: CARRIED_INVITE_STEP, at: wake });
    const invite = [...entries.values()].find((entry) => entry.journey === 'loyalty-invite')!;
    expect(invite.status).toBe('active');

    // Deferred again at its time: retried at the next.
    defer('loyalty-invite', '2026-06-02T08:00:00.000Z');
    expect(await runJourneyStep(stepPorts, { action: 'step', step: CARRIED_INVITE_STEP, entry: started[0]! })).toMatchObject({ outcome: 'retry', step: CARRIED_INVITE_STEP, at: '2026-06-02T08:00:00.000Z' });

    defer('loyalty-invite', undefined);
    const after = await runJourneyStep(stepPorts, { action: 'step', step: CARRIED_INVITE_STEP, entry: started[0]! });
    // The feedback step 7 days after the order, as if the invitation had not been there.
    expect(after).toMatchObject({ outcome: 'continue', step: 'feedback', at: '2026-06-08T12:00:00.000Z' });
    expect(delivered.filter((intent) => intent.journey === 'loyalty-invite').map((intent) => intent.messageId)).toEqual([`${invite.entryId}.invite`, `${invite.entryId}.invite`, `${invite.entryId}.invite`]);
    expect(entries.get(invite.entryId)).toMatchObject({ status: 'completed' });
  });

  it('runs on its own execution when no thank-you of this order goes with it (an older order recorded late)', async () => {
    const { journeyPorts, started } = world(false);
    await react(journeyPorts, { ...purchase, orderId: 'o-late', placedAt: '2026-05-01T12:00:00.000Z' });
    expect(started.map((entry) => entry.journey)).toEqual(['loyalty-invite']);
  });

  it('goes on in its own execution when an admin takes the customer out of the post-purchase journey that carried it', async () => {
    const { journeyPorts, started } = world(false);
    await react(journeyPorts, purchase);

    await removeFromJourney(journeyPorts, 'post-purchase', 'cust-1');

    expect(started.map((entry) => entry.journey)).toEqual(['post-purchase', 'loyalty-invite']);
  });

  it('that cannot be sent for good (a template error) fails its own entry, and the post-purchase journey goes on', async () => {
    const { journeyPorts, stepPorts, entries, started, failWith } = world(false);
    await react(journeyPorts, purchase);
    failWith('loyalty-invite', new TemplateError('the template uses a variable the step did not provide'));

    expect(await runJourneyStep(stepPorts, { action: 'step', step: 'thank-you', entry: started[0]! })).toMatchObject({ outcome: 'continue', step: 'feedback' });
    const invite = [...entries.values()].find((entry) => entry.journey === 'loyalty-invite')!;
    expect(invite).toMatchObject({ status: 'failed', failure: 'TemplateError: the template uses a variable the step did not provide' });
    expect(entries.get(started[0]!.entryId)).toMatchObject({ status: 'active', step: 'thank-you' });
  });

  it('is never entered by a member', async () => {
    const { journeyPorts, entries, started } = world(true);
    await react(journeyPorts, purchase);
    expect([...entries.values()].map((entry) => entry.journey)).toEqual(['post-purchase']);
    expect(started.map((entry) => entry.journey)).toEqual(['post-purchase']);
  });

  it('sends nothing, and ends, when the customer joined while the invitation waited', async () => {
    const { journeyPorts, stepPorts, entries, delivered, setMember } = world(false);
    await react(journeyPorts, purchase);
    const invite = [...entries.values()].find((entry) => entry.journey === 'loyalty-invite')!;
    setMember(true);

    const outcome = await runJourneyStep(stepPorts, { action: 'step', step: 'invite', entry: invite });

    expect(outcome).toMatchObject({ outcome: 'done', reason: 'completed' });
    expect(delivered).toEqual([]);
    expect(entries.get(invite.entryId)).toMatchObject({ status: 'completed', endedAt: now });
  });
});

describe('the join link', () => {
  it('names the customer to whoever holds it, and to nobody with another secret or a changed token', () => {
    const token = joinToken('guest:ada@example.com', 'secret-1');
    expect(verifyJoinToken(token, ['secret-0', 'secret-1'])).toEqual({ customerId: 'guest:ada@example.com' });
    expect(() => verifyJoinToken(token, ['secret-2'])).toThrow('the join link is not valid');
    expect(() => verifyJoinToken(`${token.slice(0, 3)}${token[3] === 'A' ? 'B' : 'A'}${token.slice(4)}`, ['secret-1'])).toThrow('the join link is not valid');
    expect(() => verifyJoinToken('x'.repeat(3000), ['secret-1'])).toThrow('the join link is not valid');
    expect(new URL(joinUrl('https://api.example/v1/join', token)).searchParams.get('token')).toBe(token);
  });
});
