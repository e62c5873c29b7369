/**
 * Per-customer predictions from the store's own history: the BG/NBD purchase model and the
 * Gamma-Gamma spend model (models/), fitted on the profiles' summaries in days (x = repeat purchase
 * days, tx = days from the first to the last order, T = days from the first order to today, mean
 * repeat value = net per repeat day in the customer's currency; see facts.ts).
 *
 * The fit reads a uniform sample of customers (reservoir sampling, `models.sampleSize`), so its
 * memory and time stay bounded whatever the size of the store; up to that many customers it reads
 * them all. Spend is modelled per currency, for each currency with enough repeat buyers. With fewer
 * than `models.minRepeatBuyers` repeat buyers in the whole store, the models are not fitted and the
 * store's predictions are "not yet available".
 */
import { bgnbdExpectedPurchases, bgnbdProbabilityAlive, fitBgnbd, type BgnbdParams, type RecencyFrequency } from '../models/bgnbd.ts';
import { customerLifetimeValue } from '../models/clv.ts';
import { fitGammaGamma, type GammaGammaParams } from '../models/gamma-gamma.ts';
import { seededRandom, type Random } from '../models/simulate.ts';
import { type CustomerFacts, isoDay } from './facts.ts';
import type { RecomputeSettings } from './settings.ts';

/** Expected purchases are predicted over this many days (the field is expectedPurchases90d). */
export const EXPECTED_PURCHASES_DAYS = 90;
/** Beyond ten years the next order is not expected at all (null). */
const NEXT_ORDER_HORIZON_DAYS = 3650;

export interface FittedModels {
  fittedAt: string;
  /** The models' time unit. */
  unit: 'day';
  available: boolean;
  /** Why predictions are not available. */
  reason?: string;
  customers: number;
  repeatBuyers: number;
  sampled: number;
  bgnbd?: BgnbdParams & { logLikelihood: number; converged: boolean };
  /** Spend model per currency. */
  gammaGamma: Record<string, GammaGammaParams & { customers: number; converged: boolean }>;
}

export interface CustomerPredictions {
  /** P(alive | x, tx, T). */
  pAlive: number;
  expectedPurchases90d: number;
  /** The day (00:00 UTC) by which one more purchase is expected; null when fewer than one is expected within ten years. */
  expectedNextOrderAt: string | null;
  /** Expected net spend over `models.clvHorizonDays` in minor units of `currency`; null without a spend model for it. */
  predictedClv: number | null;
  currency: string;
  fittedAt: string;
  /** The day the values were computed (YYYY-MM-DD); they are rewritten only when they move (see predictionsMoved). */
  asOf: string;
}

export type PredictionsView = CustomerPredictions | { available: false; reason: string };

/** The reservoir of customers the models are fitted on (Vitter's algorithm R), in typed arrays. */
export class ModelSample {
  readonly capacity: number;
  private readonly random: Random;
  private readonly x: Float64Array;
  private readonly tx: Float64Array;
  private readonly T: Float64Array;
  private readonly value: Float64Array;
  private readonly currency: Int32Array;
  private readonly currencies: string[] = [];
  private seen = 0;
  /** Repeat buyers in the whole store, and those with a positive mean value per currency. */
  repeatBuyers = 0;
  readonly spendersByCurrency: Record<string, number> = {};

  constructor(capacity: number, seed: number) {
    this.capacity = capacity;
    this.random = seededRandom(seed);
    this.x = new Float64Array(capacity);
    this.tx = new Float64Array(capacity);
    this.T = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
    this.currency = new Int32Array(capacity);
  }

  get customers(): number {
    return this.seen;
  }

  get size(): number {
    return Math.min(this.seen, this.capacity);
  }

