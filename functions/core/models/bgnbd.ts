/**
 * BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the easy
 * way: An alternative to the Pareto/NBD model", Marketing Science 24(2), 275–284).
 *
 * While alive, a customer buys as a Poisson process of rate λ ~ Gamma(r, α) (α a rate, so the
 * mean is r/α per time unit); right after each repeat purchase she drops out for good with
 * probability p ~ Beta(a, b). The data of one customer are x repeat purchases, the last one at
 * tx, observed over (0, T].
 *
 * Fits: maximum likelihood (the published CDNOW results), or maximum a posteriori (MAP) with the
 * weakly informative priors of {@link weakBgnbdPrior}, normal on the logarithm of each parameter:
 *
 * - ln r ~ N(0, 2²): the shape of the purchase-rate heterogeneity, median 1 (rates as spread as an
 *   exponential distribution), 95 % between 0.02 and 50; r carries no unit.
 * - ln α ~ N(ln(1/ρ), 2²), ρ = Σx / ΣT the store's own observed repeat purchases per time unit: α is
 *   a time (the unit of tx and T), and with r at its prior median the population's mean rate r/α
 *   equals the observed rate. Centring on the data's own scale makes the prior say the same in days
 *   and in weeks (the MAP in days is the MAP in weeks with α times 7).
 * - ln a ~ N(0, 2²) and ln b ~ N(ln 3, 2²): the drop-out probability after a purchase is Beta(a, b),
 *   centred on a mean of 1/4 with a and b each free over a factor of about 50 either way; no unit.
 *
 * Wide enough that on CDNOW (23,570 customers, or the 2,357 of the sample) the MAP is within 1 % of
 * the maximum-likelihood estimate for every parameter (tests/unit/models/map.test.ts); narrow enough
 * to keep a store with a few dozen repeat buyers off the edges where the likelihood is flat (r and α
 * together to infinity when rates look alike, a and b to infinity or zero with few drop-outs seen).
 */
import { bfgs, minimizeMultiStart } from './optimize.ts';
import type { FitOptions } from './optimize.ts';
import { hessianFromGradient, laplaceCovariance, logPrior, logPriorGradient, type LogNormalPrior } from './posterior.ts';
import { hypergeometric2F1, lnBeta, lnGamma, logAddExp } from './special.ts';

export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer's calibration data: repeat purchases, time of the last one, time observed. */
export interface RecencyFrequency {
  x: number;
  tx: number;
  T: number;
}

/** Normal priors on ln r, ln α, ln a, ln b. */
export interface BgnbdPrior {
  r: LogNormalPrior;
  alpha: LogNormalPrior;
  a: LogNormalPrior;
  b: LogNormalPrior;
}

export interface BgnbdFitOptions extends FitOptions {
  /** Fit by MAP with these priors ('weak': {@link weakBgnbdPrior} of the data); without it, by maximum likelihood. */
  prior?: BgnbdPrior | 'weak';
}

export interface BgnbdFit {
  params: BgnbdParams;
  logLikelihood: number;
  /** The prior of a MAP fit (absent for maximum likelihood). */
  prior?: BgnbdPrior;
  /**
   * Covariance of (ln r, ln α, ln a, ln b) at the optimum: the inverse Hessian of the negative
   * log-posterior (or log-likelihood), the Laplace approximation; absent when that Hessian is not
   * positive definite.
   */
  covariance?: number[][];
  /** The optimiser met its tolerances away from the edges of the search box. */
  converged: boolean;
  /** Likelihood evaluations spent (one with its gradient counts as one). */
  evaluations: number;
  customers: number;
}

function checkParams({ r, alpha, a, b }: BgnbdParams): void {
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) throw new RangeError(`BG/NBD parameters must be positive (r=${r}, alpha=${alpha}, a=${a}, b=${b})`);
}

function checkCustomer({ x, tx, T }: RecencyFrequency): void {
  if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`x must be a whole number >= 0, got ${x}`);
  if (!(Number.isFinite(T) && T >= 0)) throw new RangeError(`T must be a finite number >= 0, got ${T}`);
  if (x > 0 && !(tx > 0 && tx <= T)) throw new RangeError(`tx must lie in (0, T] when x > 0, got tx=${tx}, T=${T}`);
}

/**
 * ln L(r, α, a, b | x, tx, T), eq. (6) of the paper:
 *
 *   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
 *     + [x > 0] · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+tx)^(r+x))
 *
 * computed as ln of the common factor plus logAddExp of the two remaining terms, using
 * B(a+1, b+x−1)/B(a, b+x) = a/(b+x−1).
 */
