/**
 * Uplift of a journey: conversion of the treated minus conversion of the holdout, with the
 * Newcombe hybrid score interval for a difference of independent proportions (Newcombe 1998,
 * "Interval estimation for the difference between independent proportions", Statistics in
 * Medicine 17, method 10), built from the two Wilson score intervals. Unlike the Wald interval it
 * stays inside [-1, 1] and keeps its coverage with small groups and rates near 0 or 1, which is
 * what holdout groups of a small store look like.
 */

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must lie in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** The Wilson score interval of successes / trials at the given two-sided confidence. */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): { low: number; high: number } {
  if (!(trials > 0)) throw new RangeError('the Wilson interval needs at least one trial');
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Uplift {
  /** Treated conversion minus holdout conversion. */
  difference: number;
  low: number;
  high: number;
  confidence: number;
  method: 'newcombe-wilson';
}

/** Newcombe's method 10; null when either group is empty. */
export function conversionUplift(
  treated: { converted: number; entered: number },
  holdout: { converted: number; entered: number },
  confidence = 0.95,
): Uplift | null {
  if (treated.entered === 0 || holdout.entered === 0) return null;
  const p1 = treated.converted / treated.entered;
  const p2 = holdout.converted / holdout.entered;
  const w1 = wilsonInterval(treated.converted, treated.entered, confidence);
  const w2 = wilsonInterval(holdout.converted, holdout.entered, confidence);
  const difference = p1 - p2;
  return {
    difference,
    low: difference - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: difference + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
    confidence,
    method: 'newcombe-wilson',
  };
}
