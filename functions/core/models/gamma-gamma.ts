/**
 * Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: Using
 * iso-value curves for customer base analysis", Journal of Marketing Research 42(4); Fader &
 * Hardie 2013, "The Gamma-Gamma model of monetary value").
 *
 * A customer's transaction values are Gamma(p, ν) (ν a rate), and ν ~ Gamma(q, γ) across
 * customers, independent of the purchase process. The data of one customer are x ≥ 1 repeat
 * transactions and their mean value m.
 *
 * Fits: maximum likelihood (the published CDNOW results), or maximum a posteriori (MAP) with the
 * weakly informative priors of {@link weakGammaGammaPrior}, normal on the logarithm of each
 * parameter:
 *
 * - ln p ~ N(ln 4, 3²): the shape of one customer's transaction values (their coefficient of
 *   variation is 1/√p, 0.5 at the prior median); no unit.
 * - ln q ~ N(ln 4, 3²): the shape of the spread of customers' mean values across the base; the
 *   population mean exists for q > 1, which the prior makes likely but does not force; no unit.
 * - ln γ ~ N(ln((4 − 1) · m̄ / 4), 3²), m̄ the mean of the customers' mean repeat values: γ is in
 *   the currency's unit, and at the prior medians of p and q the population mean pγ/(q − 1) equals
 *   m̄, so the prior says the same in cents and in dollars.
 *
 * The standard deviation is 3 (each parameter free over a factor of about 360 either way at 95 %),
 * wider than the purchase model's 2: p and γ are strongly correlated, and with 2 the MAP on the 946
 * repeat buyers of the CDNOW sample moved γ by 1.5 % from the published estimate; with 3 every
 * parameter is within 0.7 % of it (0.1 % on the master file; tests/unit/models/map.test.ts). Still
 * enough to keep small stores off the edge: on CDNOW subsamples of 50 customers (about 20 repeat
 * buyers) maximum likelihood sends p or q towards infinity in half of the draws, MAP in none.
 */
import { minimizeMultiStart } from './optimize.ts';
import { hessianFromValues, laplaceCovariance, logPrior, type LogNormalPrior } from './posterior.ts';
import { lnGamma } from './special.ts';
import type { FitOptions } from './optimize.ts';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** One repeat buyer: number of repeat transactions and their mean value. */
export interface SpendObservation {
  x: number;
  meanRepeatValue: number;
}

/** Normal priors on ln p, ln q, ln γ. */
export interface GammaGammaPrior {
  p: LogNormalPrior;
  q: LogNormalPrior;
  gamma: LogNormalPrior;
}

export interface GammaGammaFitOptions extends FitOptions {
  /** Fit by MAP with these priors ('weak': {@link weakGammaGammaPrior} of the data); without it, by maximum likelihood. */
  prior?: GammaGammaPrior | 'weak';
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  /** The prior of a MAP fit (absent for maximum likelihood). */
  prior?: GammaGammaPrior;
  /** Covariance of (ln p, ln q, ln γ) at the optimum (Laplace approximation); absent when the Hessian is not positive definite. */
  covariance?: number[][];
  converged: boolean;
  evaluations: number;
  customers: number;
}

function checkParams({ p, q, gamma }: GammaGammaParams): void {
  if (!(p > 0 && q > 0 && gamma > 0)) throw new RangeError(`Gamma-Gamma parameters must be positive (p=${p}, q=${q}, gamma=${gamma})`);
}

function checkObservation({ x, meanRepeatValue }: SpendObservation): void {
  if (!(Number.isInteger(x) && x >= 1)) throw new RangeError(`the spend model needs x >= 1 repeat transactions, got ${x}`);
  if (!(Number.isFinite(meanRepeatValue) && meanRepeatValue > 0)) throw new RangeError(`the spend model needs a positive mean value, got ${meanRepeatValue}`);
}