export function bgnbdCustomerLogLikelihood(params: BgnbdParams, customer: RecencyFrequency): number {
  checkParams(params);
  checkCustomer(customer);
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnBeta(a, b + x) - lnBeta(a, b);
  const stays = -(r + x) * Math.log(alpha + T);
  if (x === 0) return common + stays;
  const leftAfterLast = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(stays, leftAfterLast);
}

/** Sum of {@link bgnbdCustomerLogLikelihood} over customers. */
export function bgnbdLogLikelihood(params: BgnbdParams, customers: Iterable<RecencyFrequency>): number {
  checkParams(params);
  const data = compress(customers);
  return logLikelihoodOf(data, params.r, params.alpha, params.a, params.b);
}

/** Partial derivatives of {@link bgnbdLogLikelihood} in r, α, a and b. */
export function bgnbdLogLikelihoodGradient(params: BgnbdParams, customers: Iterable<RecencyFrequency>): BgnbdParams {
  checkParams(params);
  const { gradient } = logLikelihoodAndGradient(compress(customers), params.r, params.alpha, params.a, params.b);
  const [r = 0, alpha = 0, a = 0, b = 0] = gradient;
  return { r, alpha, a, b };
}

/**
 * Customers grouped by identical (x, tx, T), with the distinct values of x, tx and T: the
 * special-function part of the likelihood depends on x only and the logarithms on tx or T
 * only, so one evaluation costs one exponential and one logarithm per distinct row whatever the
 * number of customers.
 */
interface Compressed {
  xValues: Float64Array;
  xWeights: Float64Array;
  txValues: Float64Array;
  tValues: Float64Array;
  rowX: Int32Array;
  rowXIndex: Int32Array;
  rowTxIndex: Int32Array;
  rowTIndex: Int32Array;
  rowWeight: Float64Array;
  customers: number;
  totalX: number;
  totalT: number;
}

function indexOfValues(values: Iterable<number>): { sorted: Float64Array; index: Map<number, number> } {
  const sorted = Float64Array.from(new Set(values)).sort();
  return { sorted, index: new Map(Array.from(sorted, (value, i) => [value, i])) };
}

function compress(customers: Iterable<RecencyFrequency>): Compressed {
  const rows = new Map<string, { x: number; tx: number; T: number; weight: number }>();
  let count = 0;
  let totalX = 0;
  let totalT = 0;
  for (const customer of customers) {
    checkCustomer(customer);
    const tx = customer.x === 0 ? 0 : customer.tx;
    const key = `${customer.x}|${tx}|${customer.T}`;
    const row = rows.get(key);
    if (row) row.weight++;
    else rows.set(key, { x: customer.x, tx, T: customer.T, weight: 1 });
    count++;
    totalX += customer.x;
    totalT += customer.T;
  }
  const list = [...rows.values()];
  const xs = indexOfValues(list.map((row) => row.x));
  const txs = indexOfValues(list.map((row) => row.tx));
  const ts = indexOfValues(list.map((row) => row.T));
  const xWeights = new Float64Array(xs.sorted.length);
  for (const row of list) {
    const k = xs.index.get(row.x) ?? 0;
    xWeights[k] = (xWeights[k] ?? 0) + row.weight;
  }
  return {
    xValues: xs.sorted,
    xWeights,
    txValues: txs.sorted,
    tValues: ts.sorted,
    rowX: Int32Array.from(list, (row) => row.x),
    rowXIndex: Int32Array.from(list, (row) => xs.index.get(row.x) ?? 0),
    rowTxIndex: Int32Array.from(list, (row) => txs.index.get(row.tx) ?? 0),
    rowTIndex: Int32Array.from(list, (row) => ts.index.get(row.T) ?? 0),
    rowWeight: Float64Array.from(list, (row) => row.weight),
    customers: count,
    totalX,
    totalT,
  };
}

