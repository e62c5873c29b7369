/**
 * The recompute use case with an in-memory store: what it writes, which events it sends, and when.
 * The DynamoDB adapter is exercised by tests/integration/nightly-recompute.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { emfDocuments } from '../../../functions/adapters/cloudwatch-metrics.ts';
import type { FeedbackAnswer, JourneyEntryRecord, MetricsSnapshot } from '../../../functions/core/analytics/metrics.ts';
import type { CustomerPredictions, FittedModels } from '../../../functions/core/analytics/predictions.ts';
import {
  recompute,
  type RecomputeState,
  type RecomputeStore,
  type RecomputeSummary,
  type ScannedRecord,
  type SegmentEnteredEvent,
  type SegmentMembership,
} from '../../../functions/core/analytics/recompute.ts';
import type { SegmentDefinition } from '../../../functions/core/analytics/segments.ts';
import { recomputeSettings, type RecomputeSettingsInput } from '../../../functions/core/analytics/settings.ts';
import { seededRandom, simulateBgnbdCustomer } from '../../../functions/core/models/index.ts';
import type { CustomerProfile } from '../../../functions/core/profile.ts';
import { daysBefore, profileOf } from './customers.ts';

class MemoryStore implements RecomputeStore {
  profiles = new Map<string, CustomerProfile>();
  memberships = new Map<string, Set<string>>();
  predictions = new Map<string, CustomerPredictions>();
  journeyEntries: JourneyEntryRecord[] = [];
  feedback: FeedbackAnswer[] = [];
  definitions: SegmentDefinition[] = [];
  state: RecomputeState | undefined;
  models: FittedModels | undefined;
  snapshots = new Map<string, MetricsSnapshot>();
  scans = 0;
  writes = 0;

  async readState() {
    return this.state;
  }
  async readModels() {
    return this.models;
  }
  async listDefinitions() {
    return this.definitions;
  }
  async *scan(segment: number, total: number): AsyncGenerator<ScannedRecord[]> {
    if (segment === 0) this.scans++;
    const ids = [...new Set([...this.profiles.keys(), ...this.memberships.keys(), ...this.predictions.keys()])].filter((id) => hash(id) % total === segment);
    const records: ScannedRecord[] = ids.map((customerId) => ({
      kind: 'customer',
      customerId,
      ...(this.profiles.has(customerId) ? { profile: this.profiles.get(customerId)! } : {}),
      segments: [...(this.memberships.get(customerId) ?? [])],
      ...(this.predictions.has(customerId) ? { predictions: this.predictions.get(customerId)! } : {}),
    }));
    if (segment === 0) {
      records.push(...this.journeyEntries.map((entry) => ({ kind: 'journeyEntry' as const, entry })));
      records.push(...this.feedback.map((answer) => ({ kind: 'feedback' as const, answer })));
    }
    for (let start = 0; start < records.length; start += 3) yield records.slice(start, start + 3);
  }
  async enterSegment({ customerId, segment }: SegmentMembership & { since: string }) {
    const set = this.memberships.get(customerId) ?? new Set<string>();
    if (set.has(segment)) return false;
    set.add(segment);
    this.memberships.set(customerId, set);
    this.writes++;
    return true;
  }
  async leaveSegments(memberships: readonly SegmentMembership[]) {
    for (const { customerId, segment } of memberships) {
      this.memberships.get(customerId)?.delete(segment);
      if (this.memberships.get(customerId)?.size === 0) this.memberships.delete(customerId);
      this.writes++;
    }
  }
  async putPredictions(items: readonly { customerId: string; predictions: CustomerPredictions }[]) {
    for (const { customerId, predictions } of items) this.predictions.set(customerId, predictions);
    this.writes += items.length;
  }
  async deletePredictions(customerIds: readonly string[]) {
    for (const id of customerIds) this.predictions.delete(id);
    this.writes += customerIds.length;
  }
  async saveModels(models: FittedModels) {
    this.models = models;
  }
  async saveState(state: RecomputeState) {
    this.state = state;
  }
  async saveSnapshot(snapshot: MetricsSnapshot) {
    this.snapshots.set(snapshot.day, snapshot);
  }
  segmentsOf(customerId: string): string[] {
    return [...(this.memberships.get(customerId) ?? [])].sort();
  }
}

/** Customers drawn from the BG/NBD model with the CDNOW parameters (per day), each with her own spend level. */
function simulatedStore(count: number): CustomerProfile[] {
  const random = seededRandom(11);
  const params = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
  return Array.from({ length: count }, (_, i) => {
    const T = 60 + Math.floor(random() * 500);
    const { x, tx } = simulateBgnbdCustomer(random, params, T);
    const days = [T, ...Array.from({ length: x }, (_, k) => Math.max(0, Math.round(T - (tx * (k + 1)) / x)))];
    const level = 500 + random() * 8000;
    return profileOf(`sim${i}`, days.map((d) => ({ at: ago(d), totalMinor: Math.round(level * (0.5 + random())) })));
  });
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) >>> 0;
  return value;
}

