/**
 * The loyalty invitation and membership: only customers who have not joined enter the invitation
 * journey, one who joins while it waits is not sent it, and the invitation carries her join link.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome, MessageIntent } from '../../../functions/core/delivery/types.ts';
import { reactToPurchase, runJourneyStep, type JourneyPorts, type JourneyStepPorts, type JourneyStore } from '../../../functions/core/journey-engine.ts';
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
        return { status: 'sent' };
      },
    },
    links: { feedback: async () => 'https://api.example/v1/feedback?token=f', join: async (customerId: string) => `https://api.example/v1/join?token=${customerId}` },
    offers: { catalog: testCatalog(), coPurchases: { lookup: async () => new Map() } },
  } as unknown as JourneyStepPorts;
  return { journeyPorts, stepPorts, entries, started, delivered, setMember: (value: boolean) => void (member = value) };
}

const purchase = { orderId: 'o-3', placedAt: now, currency: 'USD', totalMinor: 5_000, customer: { id: 'cust-1' } } as unknown as Purchase;

describe('the loyalty invitation', () => {
  it('is entered on the third purchase by a customer who has not joined, and sent with her join link', async () => {
    const { journeyPorts, stepPorts, started, delivered } = world(false);
    await reactToPurchase(journeyPorts, purchase);
    const invite = started.find((entry) => entry.journey === 'loyalty-invite');
    expect(invite).toBeDefined();

    const outcome = await runJourneyStep(stepPorts, { action: 'step', step: 'invite', entry: invite! });

    expect(outcome.outcome).toBe('done');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ journey: 'loyalty-invite', template: 'loyalty-invite', variables: { joinUrl: 'https://api.example/v1/join?token=cust-1' } });
  });

  it('is never entered by a member', async () => {
    const { journeyPorts, started } = world(true);
    await reactToPurchase(journeyPorts, purchase);
    expect(started.map((entry) => entry.journey)).not.toContain('loyalty-invite');
  });

  it('sends nothing, and ends, when the customer joined while the invitation waited', async () => {
    const { journeyPorts, stepPorts, entries, started, delivered, setMember } = world(false);
    await reactToPurchase(journeyPorts, purchase);
    const invite = started.find((entry) => entry.journey === 'loyalty-invite')!;
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