function logLikelihoodOf(data: Compressed, r: number, alpha: number, a: number, b: number): number {
  const { xValues, xWeights, txValues, tValues, rowX, rowXIndex, rowTxIndex, rowTIndex, rowWeight } = data;
  const lnAlpha = Math.log(alpha);
  const lnGammaR = lnGamma(r);
  const lnBetaAB = lnBeta(a, b);
  const lnA = Math.log(a);
  const dropRatio = new Float64Array(xValues.length);
  let total = 0;
  for (let k = 0; k < xValues.length; k++) {
    const x = xValues[k] ?? 0;
    total += (xWeights[k] ?? 0) * (lnGamma(r + x) - lnGammaR + r * lnAlpha + lnBeta(a, b + x) - lnBetaAB);
    dropRatio[k] = x > 0 ? lnA - Math.log(b + x - 1) : -Infinity;
  }
  const lnAlphaTx = txValues.map((tx) => Math.log(alpha + tx));
  const lnAlphaT = tValues.map((T) => Math.log(alpha + T));
  for (let i = 0; i < rowX.length; i++) {
    const x = rowX[i] ?? 0;
    const power = r + x;
    const stays = -power * (lnAlphaT[rowTIndex[i] ?? 0] ?? 0);
    const term = x === 0 ? stays : logAddExp(stays, (dropRatio[rowXIndex[i] ?? 0] ?? 0) - power * (lnAlphaTx[rowTxIndex[i] ?? 0] ?? 0));
    total += (rowWeight[i] ?? 0) * term;
  }
  return total;
}

/**
 * The log-likelihood and its gradient in (r, α, a, b). With x a whole number the digamma
 * differences are finite sums: ψ(r+x) − ψ(r) = Σ_{k<x} 1/(r+k), and the derivatives of
 * ln B(a, b+x) − ln B(a, b) are −Σ_{k<x} 1/(a+b+k) in a and Σ_{k<x} [1/(b+k) − 1/(a+b+k)] in b.
 */
function logLikelihoodAndGradient(data: Compressed, r: number, alpha: number, a: number, b: number): { value: number; gradient: number[] } {
  const { xValues, xWeights, txValues, tValues, rowX, rowXIndex, rowTxIndex, rowTIndex, rowWeight } = data;
  const lnAlpha = Math.log(alpha);
  const lnGammaR = lnGamma(r);
  const lnBetaAB = lnBeta(a, b);
  const lnA = Math.log(a);
  const dropRatio = new Float64Array(xValues.length);
  let value = 0;
  let dr = 0;
  let dalpha = 0;
  let da = 0;
  let db = 0;
  // Running sums over k < x of 1/(r+k), 1/(a+b+k), 1/(b+k), carried along the sorted x values.
  let sumR = 0;
  let sumAB = 0;
  let sumB = 0;
  let k = 0;
  for (let j = 0; j < xValues.length; j++) {
    const x = xValues[j] ?? 0;
    for (; k < x; k++) {
      sumR += 1 / (r + k);
      sumAB += 1 / (a + b + k);
      sumB += 1 / (b + k);
    }
    const weight = xWeights[j] ?? 0;
    value += weight * (lnGamma(r + x) - lnGammaR + r * lnAlpha + lnBeta(a, b + x) - lnBetaAB);
    dr += weight * (sumR + lnAlpha);
    dalpha += (weight * r) / alpha;
    da -= weight * sumAB;
    db += weight * (sumB - sumAB);
    dropRatio[j] = x > 0 ? lnA - Math.log(b + x - 1) : -Infinity;
  }
  const lnAlphaTx = txValues.map((tx) => Math.log(alpha + tx));
  const lnAlphaT = tValues.map((T) => Math.log(alpha + T));
  for (let i = 0; i < rowX.length; i++) {
    const x = rowX[i] ?? 0;
    const weight = rowWeight[i] ?? 0;
    const power = r + x;
    const tIndex = rowTIndex[i] ?? 0;
    const lnT = lnAlphaT[tIndex] ?? 0;
    const stays = -power * lnT;
    if (x === 0) {
      value += weight * stays;
      dr -= weight * lnT;
      dalpha -= (weight * power) / (alpha + (tValues[tIndex] ?? 0));
      continue;
    }
    const txIndex = rowTxIndex[i] ?? 0;
    const lnTx = lnAlphaTx[txIndex] ?? 0;
    const left = (dropRatio[rowXIndex[i] ?? 0] ?? 0) - power * lnTx;
    const term = logAddExp(stays, left);
    const wStays = Math.exp(stays - term);
    const wLeft = Math.exp(left - term);
    value += weight * term;
    dr -= weight * (wStays * lnT + wLeft * lnTx);
    dalpha -= weight * power * (wStays / (alpha + (tValues[tIndex] ?? 0)) + wLeft / (alpha + (txValues[txIndex] ?? 0)));
    da += (weight * wLeft) / a;
    db -= (weight * wLeft) / (b + x - 1);
  }
  return { value, gradient: [dr, dalpha, da, db] };
}