  add(facts: CustomerFacts): void {
    const { x, tx, T, meanRepeatValue } = facts.model;
    if (x > 0) {
      this.repeatBuyers++;
      if (meanRepeatValue > 0) this.spendersByCurrency[facts.currency] = (this.spendersByCurrency[facts.currency] ?? 0) + 1;
    }
    const slot = this.seen < this.capacity ? this.seen : Math.floor(this.random() * (this.seen + 1));
    this.seen++;
    if (slot >= this.capacity) return;
    let currency = this.currencies.indexOf(facts.currency);
    if (currency < 0) currency = this.currencies.push(facts.currency) - 1;
    this.x[slot] = x;
    this.tx[slot] = tx;
    this.T[slot] = T;
    this.value[slot] = meanRepeatValue;
    this.currency[slot] = currency;
  }

  /**
   * Folds another sample in (scan segments read by separate functions): the merged sample is a
   * uniform sample of both populations, drawn from the two reservoirs in proportion to the
   * customers each saw, as drawing without replacement would.
   */
  merge(other: ModelSample): void {
    const take = Math.min(this.capacity, this.size + other.size);
    const mine = shuffled(this.size, this.random);
    const theirs = shuffled(other.size, this.random);
    let left = this.seen;
    let right = other.seen;
    const rows: { x: number; tx: number; T: number; value: number; currency: string }[] = [];
    while (rows.length < take) {
      const fromMine = mine.length > 0 && (theirs.length === 0 || this.random() * (left + right) < left);
      const [source, index] = fromMine ? [this, mine.pop() ?? 0] : [other, theirs.pop() ?? 0];
      if (fromMine) left--;
      else right--;
      rows.push({ x: source.x[index] ?? 0, tx: source.tx[index] ?? 0, T: source.T[index] ?? 0, value: source.value[index] ?? 0, currency: source.currencies[source.currency[index] ?? 0] ?? '' });
    }
    rows.forEach((row, slot) => {
      let currency = this.currencies.indexOf(row.currency);
      if (currency < 0) currency = this.currencies.push(row.currency) - 1;
      this.x[slot] = row.x;
      this.tx[slot] = row.tx;
      this.T[slot] = row.T;
      this.value[slot] = row.value;
      this.currency[slot] = currency;
    });
    this.seen += other.seen;
    this.repeatBuyers += other.repeatBuyers;
    for (const [currency, count] of Object.entries(other.spendersByCurrency)) this.spendersByCurrency[currency] = (this.spendersByCurrency[currency] ?? 0) + count;
  }

  *customersIn(): Generator<RecencyFrequency> {
    for (let i = 0; i < this.size; i++) yield { x: this.x[i] ?? 0, tx: this.tx[i] ?? 0, T: this.T[i] ?? 0 };
  }

  *spendersIn(currency: string): Generator<{ x: number; meanRepeatValue: number }> {
    const index = this.currencies.indexOf(currency);
    for (let i = 0; i < this.size; i++) {
      const x = this.x[i] ?? 0;
      const meanRepeatValue = this.value[i] ?? 0;
      if (this.currency[i] === index && x > 0 && meanRepeatValue > 0) yield { x, meanRepeatValue };
    }
  }
}

/** 0..count-1 in random order (Fisher-Yates). */
function shuffled(count: number, random: Random): number[] {
  const indexes = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j] ?? 0, indexes[i] ?? 0];
  }
  return indexes;
}

/** Fits both models on the sample, or says why predictions are not available. */
export function fitModels(sample: ModelSample, rules: RecomputeSettings['models'], fittedAt: string): FittedModels {
  const base = { fittedAt, unit: 'day' as const, customers: sample.customers, repeatBuyers: sample.repeatBuyers, sampled: sample.size, gammaGamma: {} };
  if (sample.repeatBuyers < rules.minRepeatBuyers) {
    return {
      ...base,
      available: false,
      reason: `${sample.repeatBuyers} customer(s) have bought again so far; predictions start at ${rules.minRepeatBuyers} repeat buyers`,
    };
  }
  const bgnbd = fitBgnbd(sample.customersIn());
  if (!bgnbd.converged) {
    return {
      ...base,
      available: false,
      reason: "the purchase model did not converge on the store's history; predictions would be noise",
      bgnbd: { ...bgnbd.params, logLikelihood: bgnbd.logLikelihood, converged: false },
    };
  }
  if (!predictsFinitely(bgnbd.params, sample)) {
    return {
      ...base,
      available: false,
      reason: "the purchase model fitted on the store's history gives no finite predictions; predictions would be noise",
      bgnbd: { ...bgnbd.params, logLikelihood: bgnbd.logLikelihood, converged: true },
    };
  }
  const gammaGamma: FittedModels['gammaGamma'] = {};
  for (const [currency, spenders] of Object.entries(sample.spendersByCurrency)) {
    if (spenders < rules.minRepeatBuyers) continue;
    const fit = fitGammaGamma(sample.spendersIn(currency));
    // The population mean spend p·γ/(q−1) exists only for q > 1; a fit that did not converge is noise.
    if (fit.converged && fit.params.q > 1) gammaGamma[currency] = { ...fit.params, customers: fit.customers, converged: true };
  }
  return { ...base, available: true, bgnbd: { ...bgnbd.params, logLikelihood: bgnbd.logLikelihood, converged: true }, gammaGamma };
}

