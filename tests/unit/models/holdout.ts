/**
 * Holdout evaluation on CDNOW subsamples (shared by small-stores.test.ts and the models benchmark):
 * customers drawn at random from the master file (23,570 customers, seeded), calibration
 * 1997-01-01..1997-09-30 and holdout 1997-10-01..1998-06-30 (39 weeks each, as in Fader, Hardie &
 * Lee 2005), the unit the week. For each draw, three predictions of every customer's holdout repeat
 * purchases (purchase days, as x counts them): BG/NBD by MAP, BG/NBD by maximum likelihood, and the
 * naive "she repeats at her own calibration rate" x/T · 39; and the 80 % interval of the count from
 * the MAP's Laplace approximation.
 */
import { readFileSync } from 'node:fs';
import {
  bgnbdExpectedPurchases,
  bgnbdParameterDraws,
  bgnbdPurchaseDraws,
  countInterval,
  createSummaryBuilder,
  dayNumber,
  fitBgnbd,
  seededRandom,
} from '../../../functions/core/models/index.ts';
import type { BgnbdFit, CustomerSummary } from '../../../functions/core/models/index.ts';

export const calibrationEnd = '1997-09-30';
const holdoutEnd = '1998-06-30';
/** Weeks of the holdout period. */
export const holdoutWeeks = 39;

export interface CdnowCustomer {
  /** Purchase day numbers, sorted. */
  days: number[];
  amounts: number[];
}

export function readCdnowMaster(): CdnowCustomer[] {
  const byCustomer = new Map<string, CdnowCustomer>();
  const lines = readFileSync(new URL('../../fixtures/cdnow/CDNOW_master.txt', import.meta.url), 'utf8').split('\n');
  for (let i = 1; i < lines.length; i++) {
    const [customerId, date, , dollars] = (lines[i] ?? '').trim().split(/\s+/);
    if (!customerId || !date || dollars === undefined) continue;
    let customer = byCustomer.get(customerId);
    if (!customer) {
      customer = { days: [], amounts: [] };
      byCustomer.set(customerId, customer);
    }
    customer.days.push(dayNumber(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`));
    customer.amounts.push(Number(dollars));
  }
  return [...byCustomer.values()].map((customer) => {
    const order = customer.days.map((_, i) => i).sort((i, j) => (customer.days[i] ?? 0) - (customer.days[j] ?? 0));
    return { days: order.map((i) => customer.days[i] ?? 0), amounts: order.map((i) => customer.amounts[i] ?? 0) };
  });
}

/** Calibration summaries (weeks) and holdout purchase days of some customers. */
export function calibrationAndHoldout(customers: readonly CdnowCustomer[]): { summaries: CustomerSummary[]; holdout: number[] } {
  const builder = createSummaryBuilder({ calibrationEnd, unit: 'week' });
  const end = dayNumber(calibrationEnd);
  const last = dayNumber(holdoutEnd);
  const holdout: number[] = [];
  customers.forEach((customer, index) => {
    customer.days.forEach((day, i) => builder.add(String(index), day, customer.amounts[i] ?? 0));
    holdout.push(new Set(customer.days.filter((day) => day > end && day <= last)).size);
  });
  return { summaries: builder.finish(), holdout };
}

/** `count` customers drawn without replacement (partial Fisher–Yates). */
export function drawCustomers<T>(population: readonly T[], count: number, seed: number): T[] {
  const random = seededRandom(seed);
  const indexes = population.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (indexes.length - i));
    [indexes[i], indexes[j]] = [indexes[j] ?? 0, indexes[i] ?? 0];
  }
  return indexes.slice(0, count).map((i) => population[i] as T);
}

export interface DrawResult {
  customers: number;
  repeatBuyers: number;
  /** Mean absolute error per customer of the predicted holdout purchases. */
  mae: { map: number; mle: number; naive: number };
  /** Root mean squared error per customer. */
  rmse: { map: number; mle: number; naive: number };
  mapConverged: boolean;
  /** Maximum likelihood met its tolerances away from the edges of the search box and predicts finitely for every customer. */
  mleUsable: boolean;
  /** Share of customers whose holdout count lies in their 80 % interval (NaN without a covariance). */
  coverage: number;
  /** Mean width of those intervals, in purchases. */
  meanWidth: number;
}

const errors = (predicted: readonly number[], actual: readonly number[]): { mae: number; rmse: number } => {
  let absolute = 0;
  let squared = 0;
  predicted.forEach((value, i) => {
    const error = value - (actual[i] ?? 0);
    absolute += Math.abs(error);
    squared += error * error;
  });
  return { mae: absolute / predicted.length, rmse: Math.sqrt(squared / predicted.length) };
};

/** Fits both ways on one subsample and scores the holdout. */
export function evaluateDraw(population: readonly CdnowCustomer[], size: number, seed: number, draws = 40, simulationsPerDraw = 5): DrawResult {
  const { summaries, holdout } = calibrationAndHoldout(drawCustomers(population, size, seed));
  const map = fitBgnbd(summaries, { prior: 'weak' });
  const mle = fitBgnbd(summaries);
  const predict = (fit: BgnbdFit): number[] => summaries.map((customer) => bgnbdExpectedPurchases(fit.params, customer, holdoutWeeks));
  const naive = summaries.map(({ x, T }) => (T > 0 ? (x / T) * holdoutWeeks : 0));
  const mlePredictions = predict(mle);
  const [mapErrors, mleErrors, naiveErrors] = [predict(map), mlePredictions, naive].map((predicted) => errors(predicted, holdout)) as [
    ReturnType<typeof errors>,
    ReturnType<typeof errors>,
    ReturnType<typeof errors>,
  ];
  let covered = 0;
  let width = 0;
  if (map.covariance) {
    const random = seededRandom(seed + 1);
    const parameterDraws = bgnbdParameterDraws(random, map.params, map.covariance, draws);
    summaries.forEach((customer, i) => {
      const [low, high] = countInterval(bgnbdPurchaseDraws(random, parameterDraws, customer, holdoutWeeks, simulationsPerDraw, false).counts, 0.8);
      const actual = holdout[i] ?? 0;
      if (actual >= low && actual <= high) covered++;
      width += high - low;
    });
  }
  return {
    customers: summaries.length,
    repeatBuyers: summaries.filter((customer) => customer.x > 0).length,
    mae: { map: mapErrors.mae, mle: mleErrors.mae, naive: naiveErrors.mae },
    rmse: { map: mapErrors.rmse, mle: mleErrors.rmse, naive: naiveErrors.rmse },
    mapConverged: map.converged,
    mleUsable: mle.converged && mlePredictions.every(Number.isFinite),
    coverage: map.covariance ? covered / summaries.length : Number.NaN,
    meanWidth: map.covariance ? width / summaries.length : Number.NaN,
  };
}