/** Log-parameters are kept inside ±logBound; an optimum on that edge means the data do not pin the model down. */
const logBound = 25;

/** Standard deviation of every ln-parameter prior of {@link weakBgnbdPrior}. */
const weakPriorSd = 2;

/** Observed repeat purchases per time unit, Σx/ΣT (one per ten observation spans without any). */
function observedRate(data: Compressed): number {
  const meanT = Math.max(data.totalT / Math.max(data.customers, 1), 1e-6);
  return data.totalX > 0 ? data.totalX / Math.max(data.totalT, 1e-12) : 1 / (10 * meanT);
}

function priorOf(data: Compressed): BgnbdPrior {
  return {
    r: { mean: 0, sd: weakPriorSd },
    alpha: { mean: -Math.log(observedRate(data)), sd: weakPriorSd },
    a: { mean: 0, sd: weakPriorSd },
    b: { mean: Math.log(3), sd: weakPriorSd },
  };
}

/** The weakly informative priors described at the top of this module, for these customers. */
export function weakBgnbdPrior(customers: Iterable<RecencyFrequency>): BgnbdPrior {
  return priorOf(compress(customers));
}

/**
 * Fit over (ln r, ln α, ln a, ln b): maximum likelihood, or MAP with `options.prior`. BFGS with the
 * analytic gradient runs from three starting points spread around the observed purchase rate and
 * the best end point is kept; should none meet the gradient tolerance, multi-start Nelder–Mead
 * (which needs no gradient) takes over from the same starts and that point, and the better answer
 * wins. The covariance of the Laplace approximation comes from finite differences of the gradient.
 */
export function fitBgnbd(customers: Iterable<RecencyFrequency>, options: BgnbdFitOptions = {}): BgnbdFit {
  const data = compress(customers);
  if (data.customers === 0) throw new RangeError('cannot fit the BG/NBD model without customers');
  const prior = options.prior === 'weak' ? priorOf(data) : options.prior;
  const priors = prior ? [prior.r, prior.alpha, prior.a, prior.b] : [];
  const outside = (point: readonly number[]): boolean => point.some((value) => !(Math.abs(value) <= logBound));
  const objective = (point: readonly number[]): number => {
    if (outside(point)) return Infinity;
    const [lr = 0, lalpha = 0, la = 0, lb = 0] = point;
    return -logLikelihoodOf(data, Math.exp(lr), Math.exp(lalpha), Math.exp(la), Math.exp(lb)) - logPrior(point, priors);
  };
  const smooth = (point: readonly number[]): { value: number; gradient: number[] } => {
    if (outside(point)) return { value: Infinity, gradient: [0, 0, 0, 0] };
    const [r, alpha, a, b] = point.map(Math.exp) as [number, number, number, number];
    const { value, gradient } = logLikelihoodAndGradient(data, r, alpha, a, b);
    const [dr = 0, dalpha = 0, da = 0, db = 0] = gradient;
    const [pr = 0, palpha = 0, pa = 0, pb = 0] = priors.length > 0 ? logPriorGradient(point, priors) : [];
    // d/d(ln θ) = θ · d/dθ, and the sign turns the posterior into a loss.
    return { value: -value - logPrior(point, priors), gradient: [-r * dr - pr, -alpha * dalpha - palpha, -a * da - pa, -b * db - pb] };
  };
  // Observed repeat rate per time unit; r/α is the mean purchase rate of the population.
  const rate = observedRate(data);
  const start = (r: number, a: number, b: number): number[] => [Math.log(r), Math.log(r / rate), Math.log(a), Math.log(b)];
  const starts = [start(0.5, 0.5, 2), start(2, 2, 8), start(1, 1, 1)];
  const runs = starts.map((point) => bfgs(smooth, point));
  let result = runs.reduce((best, run) => (run.value < best.value ? run : best));
  let evaluations = runs.reduce((sum, run) => sum + run.evaluations, 0);
  if (!result.converged) {
    const fallback = minimizeMultiStart(objective, [...starts, result.point], {
      maxRestarts: options.maxRestarts ?? 6,
      maxEvaluations: options.maxEvaluations ?? 5000,
    });
    evaluations += fallback.evaluations;
    if (fallback.value <= result.value) result = fallback;
  }
  const [lr = 0, lalpha = 0, la = 0, lb = 0] = result.point;
  const atEdge = result.point.some((value) => Math.abs(value) > logBound - 1e-3);
  const params = { r: Math.exp(lr), alpha: Math.exp(lalpha), a: Math.exp(la), b: Math.exp(lb) };
  const covariance = atEdge || !Number.isFinite(result.value) ? undefined : laplaceCovariance(hessianFromGradient((point) => smooth(point).gradient, result.point));
  return {
    params,
    logLikelihood: logLikelihoodOf(data, params.r, params.alpha, params.a, params.b),
    ...(prior ? { prior } : {}),
    ...(covariance ? { covariance } : {}),
    converged: result.converged && !atEdge && Number.isFinite(result.value),
    evaluations,
    customers: data.customers,
  };
}

