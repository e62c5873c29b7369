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
import { type CustomerFacts, dayOfDate, type FactWindows, customerFacts, isoDay } from './facts.ts';
import { MetricsAccumulator, type FeedbackAnswer, type JourneyEntryRecord, type MetricsAccumulatorState, type MetricsSnapshot } from './metrics.ts';
import { fitModels, ModelSample, Predictor, refitDue, predictionsMoved, roundPredictions, type CustomerPredictions, type FittedModels, type ModelSampleState } from './predictions.ts';
import { builtInMemberships, builtInSegments, matchesFilter, type SegmentDefinition, type ValueThresholds } from './segments.ts';
import type { RecomputeSettings } from './settings.ts';
import { ValueDistribution, type ValueDistributionState } from './thresholds.ts';
import { mapLimit } from './map-limit.ts';
import { bandsFor, fixedBands, GapDistribution, type GapDistributionState, type StoreBands } from './bands.ts';
import { isRfmCell, rfmCell, RfmDistribution, type RfmDistributionState, rfmScores, rfmSubject, RfmTierCounter, type RfmCuts, type RfmTiers } from './rfm.ts';
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

/** Reads every scan segment with one worker each (the observing pass). */
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

/**
 * What every key range of one night classifies by, fixed before the first range runs and kept with
 * the night (a range re-run after a failure classifies as its siblings did): yesterday's thresholds,
 * bands, cut points and models (or tonight's observing pass on a first night), the definitions.
 */
export interface NightBasis {
  day: string;
  startedAt: string;
  /** Key ranges of the night: scan segments of the index, 0..ranges-1. */
  ranges: number;
  thresholds?: ValueThresholds;
  bands: StoreBands;
  /** The bands are the settings' override, kept as they are for tomorrow. */
  fixedBands: boolean;
  rfmCuts?: RfmCuts;
  models?: FittedModels;
  /** The models are refitted from tonight's sample once every range has run. */
  refit: boolean;
  bootstrapped: boolean;
  modelsRefitted: boolean;
  definitions: SegmentDefinition[];
  /** The store reads an index (RecomputeStore.indexForNightly), complete since this night's plan. */
  indexed: boolean;
}

export type RangeCounts = Omit<RecomputeSummary, 'day' | 'startedAt' | 'durationMs' | 'bootstrapped' | 'modelsRefitted' | 'predictionsAvailable' | 'segments'>;

/**
 * What one key range leaves for the merge, as JSON: its part of every store-wide accumulator and
 * its counts. The merge adds them up in range order, so the night's result does not depend on
 * which range finished first, nor on whether the ranges ran in one function or in a Map.
 */
export interface RangeResult {
  range: number;
  counts: RangeCounts;
  distribution: ValueDistributionState;
  gaps: GapDistributionState;
  rfm: RfmDistributionState;
  rfmTiers: ReturnType<RfmTierCounter['toJSON']>;
  sample: ModelSampleState;
  metrics: MetricsAccumulatorState;
}

/**
 * Fixes the night's basis: reads yesterday's state, models and definitions; gives older items
 * their index key; on a first night (no thresholds, bands or models) makes the observing pass and
 * fits the models from it. `ranges` is how many key ranges the night is cut into.
 */
export async function planNight(ports: RecomputePorts, settings: RecomputeSettings, options: { refitModels?: boolean; ranges?: number } = {}): Promise<NightBasis> {
  const { store } = ports;
  const log = ports.log ?? (() => undefined);
  const started = ports.now();
  const startedAt = started.toISOString();
  const today = dayOfDate(started);
  const ranges = options.ranges ?? settings.scan.totalSegments;
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
  return {
    day: isoDay(today),
    startedAt,
    ranges,
    ...(thresholds ? { thresholds } : {}),
    bands: bands ?? new GapDistribution().bands(settings.recency),
    fixedBands: fixed !== undefined,
    ...(rfmCuts ? { rfmCuts } : {}),
    ...(models ? { models } : {}),
    refit,
    bootstrapped,
    modelsRefitted,
    definitions,
    indexed: indexForNightly !== undefined,
  };
}

/**
 * One key range of the night (scan segment `range` of `basis.ranges`): classifies its customers,
 * writes what changed for them, tells the segment events, and returns its part of the store-wide
 * accumulators for the merge. Re-running a range is harmless: entries are conditional puts, and
 * only what still differs is written.
 */
export async function recomputeRange(ports: RecomputePorts, settings: RecomputeSettings, basis: NightBasis, range: number): Promise<RangeResult> {
  const { store, events } = ports;
  const log = ports.log ?? (() => undefined);
  const { startedAt, definitions, thresholds, rfmCuts } = basis;
  const today = dayOfDate(new Date(startedAt));
  const windows = factWindows(settings);
  const usedModels = basis.models;
  const predictor = usedModels?.available ? new Predictor(usedModels, today, settings.models) : undefined;
  const distribution = new ValueDistribution();
  const gaps = new GapDistribution();
  const rfm = new RfmDistribution();
  const rfmTiers = new RfmTierCounter();
  const usedBands = basis.bands;
  const sample = new ModelSample(settings.models.sampleSize, settings.models.seed + range);
  const metrics = new MetricsAccumulator(today, settings);
  const counts: RangeCounts = { customers: 0, journeyEntries: 0, feedbackAnswers: 0, entered: 0, left: 0, failedEvents: 0, winBackStarted: 0, predictionsWritten: 0, predictionsDeleted: 0 };
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

  for await (const page of store.scan(range, basis.ranges)) await onPage(page);
  return {
    range,
    counts,
    distribution: distribution.toJSON(),
    gaps: gaps.toJSON(),
    rfm: rfm.toJSON(),
    rfmTiers: rfmTiers.toJSON(),
    sample: sample.toJSON(),
    metrics: metrics.toJSON(),
  };
}

