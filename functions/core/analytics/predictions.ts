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
 *
 * Both models are fitted by maximum a posteriori with the weakly informative priors documented in
 * models/bgnbd.ts and models/gamma-gamma.ts: on a large store the answer is the maximum-likelihood
 * one (within 1 % on CDNOW), and a small store's fit stays off the flat edges of the likelihood.
 * That is what lets predictions start at 20 repeat buyers (the default of `models.minRepeatBuyers`,
 * 200 when the fit was by maximum likelihood). Each prediction carries an 80 % credible interval
 * (`intervals`) from the Laplace approximation of the posterior: {@link INTERVAL_DRAWS} parameter
 * draws around the MAP, each giving the customer's P(alive), expected purchases and CLV; the 10th
 * and 90th percentiles over the draws are the interval. `purchases90d` is the interval of the
 * number of orders itself (the draws' parameters and the customer's own chance), which is what the
 * holdout counts fall into (tests/unit/models/small-stores.test.ts measures how often). Draws cost
 * about 14 times the point predictions (`npm run bench -- models`: CDNOW's 23,570 customers in days,
 * 11,104 distinct histories, 2.65 s against 0.19 s; the delta method below, 0.71 s),
 * so above {@link DRAWN_INTERVALS_UP_TO} customers, where the posterior is narrow and close to
 * normal, P(alive), expected purchases and CLV take the delta method instead (models/intervals.ts:
 * one extra evaluation per parameter), and the count's interval mixes P(alive) at the MAP with the
 * counts simulated for a customer still alive, which depend on (x, T) only and are kept per (x, T).
 */
import { bgnbdExpectedPurchases, bgnbdProbabilityAlive, fitBgnbd, type BgnbdParams, type RecencyFrequency } from '../models/bgnbd.ts';
import { customerLifetimeValue, discountedExpectedPurchases } from '../models/clv.ts';
import { fitGammaGamma, gammaGammaExpectedSpend, type GammaGammaParams } from '../models/gamma-gamma.ts';
import { bgnbdParameterDraws, bgnbdPurchaseDraws, countInterval, credibleInterval, deltaInterval, laplaceParameterDraws, type Interval } from '../models/intervals.ts';
import { seededRandom, type Random } from '../models/simulate.ts';
import { type CustomerFacts, isoDay } from './facts.ts';
import type { RecomputeSettings } from './settings.ts';

/** Expected purchases are predicted over this many days (the field is expectedPurchases90d). */
export const EXPECTED_PURCHASES_DAYS = 90;
/** Beyond ten years the next order is not expected at all (null). */
const NEXT_ORDER_HORIZON_DAYS = 3650;
/** Parameter draws from the Laplace approximation behind each credible interval. */
export const INTERVAL_DRAWS = 40;
/** Simulated futures per parameter draw for the interval of the number of orders. */
const COUNT_SIMULATIONS_PER_DRAW = 5;
/** Credible level of the intervals: the 10th to the 90th percentile. */
export const INTERVAL_LEVEL = 0.8;
/** Φ⁻¹(0.9): the half-width of the 80 % interval in standard deviations (delta method). */
const INTERVAL_Z = 1.2815515655446004;
/** Stores up to this many customers get intervals from parameter draws; larger ones from the delta method. */
export const DRAWN_INTERVALS_UP_TO = 25_000;

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
  bgnbd?: BgnbdParams & {
    logLikelihood: number;
    converged: boolean;
    /** Covariance of (ln r, ln α, ln a, ln b) at the MAP (Laplace approximation); absent on fits stored before intervals. */
    covariance?: number[][];
  };
  /** Spend model per currency. */
  gammaGamma: Record<string, GammaGammaParams & { customers: number; converged: boolean; /** Covariance of (ln p, ln q, ln γ) at the MAP. */ covariance?: number[][] }>;
}

export type { Interval } from '../models/intervals.ts';

/** 80 % credible intervals of a customer's predictions (see the top of this module). */
export interface PredictionIntervals {
  level: number;
  pAlive: Interval;
  expectedPurchases90d: Interval;
  /** The number of orders in the next 90 days (whole numbers): parameter uncertainty and the customer's own chance together. */
  purchases90d: Interval;
  /** Null when predictedClv is. */
  predictedClv: Interval | null;
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
  /** 80 % credible intervals; absent when the fit gave no usable covariance. */
  intervals?: PredictionIntervals;
}

export type PredictionsView = CustomerPredictions | { available: false; reason: string };