function harness(store: MemoryStore, start: string, settings: RecomputeSettingsInput = {}) {
  let clock = new Date(start);
  const events: SegmentEnteredEvent[] = [];
  const published: { snapshot: MetricsSnapshot; summary: RecomputeSummary }[] = [];
  let failing = false;
  const run = (options: { refitModels?: boolean } = {}) =>
    recompute(
      {
        store,
        now: () => clock,
        events: {
          entered: async (event) => {
            if (failing && event.segment === 'sleeping') throw new Error('the journey engine is down');
            events.push(event);
          },
        },
        publish: (snapshot, summary) => void published.push({ snapshot, summary }),
      },
      recomputeSettings({ scan: { totalSegments: 3, writeConcurrency: 2 }, ...settings }),
      options,
    );
  return {
    run,
    events,
    published,
    advance: (days: number) => (clock = new Date(clock.getTime() + days * 86_400_000)),
    failEvents: (value: boolean) => (failing = value),
  };
}

const start = '2026-06-01T02:30:00.000Z';
const ago = (days: number) => daysBefore('2026-06-01', days);

describe('the recompute job', () => {
  it('enters every customer on the first run, once, and writes nothing more when nothing changed', async () => {
    const store = new MemoryStore();
    store.profiles.set('ann', profileOf('ann', [{ at: ago(400) }, { at: ago(20) }]));
    store.profiles.set('bob', profileOf('bob', [{ at: ago(120), totalMinor: 9000 }]));
    store.profiles.set('cid', profileOf('cid', [{ at: ago(2) }]));
    const job = harness(store, start);

    const first = await job.run();

    expect(first).toMatchObject({ bootstrapped: true, modelsRefitted: true, predictionsAvailable: false, customers: 3, left: 0 });
    expect(store.scans).toBe(2); // the observing pass, then the classifying one
    const named = (customerId: string) => store.segmentsOf(customerId).filter((segment) => !segment.startsWith('rfm-'));
    expect(named('ann')).toEqual(['active', 'base', 'growing']);
    expect(named('bob')).toEqual(['declining', 'mid', 'sleeping']);
    expect(named('cid')).toEqual(['base', 'new']);
    // One RFM cell each, by the store's quintiles of days since the last order (2 / 20 / 20 / 120),
    // orders (1 / 1 / 1 / 2) and net revenue: the most recent buyer scores R 5, the two-order one F 4.
    expect(store.segmentsOf('cid').filter((segment) => segment.startsWith('rfm-'))).toEqual([expect.stringMatching(/^rfm-51[1-5]$/)]);
    expect(store.segmentsOf('ann').filter((segment) => segment.startsWith('rfm-'))).toEqual([expect.stringMatching(/^rfm-44[1-5]$/)]);
    expect(store.segmentsOf('bob').filter((segment) => segment.startsWith('rfm-'))).toEqual([expect.stringMatching(/^rfm-21[1-5]$/)]);
    expect(job.events).toHaveLength(first.entered);
    expect(job.events.find((event) => event.customerId === 'bob' && event.segment === 'sleeping')).toMatchObject({ at: start, profile: { customerId: 'bob' } });
    expect(store.models).toMatchObject({ available: false, reason: '1 customer(s) have bought again so far; predictions start at 20 repeat buyers' });

    const writes = store.writes;
    const second = await job.run();
    expect(second).toMatchObject({ bootstrapped: false, entered: 0, left: 0 });
    expect(store.scans).toBe(3);
    expect(store.writes).toBe(writes);
    expect(job.events).toHaveLength(first.entered);
  });

  it('classifies by the recency bands derived from the store gaps, and keeps them with their basis', async () => {
    // Prepare: 100 weekly buyers (300 gaps of 7 days) and one who last bought 20 days ago.
    const store = new MemoryStore();
    for (let i = 0; i < 100; i++) store.profiles.set(`w${i}`, profileOf(`w${i}`, [{ at: ago(21) }, { at: ago(14) }, { at: ago(7) }, { at: ago(0) }]));
    store.profiles.set('eve', profileOf('eve', [{ at: ago(60) }, { at: ago(20) }]));
    const job = harness(store, start);

    // Act
    await job.run();

    // Assess: 301 gaps, median 7 days, so 20 days without an order is past the store's cycle.
    expect(store.state?.bands?.overall).toEqual({ newDays: 7, activeDays: 7, sleepingDays: 8, lapsingDays: 9, basis: { kind: 'derived', gaps: 301 } });
    expect(store.segmentsOf('eve')).toContain('lost');
    expect(store.segmentsOf('w0')).toContain('active');
  });

  it('sends one event per stay in a segment, and another after a purchase ends the stay', async () => {
    const store = new MemoryStore();
    store.profiles.set('dee', profileOf('dee', [{ at: ago(300) }, { at: ago(80) }]));
    const job = harness(store, start);
    await job.run();
    expect(store.segmentsOf('dee')).toContain('active');

    job.advance(15); // 95 days since the order
    await job.run();
    job.advance(1);
    await job.run();
    expect(store.segmentsOf('dee')).toContain('sleeping');
    expect(job.events.filter((event) => event.segment === 'sleeping')).toHaveLength(1);

    store.profiles.set('dee', profileOf('dee', [{ at: ago(300) }, { at: ago(80) }, { at: daysBefore('2026-06-17', 0) }]));
    await job.run();
    expect(store.segmentsOf('dee')).toContain('active');
    job.advance(100);
    await job.run();
    expect(job.events.filter((event) => event.segment === 'sleeping')).toHaveLength(2);
  });

  it('takes an entry back when its event fails, so the next run sends it again', async () => {
    const store = new MemoryStore();
    store.profiles.set('eve', profileOf('eve', [{ at: ago(100) }]));
    const job = harness(store, start);
    job.failEvents(true);
    const failed = await job.run();
    expect(failed.failedEvents).toBe(1);
    expect(store.segmentsOf('eve')).not.toContain('sleeping');

    job.failEvents(false);
    await job.run();
    expect(store.segmentsOf('eve')).toContain('sleeping');
    expect(job.events.filter((event) => event.segment === 'sleeping')).toHaveLength(1);
  });

  it('removes the memberships and predictions of an erased customer', async () => {
    const store = new MemoryStore();
    store.memberships.set('gone', new Set(['vip', 'lost']));
    store.profiles.set('here', profileOf('here', [{ at: ago(5) }]));
    const summary = await harness(store, start).run();
    expect(store.memberships.has('gone')).toBe(false);
    expect(summary).toMatchObject({ customers: 1, left: 2 });
  });

  it('keeps saved segments up to date and drops deleted ones', async () => {
    const store = new MemoryStore();
    store.profiles.set('pet', profileOf('pet', [{ at: ago(200), category: 'pet-food', totalMinor: 8000 }]));
    store.profiles.set('toy', profileOf('toy', [{ at: ago(200), category: 'toys' }]));
    store.definitions = [
      {
        name: 'lapsed-pet-food',
        filter: { type: 'all', filters: [{ type: 'boughtCategory', category: 'pet-food' }, { type: 'segment', segment: 'lapsing' }] },
        createdAt: start,
        updatedAt: start,
      },
    ];
    const job = harness(store, start);
    await job.run();
    expect(store.segmentsOf('pet')).toContain('lapsed-pet-food');
    expect(store.segmentsOf('toy')).not.toContain('lapsed-pet-food');
    expect(store.state?.segments['lapsed-pet-food']).toBe(1);

    store.definitions = [];
    await job.run();
    expect(store.segmentsOf('pet')).not.toContain('lapsed-pet-food');
    expect(store.state?.segments['lapsed-pet-food']).toBeUndefined();
  });

  it('predicts once the store has enough repeat buyers, writes only what moved, and flags churn risk', async () => {
    const store = new MemoryStore();
    for (const profile of simulatedStore(300)) store.profiles.set(profile.customerId, profile);
    const job = harness(store, start, { models: { minRepeatBuyers: 50 } });

    const first = await job.run();
    expect(first).toMatchObject({ bootstrapped: true, modelsRefitted: true, predictionsAvailable: true, predictionsWritten: 300 });
    expect(store.models).toMatchObject({ available: true, customers: 300, unit: 'day' });
    expect(Object.keys(store.models!.gammaGamma)).toEqual(['USD']);
    const atRisk = [...store.profiles.keys()].filter((id) => store.segmentsOf(id).includes('churn-risk'));
    expect(atRisk.length).toBeGreaterThan(0);
    for (const id of atRisk) {
      expect(store.predictions.get(id)!.pAlive).toBeLessThan(0.3);
      expect(store.profiles.get(id)!.orderCount).toBeGreaterThanOrEqual(2);
    }
    expect(job.events.filter((event) => event.segment === 'churn-risk')).toHaveLength(atRisk.length);
    const oneTimer = [...store.profiles.values()].find((profile) => profile.orderCount === 1)!;
    expect(store.predictions.get(oneTimer.customerId)).toMatchObject({ pAlive: 1, currency: 'USD', fittedAt: start });

    const again = await job.run();
    expect(again).toMatchObject({ predictionsWritten: 0, modelsRefitted: false, entered: 0 });

    job.advance(7);
    const weekLater = await job.run();
    expect(weekLater.modelsRefitted).toBe(true);
    expect(weekLater.predictionsWritten).toBeGreaterThan(0);
    expect(store.models!.fittedAt).toBe('2026-06-08T02:30:00.000Z');
  });

  it('snapshots the metrics, with journeys and feedback read in the same scan, and publishes them', async () => {
    const store = new MemoryStore();
    store.profiles.set('ann', profileOf('ann', [{ at: ago(40) }, { at: ago(5) }]));
    store.journeyEntries.push({ journey: 'win-back', entryId: 'e1', customerId: 'ann', enteredAt: `${ago(20)}T03:00:00.000Z`, status: 'converted', holdout: false, convertedRevenueMinor: 1000, convertedCurrency: 'USD' });
    store.feedback.push({ customerId: 'ann', entryId: 'e1', score: 10, at: `${ago(4)}T09:00:00.000Z` });
    const job = harness(store, start);
    const summary = await job.run();

    const snapshot = store.snapshots.get('2026-06-01')!;
    expect(snapshot).toMatchObject({ customers: 1, retentionRate: 1, nps: { score: 100, answers: 1 }, model: { available: false } });
    expect(snapshot.journeys['win-back']?.treated).toMatchObject({ entered: 1, converted: 1 });
    expect(summary).toMatchObject({ journeyEntries: 1, feedbackAnswers: 1 });
    expect(job.published).toEqual([{ snapshot, summary }]);
    expect(store.state).toMatchObject({ day: '2026-06-01', customers: 1, segments: snapshot.segments });
    expect(store.state?.thresholds?.revenue['USD']?.customers).toBe(1);

    const emf = emfDocuments(snapshot, summary, Date.parse(start));
    const headline = emf[0]!;
    expect(headline._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Comeback', Dimensions: [['Service']] });
    expect(headline).toMatchObject({ Service: 'comeback', Customers: 1, RetentionRate: 100, NpsScore: 100 });
    expect(headline['ChurnRate']).toBe(0);
    expect(emf.find((document) => document['Segment'] === 'active')).toMatchObject({ SegmentSize: 1 });
    expect(emf.find((document) => document['Journey'] === 'win-back')).toMatchObject({ JourneyEntered: 1, JourneyConverted: 1, JourneyConversionRate: 100 });
    expect(emf.find((document) => document['Currency'] === 'USD')).toMatchObject({ AverageOrderValueMinor: 1000, HistoricClvMinor: 2000 });
  });

  it('handles an empty store', async () => {
    const store = new MemoryStore();
    const summary = await harness(store, start).run();
    expect(summary).toMatchObject({ customers: 0, entered: 0, predictionsAvailable: false });
    expect(store.snapshots.get('2026-06-01')).toMatchObject({ customers: 0, retentionRate: null });
    expect(store.state?.thresholds).toBeUndefined();
    const [headline] = emfDocuments(store.snapshots.get('2026-06-01')!, summary, Date.parse(start));
    expect(headline).toMatchObject({ Customers: 0 });
    expect(headline).not.toHaveProperty('RetentionRate'); // no rate rather than 0
  });
});
