/**
 * The nightly recompute: one streaming pass over every customer profile (a parallel scan, each scan
 * segment read by its own worker) that classifies each customer into segments, predicts her next
 * purchases, feeds the metric accumulators, and writes only what changed: memberships entered or
 * left, predictions that moved. Memory stays bounded whatever the number of customers: a scan page
 * per worker, plus sketches, a fixed-size model sample and per-segment / per-journey counters.
 *
 * Value thresholds, recency bands (bands.ts) and model parameters come from the previous run (yesterday's distribution, last
 * week's fit), so one pass is enough; the pass also gathers today's distribution and sample, which
 * the next run uses. The very first run, having neither, first makes an observing pass (sketches and
 * sample only, no writes) and then the classifying pass.
 *
 * Entering a segment is an event: the membership is written only if it did not exist (a conditional
 * put), and only then is SegmentEvents.entered called, so each stay in a segment (an episode) gives
 * exactly one event even if two runs overlap. Should the event fail, the membership is taken back, so
 * the next run tries again.
 */
import { type CustomerFacts, dayOfDate, type FactWindows, customerFacts } from './facts.ts';
import { MetricsAccumulator, type FeedbackAnswer, type JourneyEntryRecord, type MetricsSnapshot } from './metrics.ts';
import { fitModels, ModelSample, Predictor, refitDue, predictionsMoved, roundPredictions, type CustomerPredictions, type FittedModels } from './predictions.ts';
import { builtInMemberships, builtInSegments, matchesFilter, type SegmentDefinition, type ValueThresholds } from './segments.ts';
import type { RecomputeSettings } from './settings.ts';
import { ValueDistribution } from './thresholds.ts';
import { bandsFor, fixedBands, GapDistribution, type StoreBands } from './bands.ts';
import { isRfmCell, rfmCell, RfmDistribution, rfmScores, rfmSubject, RfmTierCounter, type RfmCuts, type RfmTiers } from './rfm.ts';
import type { CustomerProfile } from '../profile.ts';
import { modelExpectedGapDays, type WinBackModel } from '../win-back.ts';

/** One customer's items as the scan met them. */
export interface CustomerRecord {
  kind: 'customer';
  customerId: string;
  /** Absent when only other items of the customer were found (left over from an erased profile). */
  profile?: CustomerProfile;
  /** The segments the customer is a member of now. */
  segments: string[];
  predictions?: CustomerPredictions;
}

export type ScannedRecord =
  | CustomerRecord
  | { kind: 'journeyEntry'; entry: JourneyEntryRecord }
  | { kind: 'feedback'; answer: FeedbackAnswer };

export interface SegmentMembership {
  customerId: string;
  segment: string;
}

/** What the previous run left for this one. */
export interface RecomputeState {
  day: string;
  computedAt: string;
  thresholds?: ValueThresholds;
  /** Recency bands from this run's repeat-purchase gaps, classified with by the next run. */
  bands?: StoreBands;
  /** RFM quintile cut points from this run's customers, scored with by the next run (rfm.ts). */
  rfmCuts?: RfmCuts;
  /** Customers per RFM tier of this run, with the cut points they were scored by. */
  rfmTiers?: RfmTiers;
  segments: Record<string, number>;
  customers: number;
  /** Every item the scan reads carries its index key (RecomputeStore.indexForNightly ran to the end). */
  indexed?: boolean;
}

export interface RecomputeStore {
  readState(): Promise<RecomputeState | undefined>;
  readModels(): Promise<FittedModels | undefined>;
  listDefinitions(): Promise<SegmentDefinition[]>;
  /** One scan segment, page by page; all items of one customer come in one record. */
  scan(segment: number, totalSegments: number): AsyncIterable<ScannedRecord[]>;
  /**
   * For a store whose scan reads an index of the items it needs: gives the items written before the
   * index existed their index key, one scan segment at a time; how many it indexed.
   */
  indexForNightly?(segment: number, totalSegments: number): Promise<number>;
  /** Adds the membership unless it exists; true when this call added it. */
  enterSegment(membership: SegmentMembership & { since: string }): Promise<boolean>;
  leaveSegments(memberships: readonly SegmentMembership[]): Promise<void>;
  putPredictions(items: readonly { customerId: string; predictions: CustomerPredictions }[]): Promise<void>;
  deletePredictions(customerIds: readonly string[]): Promise<void>;
  saveModels(models: FittedModels): Promise<void>;
  saveState(state: RecomputeState): Promise<void>;
  saveSnapshot(snapshot: MetricsSnapshot): Promise<void>;
}