/**
 * ln f(m | p, q, γ, x): the density of the mean m of x transaction values (Fader & Hardie 2013,
 * eq. 4):
 *
 *   f = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m^(px−1) · x^(px) / (γ + m x)^(px+q).
 */
export function gammaGammaCustomerLogLikelihood(params: GammaGammaParams, observation: SpendObservation): number {
  checkParams(params);
  checkObservation(observation);
  const { p, q, gamma } = params;
  const { x, meanRepeatValue: m } = observation;
  const px = p * x;
  return lnGamma(px + q) - lnGamma(px) - lnGamma(q) + q * Math.log(gamma) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(gamma + m * x);
}

/** Sum of {@link gammaGammaCustomerLogLikelihood} over repeat buyers. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, observations: Iterable<SpendObservation>): number {
  checkParams(params);
  return logLikelihoodOf(compress(observations), params.p, params.q, params.gamma);
}

interface Compressed {
  xValues: Float64Array;
  xWeights: Float64Array;
  rowX: Float64Array;
  rowM: Float64Array;
  rowLnM: Float64Array;
  rowWeight: Float64Array;
  customers: number;
  meanValue: number;
}

function compress(observations: Iterable<SpendObservation>): Compressed {
  const rows = new Map<string, { x: number; m: number; weight: number }>();
  const xCounts = new Map<number, number>();
  let count = 0;
  let total = 0;
  for (const observation of observations) {
    checkObservation(observation);
    const { x, meanRepeatValue: m } = observation;
    const key = `${x}|${m}`;
    const row = rows.get(key);
    if (row) row.weight++;
    else rows.set(key, { x, m, weight: 1 });
    xCounts.set(x, (xCounts.get(x) ?? 0) + 1);
    count++;
    total += m;
  }
  const xs = [...xCounts.keys()].sort((u, v) => u - v);
  const list = [...rows.values()];
  return {
    xValues: Float64Array.from(xs),
    xWeights: Float64Array.from(xs, (x) => xCounts.get(x) ?? 0),
    rowX: Float64Array.from(list, (row) => row.x),
    rowM: Float64Array.from(list, (row) => row.m),
    rowLnM: Float64Array.from(list, (row) => Math.log(row.m)),
    rowWeight: Float64Array.from(list, (row) => row.weight),
    customers: count,
    meanValue: count > 0 ? total / count : 0,
  };
}

function logLikelihoodOf(data: Compressed, p: number, q: number, gamma: number): number {
  const { xValues, xWeights, rowX, rowM, rowLnM, rowWeight } = data;
  const lnGammaQ = lnGamma(q);
  const lnGammaRate = Math.log(gamma);
  let total = 0;
  for (let k = 0; k < xValues.length; k++) {
    const x = xValues[k] ?? 1;
    const px = p * x;
    total += (xWeights[k] ?? 0) * (lnGamma(px + q) - lnGamma(px) - lnGammaQ + q * lnGammaRate + px * Math.log(x));
  }
  for (let i = 0; i < rowX.length; i++) {
    const x = rowX[i] ?? 1;
    const m = rowM[i] ?? 1;
    const px = p * x;
    total += (rowWeight[i] ?? 0) * ((px - 1) * (rowLnM[i] ?? 0) - (px + q) * Math.log(gamma + m * x));
  }
  return total;
}

const logBound = 25;

/** Prior medians of p and q, and the standard deviation of every ln-parameter prior. */
const priorP = 4;
const priorQ = 4;
const weakPriorSd = 3;

function priorOf(data: Compressed): GammaGammaPrior {
  return {
    p: { mean: Math.log(priorP), sd: weakPriorSd },
    q: { mean: Math.log(priorQ), sd: weakPriorSd },
    gamma: { mean: Math.log(((priorQ - 1) * data.meanValue) / priorP), sd: weakPriorSd },
  };
}

