/**
 * Credible intervals of the BG/NBD predictions from parameter draws of the Laplace approximation
 * (posterior.ts): each draw gives the customer's P(alive) and expected purchases, and simulated
 * futures give the number of purchases itself (parameter uncertainty and the customer's own chance
 * together). The interval is the central `level` share of the draws.
 */
import { bgnbdExpectedPurchases, bgnbdProbabilityAlive } from './bgnbd.ts';
import type { BgnbdParams, RecencyFrequency } from './bgnbd.ts';
import { quantile, sampleMultivariateNormal } from './posterior.ts';
import { simulateBgnbdFuturePurchases } from './simulate.ts';
import type { Random } from './simulate.ts';

/** [low, high]. */
export type Interval = [low: number, high: number];

/** The central `level` interval of draws, by interpolated quantiles. */
export function credibleInterval(values: readonly number[], level: number): Interval {
  const tail = (1 - level) / 2;
  return [quantile(values, tail), quantile(values, 1 - tail)];
}

/** The central `level` interval of whole-number draws, as order statistics (so whole numbers too). */
export function countInterval(values: readonly number[], level: number): Interval {
  const tail = (1 - level) / 2;
  const sorted = [...values].sort((u, v) => u - v);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? 0;
  return [at(tail), at(1 - tail)];
}

/** `count` draws of the parameters (natural scale) from N(ln point, covariance of the ln-parameters). */
export function laplaceParameterDraws(random: Random, point: readonly number[], covariance: readonly (readonly number[])[], count: number): number[][] {
  return sampleMultivariateNormal(random, point.map(Math.log), covariance, count).map((draw) => draw.map(Math.exp));
}

/** BG/NBD parameter draws of a fit's Laplace approximation, covariance of (ln r, ln α, ln a, ln b). */
export function bgnbdParameterDraws(random: Random, params: BgnbdParams, covariance: readonly (readonly number[])[], count: number): BgnbdParams[] {
  return laplaceParameterDraws(random, [params.r, params.alpha, params.a, params.b], covariance, count).map(([r = 0, alpha = 0, a = 0, b = 0]) => ({ r, alpha, a, b }));
}

export interface PurchaseDraws {
  /** Per parameter draw. */
  pAlive: number[];
  expected: number[];
  /** Simulated purchase counts over the horizon, `simulationsPerDraw` per parameter draw. */
  counts: number[];
}

/**
 * P(alive), E[Y(t)] and simulated counts Y(t) of one customer under each parameter draw
 * (`withExpected: false` leaves `expected` empty, the costly part, for when only counts are needed).
 */
export function bgnbdPurchaseDraws(
  random: Random,
  draws: readonly BgnbdParams[],
  customer: RecencyFrequency,
  t: number,
  simulationsPerDraw: number,
  withExpected = true,
): PurchaseDraws {
  const result: PurchaseDraws = { pAlive: [], expected: [], counts: [] };
  for (const params of draws) {
    const alive = bgnbdProbabilityAlive(params, customer);
    result.pAlive.push(alive);
    if (withExpected) result.expected.push(bgnbdExpectedPurchases(params, customer, t));
    for (let k = 0; k < simulationsPerDraw; k++) result.counts.push(simulateBgnbdFuturePurchases(random, params, customer, t, alive));
  }
  return result;
}

/**
 * Delta-method interval of a prediction f(θ) of the ln-parameters θ, for when draws cost too much:
 * on the scale s (ln for positive values, logit for probabilities) the prediction is taken as
 * normal with variance gᵀΣg, g the gradient of s(f) at θ̂ by forward differences (one evaluation of
 * f per parameter); the interval is s⁻¹(s(f(θ̂)) ± z·√(gᵀΣg)). A value on the edge of its scale (a
 * probability of exactly 1, an expectation of 0) has the point as its interval.
 */
export function deltaInterval(
  value: (point: readonly number[]) => number,
  point: readonly number[],
  covariance: readonly (readonly number[])[],
  z: number,
  scale: 'log' | 'logit',
): Interval {
  const forward = scale === 'log' ? Math.log : (p: number): number => Math.log(p / (1 - p));
  const inverse = scale === 'log' ? Math.exp : (s: number): number => 1 / (1 + Math.exp(-s));
  const centre = value(point);
  const transformed = forward(centre);
  if (!Number.isFinite(transformed)) return [centre, centre];
  const step = 1e-5;
  const gradient = point.map((_, i) => {
    const moved = Array.from(point);
    moved[i] = (moved[i] ?? 0) + step;
    return (forward(value(moved)) - transformed) / step;
  });
  const variance = gradient.reduce((sum, gi, i) => sum + gi * gradient.reduce((inner, gj, j) => inner + (covariance[i]?.[j] ?? 0) * gj, 0), 0);
  if (!(variance >= 0) || !Number.isFinite(variance)) return [centre, centre];
  const spread = z * Math.sqrt(variance);
  return [inverse(transformed - spread), inverse(transformed + spread)];
}