export interface SegmentEnteredEvent {
  customerId: string;
  segment: string;
  profile: CustomerProfile;
  at: string;
  /** The purchase model's view of the customer, when the store's models are fitted and she bought again. */
  model?: WinBackModel;
}

/** One customer as tonight's run saw her: what win-back timing reads. */
export interface CustomerSeenEvent {
  customerId: string;
  profile: CustomerProfile;
  at: string;
  model?: WinBackModel;
}

/**
 * Told of every segment entry (an RFM cell is not an event); the win-back journey listens for
 * sleeping and churn-risk, and to every customer seen, for her own win-back timing.
 */
export interface SegmentEvents {
  entered(event: SegmentEnteredEvent): Promise<void>;
  /** Told of every customer classified; true when it started something. */
  seen?(event: CustomerSeenEvent): Promise<boolean>;
}

export interface RecomputeSummary {
  day: string;
  startedAt: string;
  durationMs: number;
  /** An observing pass ran first (no thresholds or models yet). */
  bootstrapped: boolean;
  modelsRefitted: boolean;
  predictionsAvailable: boolean;
  customers: number;
  journeyEntries: number;
  feedbackAnswers: number;
  entered: number;
  left: number;
  failedEvents: number;
  /** Win-back entries the customers' own timing started (SegmentEvents.seen). */
  winBackStarted: number;
  predictionsWritten: number;
  predictionsDeleted: number;
  segments: Record<string, number>;
}