/** A ModelSample as JSON: its counts and its rows, column by column. */
export interface ModelSampleState {
  capacity: number;
  seen: number;
  repeatBuyers: number;
  spendersByCurrency: Record<string, number>;
  currencies: string[];
  x: number[];
  tx: number[];
  T: number[];
  value: number[];
  currency: number[];
}

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

  toJSON(): ModelSampleState {
    const rows = <T extends Float64Array | Int32Array>(column: T) => Array.from(column.subarray(0, this.size));
    return {
      capacity: this.capacity,
      seen: this.seen,
      repeatBuyers: this.repeatBuyers,
      spendersByCurrency: { ...this.spendersByCurrency },
      currencies: [...this.currencies],
      x: rows(this.x),
      tx: rows(this.tx),
      T: rows(this.T),
      value: rows(this.value),
      currency: rows(this.currency),
    };
  }

  /** The sample `state` describes, drawing further (merge) from a generator seeded with `seed`. */
  static fromJSON(state: ModelSampleState, seed: number): ModelSample {
    const sample = new ModelSample(state.capacity, seed);
    sample.seen = state.seen;
    sample.repeatBuyers = state.repeatBuyers;
    Object.assign(sample.spendersByCurrency, state.spendersByCurrency);
    sample.currencies.push(...state.currencies);
    sample.x.set(state.x);
    sample.tx.set(state.tx);
    sample.T.set(state.T);
    sample.value.set(state.value);
    sample.currency.set(state.currency);
    return sample;
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
  const bgnbd = fitBgnbd(sample.customersIn(), { prior: 'weak' });
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
  const covariance = bgnbd.covariance && drawsPredictFinitely(bgnbd.params, bgnbd.covariance, sample) ? { covariance: bgnbd.covariance } : {};
  const gammaGamma: FittedModels['gammaGamma'] = {};
  for (const [currency, spenders] of Object.entries(sample.spendersByCurrency)) {
    if (spenders < rules.minRepeatBuyers) continue;
    const fit = fitGammaGamma(sample.spendersIn(currency), { prior: 'weak' });
    // The population mean spend p·γ/(q−1) exists only for q > 1; a fit that did not converge is noise.
    if (fit.converged && fit.params.q > 1) {
      gammaGamma[currency] = { ...fit.params, customers: fit.customers, converged: true, ...(fit.covariance ? { covariance: fit.covariance } : {}) };
    }
  }
  return { ...base, available: true, bgnbd: { ...bgnbd.params, logLikelihood: bgnbd.logLikelihood, converged: true, ...covariance }, gammaGamma };
}

function bgnbdDraws(params: BgnbdParams, covariance: readonly (readonly number[])[], seed: number): BgnbdParams[] {
  return bgnbdParameterDraws(seededRandom(seed), params, covariance, INTERVAL_DRAWS);
}