/**
 * Whether the fitted purchase model answers with finite numbers for a probe of the sampled customers
 * (a store of very alike customers can fit parameters so large the series underneath overflow).
 */
function predictsFinitely(params: BgnbdParams, sample: ModelSample): boolean {
  const probe = [{ x: 0, tx: 0, T: 0 }];
  let taken = 0;
  for (const customer of sample.customersIn()) {
    if (taken++ >= 200) break;
    probe.push(customer);
  }
  return probe.every((customer) => Number.isFinite(bgnbdProbabilityAlive(params, customer)) && Number.isFinite(bgnbdExpectedPurchases(params, customer, EXPECTED_PURCHASES_DAYS)));
}

/** Whether the models are due for a refit (weekly by default; every run while unavailable). */
export function refitDue(models: FittedModels | undefined, now: Date, rules: RecomputeSettings['models']): boolean {
  if (!models || !models.available) return true;
  return now.getTime() - Date.parse(models.fittedAt) >= rules.refitEveryDays * 86_400_000 - 60_000;
}

/**
 * Predicts one customer at a time. Customers with the same (x, tx, T) share the BG/NBD part, so it
 * is kept in a bounded cache: one-time buyers of the same day, most of a store, cost one evaluation.
 */
export class Predictor {
  private readonly models: FittedModels & { bgnbd: BgnbdParams };
  private readonly today: number;
  private readonly rules: RecomputeSettings['models'];
  private readonly cache = new Map<string, { pAlive: number; expected: number; nextDays: number | null }>();

  constructor(models: FittedModels, today: number, rules: RecomputeSettings['models']) {
    if (!models.available || !models.bgnbd) throw new RangeError('predictions need available models');
    this.models = { ...models, bgnbd: models.bgnbd };
    this.today = today;
    this.rules = rules;
  }

  /** Undefined in the rare case the model gives no finite answer for this customer. */
  predict(facts: CustomerFacts): CustomerPredictions | undefined {
    const { x, tx, T, meanRepeatValue } = facts.model;
    const params = this.models.bgnbd;
    const key = `${x}|${tx}|${T}`;
    let purchase = this.cache.get(key);
    if (!purchase) {
      const customer = { x, tx, T };
      purchase = {
        pAlive: bgnbdProbabilityAlive(params, customer),
        expected: bgnbdExpectedPurchases(params, customer, EXPECTED_PURCHASES_DAYS),
        nextDays: daysToNextPurchase(params, customer),
      };
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(key, purchase);
    }
    if (!Number.isFinite(purchase.pAlive) || !Number.isFinite(purchase.expected)) return undefined;
    const spend = this.models.gammaGamma[facts.currency];
    const { monthlyDiscountRate, clvHorizonDays } = this.rules;
    const predictedClv = spend
      ? customerLifetimeValue(params, spend, { x, tx, T, meanRepeatValue }, {
          horizon: clvHorizonDays,
          ...(monthlyDiscountRate > 0 ? { discount: { ratePerPeriod: monthlyDiscountRate, periodLength: 30 } } : {}),
        })
      : null;
    return {
      pAlive: purchase.pAlive,
      expectedPurchases90d: purchase.expected,
      expectedNextOrderAt: purchase.nextDays === null ? null : `${isoDay(this.today + purchase.nextDays)}T00:00:00.000Z`,
      predictedClv: predictedClv === null || !Number.isFinite(predictedClv) ? null : predictedClv,
      currency: facts.currency,
      fittedAt: this.models.fittedAt,
      asOf: isoDay(this.today),
    };
  }
}