export interface RecomputePorts {
  store: RecomputeStore;
  events: SegmentEvents;
  /** Told the snapshot and the summary at the end (CloudWatch metrics). */
  publish?: (snapshot: MetricsSnapshot, summary: RecomputeSummary) => void | Promise<void>;
  now: () => Date;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

export function factWindows(settings: RecomputeSettings): FactWindows {
  return {
    metricsPeriod: settings.metrics.periodDays,
    trendPeriod: settings.trend.periodDays,
    valueWindow: settings.value.windowDays,
    lostAfter: settings.recency.lapsingDays,
  };
}

/** Runs `work` over every item with at most `limit` in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/** Reads every scan segment with one worker each. */
async function scanAll(store: RecomputeStore, totalSegments: number, onPage: (records: ScannedRecord[]) => Promise<void> | void): Promise<void> {
  await Promise.all(
    Array.from({ length: totalSegments }, async (_, segment) => {
      for await (const page of store.scan(segment, totalSegments)) await onPage(page);
    }),
  );
}

/** The first run's observing pass: tomorrow's inputs, today. */
async function observe(
  store: RecomputeStore,
  settings: RecomputeSettings,
  today: number,
): Promise<{ distribution: ValueDistribution; sample: ModelSample; gaps: GapDistribution; rfm: RfmDistribution }> {
  const windows = factWindows(settings);
  const distribution = new ValueDistribution();
  const gaps = new GapDistribution();
  const rfm = new RfmDistribution();
  const sample = new ModelSample(settings.models.sampleSize, settings.models.seed);
  await scanAll(store, settings.scan.totalSegments, (records) => {
    for (const record of records) {
      if (record.kind !== 'customer' || !record.profile) continue;
      const facts = customerFacts(record.profile, today, windows);
      distribution.add(facts);
      sample.add(facts);
      gaps.add(facts, record.profile.categories);
      rfm.add(rfmSubject(facts, record.profile.revenueByCurrency));
    }
  });
  return { distribution, sample, gaps, rfm };
}

export async function recompute(ports: RecomputePorts, settings: RecomputeSettings, options: { refitModels?: boolean } = {}): Promise<RecomputeSummary> {
  const { store, events } = ports;
  const log = ports.log ?? (() => undefined);
  const started = ports.now();
  const startedAt = started.toISOString();
  const today = dayOfDate(started);
  const windows = factWindows(settings);
  const [state, storedModels, definitions] = await Promise.all([store.readState(), store.readModels(), store.listDefinitions()]);
  const indexForNightly = store.indexForNightly?.bind(store);
  if (indexForNightly && state?.indexed !== true) {
    const counted = await Promise.all(Array.from({ length: settings.scan.totalSegments }, (_, segment) => indexForNightly(segment, settings.scan.totalSegments)));
    log('items written before the nightly index now carry its key', { items: counted.reduce((sum, count) => sum + count, 0) });
  }

  let thresholds = state?.thresholds;
  const fixed: StoreBands | undefined = settings.recency.fixed ? { overall: fixedBands(settings.recency, { kind: 'override' }), byCategory: {} } : undefined;
  let bands = fixed ?? state?.bands;
  let rfmCuts = state?.rfmCuts;
  let models = storedModels;
  let refit = options.refitModels === true || refitDue(models, started, settings.models);
  const bootstrapped = !state || !models || !bands;
  let modelsRefitted = false;
  if (bootstrapped) {
    log('observing pass: no thresholds or models from an earlier run');
    const observed = await observe(store, settings, today);
    thresholds = observed.distribution.thresholds(settings.value);
    bands ??= observed.gaps.bands(settings.recency);
    rfmCuts ??= observed.rfm.cuts();
    if (!models || refit) {
      models = fitModels(observed.sample, settings.models, startedAt);
      await store.saveModels(models);
      modelsRefitted = true;
      refit = false;
    }
  }

  const usedModels = models;
  const predictor = usedModels?.available ? new Predictor(usedModels, today, settings.models) : undefined;
  const distribution = new ValueDistribution();
  const gaps = new GapDistribution();
  const rfm = new RfmDistribution();
  const rfmTiers = new RfmTierCounter();
  const usedBands = bands ?? new GapDistribution().bands(settings.recency);
  const sample = new ModelSample(settings.models.sampleSize, settings.models.seed);
  const metrics = new MetricsAccumulator(today, settings);
  const known = new Set<string>([...builtInSegments, ...definitions.map((definition) => definition.name)]);
  const counts = { customers: 0, journeyEntries: 0, feedbackAnswers: 0, entered: 0, left: 0, failedEvents: 0, winBackStarted: 0, predictionsWritten: 0, predictionsDeleted: 0 };
  const bgnbd = predictor && usedModels?.bgnbd;

  const classify = (profile: CustomerProfile, facts: CustomerFacts, predictions: CustomerPredictions | undefined): string[] => {
    const recency = bandsFor(usedBands, profile.categories);
    const builtIn = builtInMemberships(facts, { settings, thresholds, pAlive: predictions?.pAlive, recency });
    const subject = { profile, facts, builtIn };
    const custom = definitions.filter((definition) => matchesFilter(definition.filter, subject)).map((definition) => definition.name);
    return [...builtIn, ...custom];
  };

  const onPage = async (records: ScannedRecord[]): Promise<void> => {
    const entries: { membership: SegmentMembership; profile: CustomerProfile; model: WinBackModel | undefined }[] = [];
    const seen: CustomerSeenEvent[] = [];
    const leaving: SegmentMembership[] = [];
    const predictionWrites: { customerId: string; predictions: CustomerPredictions }[] = [];
    const predictionDeletes: string[] = [];
    for (const record of records) {
      if (record.kind === 'journeyEntry') {
        counts.journeyEntries++;
        metrics.addJourneyEntry(record.entry);
        continue;
      }
      if (record.kind === 'feedback') {
        counts.feedbackAnswers++;
        metrics.addFeedback(record.answer);
        continue;
      }
      const { customerId, profile } = record;
      if (!profile) {
        for (const segment of record.segments) leaving.push({ customerId, segment });
        if (record.predictions) predictionDeletes.push(customerId);
        continue;
      }
      counts.customers++;
      const facts = customerFacts(profile, today, windows);
      distribution.add(facts);
      gaps.add(facts, profile.categories);
      sample.add(facts);
      metrics.addCustomer(facts, profile);
      const subject = rfmSubject(facts, profile.revenueByCurrency);
      rfm.add(subject);
      const predicted = predictor?.predict(facts);
      const predictions = predicted ? roundPredictions(predicted) : undefined;
      const target = classify(profile, facts, predictions);
      const scores = rfmScores(subject, rfmCuts);
      if (scores) {
        rfmTiers.add(scores);
        target.push(rfmCell(scores));
      }
      metrics.addSegments(target);
      const model = bgnbd && facts.model.x > 0 ? { expectedGapDays: modelExpectedGapDays(bgnbd, facts.model) } : undefined;
      seen.push({ customerId, profile, at: startedAt, ...(model ? { model } : {}) });
      for (const segment of target) if (!record.segments.includes(segment)) entries.push({ membership: { customerId, segment }, profile, model });
      for (const segment of record.segments) if (!target.includes(segment)) leaving.push({ customerId, segment });
      if (predictions && predictionsMoved(record.predictions, predictions)) predictionWrites.push({ customerId, predictions });
      if (!predictions && record.predictions) predictionDeletes.push(customerId);
    }
    await Promise.all([
      mapLimit(entries, settings.scan.writeConcurrency, async ({ membership, profile, model }) => {
        if (!(await store.enterSegment({ ...membership, since: startedAt }))) return;
        if (isRfmCell(membership.segment)) return;
        try {
          await events.entered({ ...membership, profile, at: startedAt, ...(model ? { model } : {}) });
          counts.entered++;
        } catch (error) {
          counts.failedEvents++;
          log('a segment entry event failed; the entry is taken back and retried by the next run', {
            ...membership,
            errorMessage: (error as Error).message,
          });
          await store.leaveSegments([membership]);
        }
      }),
      events.seen ? mapLimit(seen, settings.scan.writeConcurrency, async (event) => void ((await events.seen!(event)) && counts.winBackStarted++)) : undefined,
      leaving.length > 0 ? store.leaveSegments(leaving).then(() => void (counts.left += leaving.length)) : undefined,
      predictionWrites.length > 0 ? store.putPredictions(predictionWrites).then(() => void (counts.predictionsWritten += predictionWrites.length)) : undefined,
      predictionDeletes.length > 0 ? store.deletePredictions(predictionDeletes).then(() => void (counts.predictionsDeleted += predictionDeletes.length)) : undefined,
    ]);
  };

  await scanAll(store, settings.scan.totalSegments, onPage);

  if (refit) {
    models = fitModels(sample, settings.models, ports.now().toISOString());
    await store.saveModels(models);
    modelsRefitted = true;
  }
  const segmentNames = [...known].sort();
  const snapshot = metrics.snapshot({
    computedAt: startedAt,
    segmentNames,
    model: {
      available: predictor !== undefined,
      ...modelsUsed(usedModels, predictor !== undefined),
      repeatBuyers: sample.repeatBuyers,
    },
  });
  const nextThresholds = distribution.thresholds(settings.value);
  await store.saveSnapshot(snapshot);
  await store.saveState({
    day: snapshot.day,
    computedAt: startedAt,
    ...(nextThresholds ? { thresholds: nextThresholds } : {}),
    bands: fixed ?? gaps.bands(settings.recency),
    ...(rfm.cuts() ? { rfmCuts: rfm.cuts()! } : {}),
    ...(rfmCuts ? { rfmTiers: rfmTiers.result(rfmCuts) } : {}),
    segments: snapshot.segments,
    customers: counts.customers,
    ...(indexForNightly ? { indexed: true } : {}),
  });
  const summary: RecomputeSummary = {
    day: snapshot.day,
    startedAt,
    durationMs: ports.now().getTime() - started.getTime(),
    bootstrapped,
    modelsRefitted,
    predictionsAvailable: predictor !== undefined,
    ...counts,
    segments: snapshot.segments,
  };
  await ports.publish?.(snapshot, summary);
  return summary;
}

/** What the snapshot says of the models: the fit the predictions used, or why there were none. */
function modelsUsed(models: FittedModels | undefined, predicted: boolean): { fittedAt?: string; reason?: string } {
  if (!models) return { reason: 'the models have not been fitted yet' };
  if (predicted) return { fittedAt: models.fittedAt };
  return { fittedAt: models.fittedAt, ...(models.reason ? { reason: models.reason } : {}) };
}