/**
 * P(alive | x, tx, T), eq. (13) of the paper: 1 / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+tx))^(r+x)).
 * A customer without repeat purchases is alive for sure: in this model drop-out can only follow
 * a repeat purchase.
 */
export function bgnbdProbabilityAlive(params: BgnbdParams, customer: RecencyFrequency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  if (x === 0) return 1;
  const lnOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * Math.log((alpha + T) / (alpha + tx));
  return 1 / (1 + Math.exp(lnOdds));
}

/**
 * E[Y(t) | x, tx, T]: expected number of purchases in the next t time units, eq. (10) of the paper:
 *
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive | x, tx, T),
 *   z = t/(α+T+t).
 *
 * Euler's transformation ₂F₁(A, B; C; z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) turns the bracket
 * into 1 − (1−z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose parameters stay small whatever x
 * is (the untransformed series grows like (1−z)^−x and loses all precision for heavy buyers).
 * The formula is singular at a = 1 (where its limit is finite); there the value is the mean of
 * the two sides at a = 1 ± 1e−4.
 */
export function bgnbdExpectedPurchases(params: BgnbdParams, customer: RecencyFrequency, t: number): number {
  if (!(t > 0)) return 0;
  const { a } = params;
  if (Math.abs(a - 1) < 1e-6) {
    return (aliveExpectation({ ...params, a: 1 - 1e-4 }, customer, t) + aliveExpectation({ ...params, a: 1 + 1e-4 }, customer, t)) / 2 *
      bgnbdProbabilityAlive(params, customer);
  }
  return aliveExpectation(params, customer, t) * bgnbdProbabilityAlive(params, customer);
}

/** The part of eq. (10) before the P(alive) factor. */
function aliveExpectation({ r, alpha, a, b }: BgnbdParams, { x, T }: RecencyFrequency, t: number): number {
  const span = alpha + T + t;
  const z = t / span;
  const oneMinusZ = (alpha + T) / span;
  const bracket = 1 - Math.pow(oneMinusZ, a - 1) * hypergeometric2F1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  return ((a + b + x - 1) / (a - 1)) * bracket;
}

/**
 * E[X(t)] for a customer just acquired (eq. 9 of the paper):
 * (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))], which is eq. (10) at x = tx = T = 0.
 */
export function bgnbdExpectedPurchasesNewCustomer(params: BgnbdParams, t: number): number {
  return bgnbdExpectedPurchases(params, { x: 0, tx: 0, T: 0 }, t);
}

export interface NextPurchaseOptions {
  /** Give up (answer null) beyond this many time units; default 100 · (α + T). */
  maxHorizon?: number;
}

/**
 * Expected time to the next purchase, defined as the horizon t at which the expected number of
 * purchases E[Y(t) | x, tx, T] reaches 1. It folds in both the purchase rate and the chance that
 * the customer has already gone: a loyal frequent buyer gets a short time, a lapsed one a long
 * time. Null when the expectation stays below 1 up to `maxHorizon` (with a > 1 the expected
 * number of future purchases is bounded, and can be below 1 for good).
 */
export function bgnbdExpectedTimeToNextPurchase(params: BgnbdParams, customer: RecencyFrequency, options: NextPurchaseOptions = {}): number | null {
  const maxHorizon = options.maxHorizon ?? 100 * (params.alpha + customer.T);
  const expected = (t: number): number => bgnbdExpectedPurchases(params, customer, t);
  let low = 0;
  let high = Math.min((params.alpha + customer.T) / (params.r + customer.x), maxHorizon);
  while (expected(high) < 1) {
    if (high >= maxHorizon) return null;
    low = high;
    high = Math.min(high * 2, maxHorizon);
  }
  for (let i = 0; i < 200 && high - low > 1e-10 * high; i++) {
    const middle = (low + high) / 2;
    if (expected(middle) < 1) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
