/**
 * Maximum a posteriori fits with the weakly informative priors: on CDNOW they give the
 * maximum-likelihood answer (within 1 %), they do not depend on the time or currency unit, and the
 * Laplace approximation and the posterior predictive simulation agree with the closed forms.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bgnbdExpectedPurchases,
  bgnbdProbabilityAlive,
  cholesky,
  fitBgnbd,
  fitGammaGamma,
  hessianFromGradient,
  hessianFromValues,
  invertPositiveDefinite,
  logPrior,
  logPriorGradient,
  seededRandom,
  simulateBgnbdFuturePurchases,
  spendModelCustomers,
  summarizeTransactions,
  weakBgnbdPrior,
  weakGammaGammaPrior,
} from '../../../functions/core/models/index.ts';
import type { CustomerSummary, Transaction } from '../../../functions/core/models/index.ts';
import { calibrationAndHoldout, drawCustomers, readCdnowMaster } from './holdout.ts';

function sampleTransactions(): Transaction[] {
  const text = readFileSync(new URL('../../fixtures/cdnow/CDNOW_sample.txt', import.meta.url), 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length === 5)
    .map(([, sampleId = '', date = '', , dollars = '']) => ({ customerId: sampleId, date: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`, amount: Number(dollars) }));
}

const relative = (value: number, reference: number): number => Math.abs(value / reference - 1);

describe('MAP on the CDNOW sample (2,357 customers, 946 repeat buyers)', () => {
  let weeks: CustomerSummary[];

  beforeAll(() => {
    weeks = summarizeTransactions(sampleTransactions(), { calibrationEnd: '1997-09-30', unit: 'week' });
  });

  it('is within 1 % of the published BG/NBD estimates and log-likelihood', () => {
    const map = fitBgnbd(weeks, { prior: 'weak' });
    expect(map.converged).toBe(true);
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(relative(map.params[key], published[key])).toBeLessThan(0.01);
    // ... and not equal to them: the prior does act.
    expect(map.params.b.toFixed(3)).not.toBe('2.426');
    expect(Math.abs(map.logLikelihood - -9582.4)).toBeLessThan(0.5);
    expect(map.prior).toEqual(weakBgnbdPrior(weeks));
  });

  it('is within 1 % of the published Gamma-Gamma estimates', () => {
    const spend = spendModelCustomers(weeks).customers;
    const map = fitGammaGamma(spend, { prior: 'weak' });
    expect(map.converged).toBe(true);
    const published = { p: 6.25, q: 3.74, gamma: 15.44 };
    for (const key of ['p', 'q', 'gamma'] as const) expect(relative(map.params[key], published[key])).toBeLessThan(0.01);
    // In cents the prior moves with the data: γ is 100 times larger and p, q are the same.
    const cents = fitGammaGamma(spend.map((customer) => ({ ...customer, meanRepeatValue: customer.meanRepeatValue * 100 })), { prior: 'weak' });
    expect(relative(cents.params.gamma, 100 * map.params.gamma)).toBeLessThan(1e-4);
    expect(relative(cents.params.p, map.params.p)).toBeLessThan(1e-4);
    expect(weakGammaGammaPrior(spend).gamma.mean).toBeCloseTo(Math.log((3 * spend.reduce((sum, c) => sum + c.meanRepeatValue, 0)) / spend.length / 4), 10);
  });

  it('says the same in days as in weeks (α times 7)', () => {
    const inWeeks = fitBgnbd(weeks, { prior: 'weak' });
    const inDays = fitBgnbd(weeks.map((customer) => ({ x: customer.x, tx: customer.tx * 7, T: customer.T * 7 })), { prior: 'weak' });
    expect(relative(inDays.params.alpha, 7 * inWeeks.params.alpha)).toBeLessThan(1e-4);
    for (const key of ['r', 'a', 'b'] as const) expect(relative(inDays.params[key], inWeeks.params[key])).toBeLessThan(1e-4);
  });

  it('has a Laplace covariance that agrees with second differences of the value', () => {
    const map = fitBgnbd(weeks, { prior: 'weak' });
    const covariance = map.covariance!;
    expect(covariance).toHaveLength(4);
    // Standard deviations of the ln-parameters: r is pinned to about 5 %, b to about 30 %.
    const sd = covariance.map((row, i) => Math.sqrt(row[i] ?? 0));
    expect(sd[0]).toBeGreaterThan(0.03);
    expect(sd[0]).toBeLessThan(0.08);
    expect(sd[3]).toBeGreaterThan(0.15);
    expect(sd[3]).toBeLessThan(0.45);
  });
});

describe('MAP on the CDNOW master file (23,570 customers)', () => {
  it('is within 1 % of maximum likelihood for every parameter of both models', () => {
    const { summaries } = calibrationAndHoldout(readCdnowMaster());
    expect(summaries).toHaveLength(23_570);
    const mle = fitBgnbd(summaries);
    const map = fitBgnbd(summaries, { prior: 'weak' });
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(relative(map.params[key], mle.params[key])).toBeLessThan(0.01);
    const spend = spendModelCustomers(summaries).customers;
    const mleSpend = fitGammaGamma(spend);
    const mapSpend = fitGammaGamma(spend, { prior: 'weak' });
    for (const key of ['p', 'q', 'gamma'] as const) expect(relative(mapSpend.params[key], mleSpend.params[key])).toBeLessThan(0.01);
  }, 30_000);
});

describe('MAP on a store with about 20 repeat buyers', () => {
  it('stays finite where maximum likelihood sends the drop-out parameters to infinity', () => {
    // Seed 50_000: 50 CDNOW customers whose repeat buyers never seem to drop out.
    const { summaries } = calibrationAndHoldout(drawCustomers(readCdnowMaster(), 50, 50_000));
    const repeatBuyers = summaries.filter((customer) => customer.x > 0).length;
    expect(repeatBuyers).toBeGreaterThan(10);
    expect(repeatBuyers).toBeLessThan(30);
    const mle = fitBgnbd(summaries);
    expect(mle.params.a).toBeGreaterThan(1e6);
    expect(Number.isFinite(bgnbdExpectedPurchases(mle.params, summaries.find((customer) => customer.x > 2)!, 39))).toBe(false);
    const map = fitBgnbd(summaries, { prior: 'weak' });
    expect(map.converged).toBe(true);
    expect(map.params.a).toBeLessThan(20);
    expect(map.covariance).toBeDefined();
    for (const customer of summaries) expect(Number.isFinite(bgnbdExpectedPurchases(map.params, customer, 39))).toBe(true);
  });
});

describe('the pieces', () => {
  it('log-prior and its gradient agree', () => {
    const priors = [
      { mean: 0, sd: 2 },
      { mean: 1.5, sd: 0.5 },
    ];
    expect(logPrior([2, 1], priors)).toBeCloseTo(-0.5 - 0.5, 12);
    const gradient = logPriorGradient([2, 1], priors);
    const h = 1e-6;
    expect(gradient[0]).toBeCloseTo((logPrior([2 + h, 1], priors) - logPrior([2 - h, 1], priors)) / (2 * h), 6);
    expect(gradient[1]).toBeCloseTo(2, 10);
  });

  it('finite-difference Hessians, Cholesky and inverse are exact on a quadratic', () => {
    const a = [
      [4, 1, 0.5],
      [1, 3, 0.2],
      [0.5, 0.2, 2],
    ];
    const value = (point: readonly number[]): number => 0.5 * a.reduce((sum, row, i) => sum + row.reduce((s, v, j) => s + (point[i] ?? 0) * v * (point[j] ?? 0), 0), 0);
    const gradient = (point: readonly number[]): number[] => a.map((row) => row.reduce((s, v, j) => s + v * (point[j] ?? 0), 0));
    for (const hessian of [hessianFromValues(value, [0.3, -1, 2]), hessianFromGradient(gradient, [0.3, -1, 2])]) {
      hessian.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(a[i]?.[j] ?? 0, 5)));
    }
    const inverse = invertPositiveDefinite(a)!;
    a.forEach((row, i) => row.forEach((_, j) => expect(row.reduce((s, v, k) => s + v * (inverse[k]?.[j] ?? 0), 0)).toBeCloseTo(i === j ? 1 : 0, 12)));
    expect(cholesky([
      [1, 2],
      [2, 1],
    ])).toBeUndefined();
  });

  it('the posterior predictive simulation of a customer’s future purchases has the mean of eq. (10)', () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const random = seededRandom(5);
    for (const customer of [
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 6, tx: 20, T: 38 },
      { x: 0, tx: 0, T: 30 },
    ]) {
      const alive = bgnbdProbabilityAlive(params, customer);
      const draws = 20_000;
      let total = 0;
      for (let i = 0; i < draws; i++) total += simulateBgnbdFuturePurchases(random, params, customer, 39, alive);
      const expected = bgnbdExpectedPurchases(params, customer, 39);
      expect(Math.abs(total / draws - expected)).toBeLessThan(0.03 + 0.03 * expected);
    }
  });
});
