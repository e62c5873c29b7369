/**
 * Parameter recovery: customers drawn from the models with known parameters (seeded, so every run
 * sees the same data) must give back those parameters, within a few standard errors at this size.
 */
import { describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood,
  fitBgnbd,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  seededRandom,
  simulateBgnbdCustomer,
  simulateMeanSpend,
} from '../../../functions/core/models/index.ts';
import type { BgnbdParams, GammaGammaParams, RecencyFrequency } from '../../../functions/core/models/index.ts';

const customers = 20_000;

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / expected;
}

/** A CDNOW-like cohort: first purchases spread over `entryDays`, observed until day `endDay`, times rounded up to whole days. */
function cohort(seed: number, truth: BgnbdParams, endDay: number, entryDays: number, daysPerUnit: number): RecencyFrequency[] {
  const random = seededRandom(seed);
  const data: RecencyFrequency[] = [];
  for (let i = 0; i < customers; i++) {
    const T = (endDay - Math.floor(random() * entryDays)) / daysPerUnit;
    const drawn = simulateBgnbdCustomer(random, truth, T);
    const tx = drawn.x > 0 ? Math.min(Math.max(1, Math.ceil(drawn.tx * daysPerUnit)) / daysPerUnit, T) : 0;
    data.push({ x: drawn.x, tx, T });
  }
  return data;
}

describe('BG/NBD parameter recovery', () => {
  it('recovers the CDNOW parameters from 20,000 synthetic customers (weeks)', () => {
    const truth = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const data = cohort(20240601, truth, 272, 90, 7);
    const fit = fitBgnbd(data);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(customers);
    expect(relativeError(fit.params.r, truth.r)).toBeLessThan(0.1);
    expect(relativeError(fit.params.alpha, truth.alpha)).toBeLessThan(0.1);
    expect(relativeError(fit.params.a, truth.a)).toBeLessThan(0.2);
    expect(relativeError(fit.params.b, truth.b)).toBeLessThan(0.2);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdLogLikelihood(truth, data));
  });

  it('recovers frequent buyers with a bounded number of purchases (days, a > 1)', () => {
    const truth = { r: 1.5, alpha: 60, a: 2.5, b: 6 };
    const data = cohort(7, truth, 365, 180, 1);
    const fit = fitBgnbd(data);
    expect(fit.converged).toBe(true);
    expect(relativeError(fit.params.r, truth.r)).toBeLessThan(0.1);
    expect(relativeError(fit.params.alpha, truth.alpha)).toBeLessThan(0.1);
    expect(relativeError(fit.params.a, truth.a)).toBeLessThan(0.2);
    expect(relativeError(fit.params.b, truth.b)).toBeLessThan(0.2);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdLogLikelihood(truth, data));
  });
});

describe('Gamma-Gamma parameter recovery', () => {
  it('recovers the CDNOW spend parameters from 20,000 synthetic repeat buyers', () => {
    const truth: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
    const random = seededRandom(99);
    const data = Array.from({ length: customers }, () => {
      const x = 1 + Math.floor(random() * 8);
      return { x, meanRepeatValue: simulateMeanSpend(random, truth, x) };
    });
    const fit = fitGammaGamma(data);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(customers);
    // p and γ trade off against each other (the mean spend is pγ/(q−1)), so they are looser.
    expect(relativeError(fit.params.p, truth.p)).toBeLessThan(0.25);
    expect(relativeError(fit.params.q, truth.q)).toBeLessThan(0.1);
    expect(relativeError(fit.params.gamma, truth.gamma)).toBeLessThan(0.25);
    const meanSpend = (params: GammaGammaParams): number => (params.p * params.gamma) / (params.q - 1);
    expect(relativeError(meanSpend(fit.params), meanSpend(truth))).toBeLessThan(0.03);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(truth, data));
  });
});