/** Whether every parameter draw answers finitely for the probe of {@link predictsFinitely}; intervals are left out otherwise. */
function drawsPredictFinitely(params: BgnbdParams, covariance: readonly (readonly number[])[], sample: ModelSample): boolean {
  return bgnbdDraws(params, covariance, 1).every((draw) => predictsFinitely(draw, sample));
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
  private readonly cache = new Map<string, { pAlive: number; expected: number; nextDays: number | null; drawn?: DrawnPurchases }>();
  /** Parameter draws of the purchase model (empty without a covariance), and of the spend model per currency. */
  private readonly purchaseDraws: BgnbdParams[];
  private readonly spendDraws = new Map<string, GammaGammaParams[]>();
  /** Delta method: simulated 90-day counts of a customer alive today, sorted, per (x, T). */
  private readonly aliveCounts = new Map<string, Float64Array>();

  constructor(models: FittedModels, today: number, rules: RecomputeSettings['models']) {
    if (!models.available || !models.bgnbd) throw new RangeError('predictions need available models');
    this.models = { ...models, bgnbd: models.bgnbd };
    this.today = today;
    this.rules = rules;
    const { covariance } = models.bgnbd;
    this.purchaseDraws = covariance ? bgnbdDraws(models.bgnbd, covariance, rules.seed) : [];
    for (const [currency, spend] of Object.entries(models.gammaGamma)) {
      if (!spend.covariance) continue;
      const draws = laplaceParameterDraws(seededRandom(rules.seed + 1), [spend.p, spend.q, spend.gamma], spend.covariance, INTERVAL_DRAWS).map(([p = 0, q = 0, gamma = 0]) => ({ p, q, gamma }));
      this.spendDraws.set(currency, draws);
    }
  }

  /** The CLV's purchase part (at a value of 1 per purchase), discounted as the point value is. */
  private clvPurchases(params: BgnbdParams, customer: RecencyFrequency): number {
    const { monthlyDiscountRate, clvHorizonDays } = this.rules;
    return discountedExpectedPurchases(params, customer, {
      horizon: clvHorizonDays,
      ...(monthlyDiscountRate > 0 ? { discount: { ratePerPeriod: monthlyDiscountRate, periodLength: 30 } } : {}),
    });
  }

  /** Whether this store's intervals come from the delta method rather than from parameter draws. */
  private get byDelta(): boolean {
    return this.models.customers > DRAWN_INTERVALS_UP_TO;
  }

  /** Per parameter draw (or by the delta method): P(alive), expected purchases in 90 days, the CLV's purchase part; and the 90-day count interval. */
  private drawPurchases(customer: RecencyFrequency): DrawnPurchases | undefined {
    const { covariance } = this.models.bgnbd;
    if (this.purchaseDraws.length === 0 || !covariance) return undefined;
    if (this.byDelta) {
      const count = this.mixedCountInterval(customer);
      const { r, alpha, a, b } = this.models.bgnbd;
      const point = [r, alpha, a, b].map(Math.log);
      const at = (f: (params: BgnbdParams) => number) => (lnPoint: readonly number[]): number => {
        const [lr = 0, lalpha = 0, la = 0, lb = 0] = lnPoint;
        return f({ r: Math.exp(lr), alpha: Math.exp(lalpha), a: Math.exp(la), b: Math.exp(lb) });
      };
      const drawn = {
        pAlive: deltaInterval(at((params) => bgnbdProbabilityAlive(params, customer)), point, covariance, INTERVAL_Z, 'logit'),
        expected: deltaInterval(at((params) => bgnbdExpectedPurchases(params, customer, EXPECTED_PURCHASES_DAYS)), point, covariance, INTERVAL_Z, 'log'),
        count,
        clvPurchases: [],
        clvPurchasesLog: deltaLog(at((params) => this.clvPurchases(params, customer)), point, covariance),
      };
      return [...drawn.pAlive, ...drawn.expected, ...drawn.clvPurchasesLog].every(Number.isFinite) ? drawn : undefined;
    }
    const random = seededRandom(hashOf(`${customer.x}|${customer.tx}|${customer.T}`) ^ this.rules.seed);
    const { pAlive, expected, counts } = bgnbdPurchaseDraws(random, this.purchaseDraws, customer, EXPECTED_PURCHASES_DAYS, COUNT_SIMULATIONS_PER_DRAW);
    const clvPurchases = this.purchaseDraws.map((params) => this.clvPurchases(params, customer));
    if (![...pAlive, ...expected, ...clvPurchases].every(Number.isFinite)) return undefined;
    return { pAlive: interval(pAlive), expected: interval(expected), count: countInterval(counts, INTERVAL_LEVEL), clvPurchases };
  }

  /**
   * The count interval of the delta method: with P(alive) = π at the MAP and F the distribution of
   * the counts of a customer alive today (simulated under the parameter draws), the count's
   * distribution is (1 − π)·[0] + π·F, and its quantiles are read off that mixture.
   */
  private mixedCountInterval(customer: RecencyFrequency): Interval {
    const key = `${customer.x}|${customer.T}`;
    let alive = this.aliveCounts.get(key);
    if (!alive) {
      const random = seededRandom(hashOf(key) ^ this.rules.seed);
      alive = Float64Array.from(bgnbdPurchaseDraws(random, this.purchaseDraws, { ...customer, tx: customer.T }, EXPECTED_PURCHASES_DAYS, COUNT_SIMULATIONS_PER_DRAW, false).counts).sort();
      if (this.aliveCounts.size >= 100_000) this.aliveCounts.clear();
      this.aliveCounts.set(key, alive);
    }
    const pAlive = bgnbdProbabilityAlive(this.models.bgnbd, customer);
    const quantileOf = (q: number): number => {
      // The smallest count y with (1 − π) + π·F(y) ≥ q.
      if (1 - pAlive >= q) return 0;
      const within = (q - (1 - pAlive)) / pAlive;
      return alive[Math.min(alive.length - 1, Math.max(0, Math.ceil(within * alive.length) - 1))] ?? 0;
    };
    const tail = (1 - INTERVAL_LEVEL) / 2;
    return [quantileOf(tail), quantileOf(1 - tail)];
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
      const drawn = this.drawPurchases(customer);
      if (drawn) purchase.drawn = drawn;
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
    const clvValue = predictedClv === null || !Number.isFinite(predictedClv) ? null : predictedClv;
    const intervals = purchase.drawn ? this.intervalsOf(purchase.drawn, facts, clvValue) : undefined;
    return {
      pAlive: purchase.pAlive,
      expectedPurchases90d: purchase.expected,
      expectedNextOrderAt: purchase.nextDays === null ? null : `${isoDay(this.today + purchase.nextDays)}T00:00:00.000Z`,
      predictedClv: clvValue,
      currency: facts.currency,
      fittedAt: this.models.fittedAt,
      asOf: isoDay(this.today),
      ...(intervals ? { intervals } : {}),
    };
  }

  /**
   * The CLV interval pairs the i-th purchase draw with the i-th spend draw (the two models are
   * independent, so this is a draw of their product); without spend draws the spend is the point one.
   */
  private intervalsOf(drawn: DrawnPurchases, facts: CustomerFacts, clv: number | null): PredictionIntervals {
    let predictedClv: Interval | null = null;
    const spend = this.models.gammaGamma[facts.currency];
    if (clv !== null && spend && drawn.clvPurchasesLog) {
      // ln CLV = ln(purchase part) + ln(spend), the two models independent: their variances add.
      const observation = { x: facts.model.x, meanRepeatValue: facts.model.meanRepeatValue };
      const [purchaseCentre, purchaseVariance] = drawn.clvPurchasesLog;
      const spendLog = spend.covariance
        ? deltaLog(([lp = 0, lq = 0, lgamma = 0]) => gammaGammaExpectedSpend({ p: Math.exp(lp), q: Math.exp(lq), gamma: Math.exp(lgamma) }, observation), [spend.p, spend.q, spend.gamma].map(Math.log), spend.covariance)
        : ([Math.log(gammaGammaExpectedSpend(spend, observation)), 0] as const);
      const spread = INTERVAL_Z * Math.sqrt(purchaseVariance + spendLog[1]);
      const centre = purchaseCentre + spendLog[0];
      predictedClv = Number.isFinite(spread) && Number.isFinite(centre) ? [Math.exp(centre - spread), Math.exp(centre + spread)] : null;
    } else if (clv !== null && spend) {
      const observation = { x: facts.model.x, meanRepeatValue: facts.model.meanRepeatValue };
      const spendDraws = this.spendDraws.get(facts.currency);
      const values = drawn.clvPurchases.map((purchases, i) => purchases * gammaGammaExpectedSpend(spendDraws?.[i] ?? spend, observation));
      predictedClv = values.every(Number.isFinite) ? interval(values) : null;
    }
    return { level: INTERVAL_LEVEL, pAlive: drawn.pAlive, expectedPurchases90d: drawn.expected, purchases90d: drawn.count, predictedClv };
  }
}