/**
 * The end of the night, once every range has run: adds the ranges' parts up in range order, refits
 * the models when due, and saves the snapshot and tomorrow's state (thresholds, bands, cut points).
 */
export async function finishNight(ports: RecomputePorts, settings: RecomputeSettings, basis: NightBasis, results: readonly RangeResult[]): Promise<RecomputeSummary> {
  const { store } = ports;
  const ordered = [...results].sort((u, v) => u.range - v.range);
  const missing = Array.from({ length: basis.ranges }, (_, range) => range).filter((range) => ordered[range]?.range !== range);
  if (ordered.length !== basis.ranges || missing.length > 0) throw new Error(`the night ${basis.day} misses key ranges ${missing.join(', ')} of ${basis.ranges}`);
  const { startedAt, rfmCuts } = basis;
  const today = dayOfDate(new Date(startedAt));
  const [first, ...rest] = ordered as [RangeResult, ...RangeResult[]];
  const distribution = ValueDistribution.fromJSON(first.distribution);
  const gaps = GapDistribution.fromJSON(first.gaps);
  const rfm = RfmDistribution.fromJSON(first.rfm);
  const rfmTiers = RfmTierCounter.fromJSON(first.rfmTiers);
  const sample = ModelSample.fromJSON(first.sample, settings.models.seed);
  const metrics = MetricsAccumulator.fromJSON(first.metrics, today, settings);
  const counts: RangeCounts = { ...first.counts };
  for (const result of rest) {
    distribution.merge(ValueDistribution.fromJSON(result.distribution));
    gaps.merge(GapDistribution.fromJSON(result.gaps));
    rfm.merge(RfmDistribution.fromJSON(result.rfm));
    rfmTiers.merge(RfmTierCounter.fromJSON(result.rfmTiers));
    sample.merge(ModelSample.fromJSON(result.sample, settings.models.seed + result.range));
    metrics.merge(MetricsAccumulator.fromJSON(result.metrics, today, settings));
    for (const key of Object.keys(counts) as (keyof RangeCounts)[]) counts[key] += result.counts[key];
  }

  const usedModels = basis.models;
  const predicted = usedModels?.available === true;
  let modelsRefitted = basis.modelsRefitted;
  if (basis.refit) {
    await store.saveModels(fitModels(sample, settings.models, ports.now().toISOString()));
    modelsRefitted = true;
  }
  const known = new Set<string>([...builtInSegments, ...basis.definitions.map((definition) => definition.name)]);
  const snapshot = metrics.snapshot({
    computedAt: startedAt,
    segmentNames: [...known].sort(),
    model: { available: predicted, ...modelsUsed(usedModels, predicted), repeatBuyers: sample.repeatBuyers },
  });
  const nextThresholds = distribution.thresholds(settings.value);
  const nextCuts = rfm.cuts();
  await store.saveSnapshot(snapshot);
  await store.saveState({
    day: snapshot.day,
    computedAt: startedAt,
    ...(nextThresholds ? { thresholds: nextThresholds } : {}),
    bands: basis.fixedBands ? basis.bands : gaps.bands(settings.recency),
    ...(nextCuts ? { rfmCuts: nextCuts } : {}),
    ...(rfmCuts ? { rfmTiers: rfmTiers.result(rfmCuts) } : {}),
    segments: snapshot.segments,
    customers: counts.customers,
    ...(basis.indexed ? { indexed: true } : {}),
  });
  const summary: RecomputeSummary = {
    day: snapshot.day,
    startedAt,
    durationMs: ports.now().getTime() - new Date(startedAt).getTime(),
    bootstrapped: basis.bootstrapped,
    modelsRefitted,
    predictionsAvailable: predicted,
    ...counts,
    segments: snapshot.segments,
  };
  await ports.publish?.(snapshot, summary);
  return summary;
}

/**
 * The whole night in one function: the plan, every key range at once (one scan worker each), the
 * merge. The nightly state machine (workflows/nightly.asl.json) runs the same three steps with each
 * range in a Map child; both give the same result.
 */
export async function recompute(ports: RecomputePorts, settings: RecomputeSettings, options: { refitModels?: boolean } = {}): Promise<RecomputeSummary> {
  const basis = await planNight(ports, settings, options);
  const results = await Promise.all(Array.from({ length: basis.ranges }, (_, range) => recomputeRange(ports, settings, basis, range)));
  return finishNight(ports, settings, basis, results);
}

/** What the snapshot says of the models: the fit the predictions used, or why there were none. */
function modelsUsed(models: FittedModels | undefined, predicted: boolean): { fittedAt?: string; reason?: string } {
  if (!models) return { reason: 'the models have not been fitted yet' };
  if (predicted) return { fittedAt: models.fittedAt };
  return { fittedAt: models.fittedAt, ...(models.reason ? { reason: models.reason } : {}) };
}