/**
 * The first whole day t (from today) with E[Y(t) | x, tx, T] >= 1: the horizon of
 * models/bgnbd.ts's bgnbdExpectedTimeToNextPurchase, found to the day (about 25 evaluations instead
 * of 60), which is all a date needs. Null beyond ten years.
 */
export function daysToNextPurchase(params: BgnbdParams, customer: RecencyFrequency): number | null {
  const expected = (t: number): number => bgnbdExpectedPurchases(params, customer, t);
  if (expected(NEXT_ORDER_HORIZON_DAYS) < 1) return null;
  let low = 0;
  let high = 1;
  while (expected(high) < 1) {
    low = high;
    high = Math.min(high * 2, NEXT_ORDER_HORIZON_DAYS);
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (expected(middle) < 1) low = middle;
    else high = middle;
  }
  return high;
}

/** Predictions rounded as they are stored: four decimals, the CLV in whole minor units. */
export function roundPredictions(predictions: CustomerPredictions): CustomerPredictions {
  const round = (value: number, digits: number): number => Number(value.toFixed(digits));
  return {
    ...predictions,
    pAlive: round(predictions.pAlive, 4),
    expectedPurchases90d: round(predictions.expectedPurchases90d, 4),
    predictedClv: predictions.predictedClv === null ? null : Math.round(predictions.predictedClv),
  };
}

/**
 * Whether stored predictions must be rewritten: after a refit, or once a value has moved enough to
 * matter. Time alone moves every customer a little each night (T grows), so rewriting on any change
 * would rewrite most of the store nightly; with these tolerances the stored values stay this close
 * to the truth: P(alive) 0.01, expected purchases 0.01 or 2 %, CLV 2 %, and the next order date 7
 * days or a tenth of how far ahead it was (a date two years out may move a couple of months: for a
 * customer slipping away it jumps by weeks from one night to the next). On CDNOW customers one night
 * later, 0.3 % of them need a rewrite.
 */
export function predictionsMoved(stored: CustomerPredictions | undefined, fresh: CustomerPredictions): boolean {
  if (!stored?.asOf || stored.fittedAt !== fresh.fittedAt || stored.currency !== fresh.currency) return true;
  if (Math.abs(stored.pAlive - fresh.pAlive) >= 0.01) return true;
  if (Math.abs(stored.expectedPurchases90d - fresh.expectedPurchases90d) >= Math.max(0.01, 0.02 * Math.abs(stored.expectedPurchases90d))) return true;
  if ((stored.expectedNextOrderAt === null) !== (fresh.expectedNextOrderAt === null)) return true;
  if (stored.expectedNextOrderAt && fresh.expectedNextOrderAt) {
    const storedAt = Date.parse(stored.expectedNextOrderAt);
    const tolerance = Math.max(7 * 86_400_000, 0.1 * (storedAt - Date.parse(`${stored.asOf}T00:00:00.000Z`)));
    if (Math.abs(storedAt - Date.parse(fresh.expectedNextOrderAt)) >= tolerance) return true;
  }
  if ((stored.predictedClv === null) !== (fresh.predictedClv === null)) return true;
  if (stored.predictedClv !== null && fresh.predictedClv !== null && Math.abs(stored.predictedClv - fresh.predictedClv) > Math.max(1, 0.02 * Math.abs(stored.predictedClv))) return true;
  return false;
}

/** Why a customer without a predictions item has none. */
export function unavailableReason(models: Pick<FittedModels, 'available' | 'reason'> | undefined): string {
  if (!models) return 'predictions are not yet available: the nightly recompute has not fitted the models yet';
  if (!models.available) return `predictions are not yet available: ${models.reason ?? 'too little history'}`;
  return 'predictions are not yet available for this customer: they appear after the next nightly recompute';
}