/** The weakly informative priors described at the top of this module, for these repeat buyers. */
export function weakGammaGammaPrior(observations: Iterable<SpendObservation>): GammaGammaPrior {
  return priorOf(compress(observations));
}

/**
 * Fit over (ln p, ln q, ln γ) by multi-start Nelder–Mead: maximum likelihood, or MAP with
 * `options.prior`. The starts put the model's mean transaction value pγ/(q−1) on the observed
 * mean, so the fit does not depend on the currency unit. The covariance of the Laplace
 * approximation comes from second differences of the objective.
 */
export function fitGammaGamma(observations: Iterable<SpendObservation>, options: GammaGammaFitOptions = {}): GammaGammaFit {
  const data = compress(observations);
  if (data.customers === 0) throw new RangeError('cannot fit the Gamma-Gamma model without repeat buyers');
  const prior = options.prior === 'weak' ? priorOf(data) : options.prior;
  const priors = prior ? [prior.p, prior.q, prior.gamma] : [];
  const objective = (point: readonly number[]): number => {
    if (point.some((value) => !(Math.abs(value) <= logBound))) return Infinity;
    const [lp = 0, lq = 0, lgamma = 0] = point;
    return -logLikelihoodOf(data, Math.exp(lp), Math.exp(lq), Math.exp(lgamma)) - logPrior(point, priors);
  };
  const start = (p: number, q: number): number[] => [Math.log(p), Math.log(q), Math.log(((q - 1) * data.meanValue) / p)];
  const result = minimizeMultiStart(objective, [start(1, 2), start(5, 4), start(2, 10)], {
    maxRestarts: options.maxRestarts ?? 6,
    maxEvaluations: options.maxEvaluations ?? 5000,
  });
  const [lp = 0, lq = 0, lgamma = 0] = result.point;
  const atEdge = result.point.some((value) => Math.abs(value) > logBound - 1e-3);
  const params = { p: Math.exp(lp), q: Math.exp(lq), gamma: Math.exp(lgamma) };
  const covariance = atEdge || !Number.isFinite(result.value) ? undefined : laplaceCovariance(hessianFromValues(objective, result.point));
  return {
    params,
    logLikelihood: logLikelihoodOf(data, params.p, params.q, params.gamma),
    ...(prior ? { prior } : {}),
    ...(covariance ? { covariance } : {}),
    converged: result.converged && !atEdge && Number.isFinite(result.value),
    evaluations: result.evaluations,
    customers: data.customers,
  };
}

/**
 * E[M | p, q, γ, m, x]: expected value of this customer's future transactions (Fader & Hardie
 * 2013, eq. 5), p(γ + m x)/(px + q − 1), a weighted mean of the population mean pγ/(q−1) and the
 * customer's own mean m. With x = 0 it is the population mean. The population mean is finite only
 * for q > 1; otherwise the answer for x = 0 is NaN. A non-positive mean (refunds outweighing
 * purchases) is conditioned on as 0.
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, observation: SpendObservation): number {
  const { p, q, gamma } = params;
  const x = observation.x;
  if (x <= 0) return q > 1 ? (p * gamma) / (q - 1) : Number.NaN;
  const m = Math.max(observation.meanRepeatValue, 0);
  return (p * (gamma + m * x)) / (p * x + q - 1);
}

export interface SpendModelSelection<C extends SpendObservation> {
  /** Repeat buyers with a positive mean repeat value: the data the spend model is fitted on. */
  customers: C[];
  /** Repeat buyers left out because their mean repeat value is zero or negative. */
  nonPositive: number;
}

/** Picks the spend model's data out of a customer summary. */
export function spendModelCustomers<C extends SpendObservation>(summaries: Iterable<C>): SpendModelSelection<C> {
  const customers: C[] = [];
  let nonPositive = 0;
  for (const summary of summaries) {
    if (summary.x < 1) continue;
    if (summary.meanRepeatValue > 0) customers.push(summary);
    else nonPositive++;
  }
  return { customers, nonPositive };
}