interface DrawnPurchases {
  pAlive: Interval;
  expected: Interval;
  count: Interval;
  /** Per purchase draw, the CLV over the horizon at a spend of 1 per purchase (empty by the delta method). */
  clvPurchases: number[];
  /** By the delta method: ln of that purchase part at the MAP and its variance. */
  clvPurchasesLog?: readonly [centre: number, variance: number];
}

/** ln f(θ̂) and the delta-method variance of ln f: the pieces of {@link deltaInterval} on the log scale. */
function deltaLog(value: (point: readonly number[]) => number, point: readonly number[], covariance: readonly (readonly number[])[]): readonly [number, number] {
  const [low, high] = deltaInterval(value, point, covariance, 1, 'log');
  const centre = (Math.log(low) + Math.log(high)) / 2;
  const sd = (Math.log(high) - Math.log(low)) / 2;
  return [centre, sd * sd];
}

function interval(values: readonly number[]): Interval {
  return credibleInterval(values, INTERVAL_LEVEL);
}

/** FNV-1a hash of a string: the per-customer seed of the simulated counts, so they do not depend on the order customers come in. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
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

/** Predictions rounded as they are stored: four decimals, the CLV in whole minor units (their intervals likewise). */
export function roundPredictions(predictions: CustomerPredictions): CustomerPredictions {
  const round = (value: number, digits: number): number => Number(value.toFixed(digits));
  const four = ([low, high]: Interval): Interval => [round(low, 4), round(high, 4)];
  const { intervals } = predictions;
  return {
    ...predictions,
    pAlive: round(predictions.pAlive, 4),
    expectedPurchases90d: round(predictions.expectedPurchases90d, 4),
    predictedClv: predictions.predictedClv === null ? null : Math.round(predictions.predictedClv),
    ...(intervals
      ? {
          intervals: {
            ...intervals,
            pAlive: four(intervals.pAlive),
            expectedPurchases90d: four(intervals.expectedPurchases90d),
            predictedClv: intervals.predictedClv === null ? null : [Math.round(intervals.predictedClv[0]), Math.round(intervals.predictedClv[1])],
          },
        }
      : {}),
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
  // Intervals move with the values below; they are written when they first appear or go.
  if ((stored.intervals === undefined) !== (fresh.intervals === undefined)) return true;
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
