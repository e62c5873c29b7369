import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import {
  bgnbdCustomerLogLikelihood,
  bgnbdLogLikelihood,
  bgnbdLogLikelihoodGradient,
  bfgs,
  gammaGammaCustomerLogLikelihood,
  gammaGammaLogLikelihood,
  nelderMead,
  minimizeMultiStart,
  summarizeTransactions,
  dayNumber,
} from '../../../functions/core/models/index.ts';

describe('BG/NBD log-likelihood', () => {
  // r = 0.5, α = 2, a = 0.8, b = 2.5, so α^r = √2 and a + b = 3.3.
  const params = { r: 0.5, alpha: 2, a: 0.8, b: 2.5 };

  it('is r·ln(α/(α+T)) for a customer without repeat purchases', () => {
    // L = B(a,b)/B(a,b) · Γ(r)/Γ(r) · α^r/(α+T)^r = (2/5)^0.5
    expect(bgnbdCustomerLogLikelihood(params, { x: 0, tx: 0, T: 3 })).toBeCloseTo(0.5 * Math.log(2 / 5), 12);
  });

  it('matches eq. (6) worked by hand for one repeat purchase', () => {
    // B(a,b+1)/B(a,b) = b/(a+b), B(a+1,b)/B(a,b) = a/(a+b), Γ(r+1)/Γ(r) = r
    // L = r α^r [ b/(a+b) (α+T)^-(r+1) + a/(a+b) (α+tx)^-(r+1) ], α+T = 5, α+tx = 3
    const expected = 0.5 * Math.SQRT2 * ((2.5 / 3.3) * 5 ** -1.5 + (0.8 / 3.3) * 3 ** -1.5);
    expect(bgnbdCustomerLogLikelihood(params, { x: 1, tx: 1, T: 3 })).toBeCloseTo(Math.log(expected), 12);
  });

  it('matches eq. (6) worked by hand for two repeat purchases', () => {
    // B(a,b+2)/B(a,b) = b(b+1)/((a+b)(a+b+1)), B(a+1,b+1)/B(a,b) = ab/((a+b)(a+b+1)), Γ(r+2)/Γ(r) = r(r+1)
    // α+T = 6, α+tx = 4.5
    const expected = 0.5 * 1.5 * Math.SQRT2 * ((2.5 * 3.5) / (3.3 * 4.3) * 6 ** -2.5 + (0.8 * 2.5) / (3.3 * 4.3) * 4.5 ** -2.5);
    expect(bgnbdCustomerLogLikelihood(params, { x: 2, tx: 2.5, T: 4 })).toBeCloseTo(Math.log(expected), 12);
  });

  it('sums over customers, duplicates included', () => {
    const customers = [
      { x: 0, tx: 0, T: 3 },
      { x: 1, tx: 1, T: 3 },
      { x: 2, tx: 2.5, T: 4 },
      { x: 1, tx: 1, T: 3 },
      { x: 0, tx: 0, T: 3 },
    ];
    const expected =
      2 * 0.5 * Math.log(2 / 5) +
      2 * Math.log(0.5 * Math.SQRT2 * ((2.5 / 3.3) * 5 ** -1.5 + (0.8 / 3.3) * 3 ** -1.5)) +
      Math.log(0.5 * 1.5 * Math.SQRT2 * ((2.5 * 3.5) / (3.3 * 4.3) * 6 ** -2.5 + (0.8 * 2.5) / (3.3 * 4.3) * 4.5 ** -2.5));
    expect(bgnbdLogLikelihood(params, customers)).toBeCloseTo(expected, 11);
  });

  it('has the gradient of its finite differences', () => {
    const customers = [
      { x: 0, tx: 0, T: 3 },
      { x: 1, tx: 1, T: 3 },
      { x: 2, tx: 2.5, T: 4 },
      { x: 7, tx: 30, T: 38 },
      { x: 3, tx: 5, T: 38 },
    ];
    const gradient = bgnbdLogLikelihoodGradient(params, customers);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      const h = 1e-6 * params[name];
      const difference =
        (bgnbdLogLikelihood({ ...params, [name]: params[name] + h }, customers) - bgnbdLogLikelihood({ ...params, [name]: params[name] - h }, customers)) / (2 * h);
      expect(gradient[name]).toBeCloseTo(difference, 5);
    }
  });

  it('rejects impossible data and parameters', () => {
    expect(() => bgnbdCustomerLogLikelihood(params, { x: 1.5, tx: 1, T: 3 })).toThrow(RangeError);
    expect(() => bgnbdCustomerLogLikelihood(params, { x: 1, tx: 4, T: 3 })).toThrow(RangeError);
    expect(() => bgnbdCustomerLogLikelihood({ ...params, r: 0 }, { x: 0, tx: 0, T: 3 })).toThrow(RangeError);
  });
});

describe('Gamma-Gamma log-likelihood', () => {
  // p = 2, q = 3, γ = 4: Γ(p+q)/(Γ(p)Γ(q)) etc. with whole numbers.
  const params = { p: 2, q: 3, gamma: 4 };

  it('matches the density worked by hand for x = 1', () => {
    // Γ(5)/(Γ(2)Γ(3)) · 4^3 · 10^(2−1) · 1^2 / (4 + 10)^5 = 12 · 64 · 10 / 14^5
    expect(gammaGammaCustomerLogLikelihood(params, { x: 1, meanRepeatValue: 10 })).toBeCloseTo(Math.log((12 * 64 * 10) / 14 ** 5), 12);
  });

  it('matches the density worked by hand for x = 2', () => {
    // px = 4: Γ(7)/(Γ(4)Γ(3)) · 4^3 · 5^3 · 2^4 / (4 + 10)^7 = 60 · 64 · 125 · 16 / 14^7
    expect(gammaGammaCustomerLogLikelihood(params, { x: 2, meanRepeatValue: 5 })).toBeCloseTo(Math.log((60 * 64 * 125 * 16) / 14 ** 7), 12);
  });

  it('is a density of the mean value: it integrates to 1', () => {
    // Midpoint rule on m = u/(1−u), u ∈ (0, 1).
    const steps = 200_000;
    let integral = 0;
    for (let i = 0; i < steps; i++) {
      const u = (i + 0.5) / steps;
      const m = u / (1 - u);
      integral += Math.exp(gammaGammaCustomerLogLikelihood({ p: 3.5, q: 2.7, gamma: 6 }, { x: 3, meanRepeatValue: m })) / (1 - u) ** 2 / steps;
    }
    expect(integral).toBeCloseTo(1, 6);
  });

  it('sums over repeat buyers', () => {
    const expected = 2 * Math.log((12 * 64 * 10) / 14 ** 5) + Math.log((60 * 64 * 125 * 16) / 14 ** 7);
    const observations = [
      { x: 1, meanRepeatValue: 10 },
      { x: 2, meanRepeatValue: 5 },
      { x: 1, meanRepeatValue: 10 },
    ];
    expect(gammaGammaLogLikelihood(params, observations)).toBeCloseTo(expected, 11);
  });

  it('rejects customers without repeat purchases or with a non-positive mean', () => {
    expect(() => gammaGammaCustomerLogLikelihood(params, { x: 0, meanRepeatValue: 10 })).toThrow(RangeError);
    expect(() => gammaGammaCustomerLogLikelihood(params, { x: 2, meanRepeatValue: 0 })).toThrow(RangeError);
  });
});

describe('transaction summary', () => {
  const options = { calibrationEnd: '1997-09-30', unit: 'week' as const };

  it('counts repeat days, merges same-day purchases and measures T to the calibration end', () => {
    const [summary] = summarizeTransactions(
      [
        { customerId: 'c1', date: '1997-08-02', amount: 14.96 },
        { customerId: 'c1', date: '1997-01-01', amount: 29.33 },
        { customerId: 'c1', date: '1997-01-18', amount: 20 },
        { customerId: 'c1', date: '1997-01-18', amount: 9.73 },
        { customerId: 'c1', date: '1997-01-01', amount: 5 },
        { customerId: 'c1', date: '1997-12-12', amount: 26.48 },
      ],
      options,
    );
    expect(summary).toBeDefined();
    expect(summary?.customerId).toBe('c1');
    expect(summary?.x).toBe(2);
    expect(summary?.tx).toBeCloseTo(213 / 7, 12); // 1997-01-01 → 1997-08-02
    expect(summary?.T).toBeCloseTo(272 / 7, 12); // 1997-01-01 → 1997-09-30
    expect(summary?.meanRepeatValue).toBeCloseTo((29.73 + 14.96) / 2, 12);
  });

  it('keeps purchases on the calibration end, drops later ones and customers who start later', () => {
    const summaries = summarizeTransactions(
      [
        { customerId: 'a', date: '1997-09-01', amount: 10 },
        { customerId: 'a', date: '1997-09-30', amount: 30 },
        { customerId: 'b', date: '1997-10-01', amount: 10 },
        { customerId: 'c', date: '1997-09-30', amount: 10 },
      ],
      { calibrationEnd: '1997-09-30', unit: 'day' },
    );
    expect(summaries).toEqual([
      { customerId: 'a', x: 1, tx: 29, T: 29, meanRepeatValue: 30 },
      { customerId: 'c', x: 0, tx: 0, T: 0, meanRepeatValue: 0 },
    ]);
  });

  it('rejects dates that are not calendar days', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(() => dayNumber('1997-02-29')).toThrow(InvalidInputError);
    expect(() => dayNumber('19970101')).toThrow(InvalidInputError);
    expect(() => summarizeTransactions([], { calibrationEnd: '1997-13-01', unit: 'day' })).toThrow(InvalidInputError);
  });
});

describe('optimiser', () => {
  const rosenbrock = ([x = 0, y = 0]: readonly number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;

  it('finds the minimum of the Rosenbrock valley', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 10_000 });
    expect(result.converged).toBe(true);
    expect(result.point[0]).toBeCloseTo(1, 6);
    expect(result.point[1]).toBeCloseTo(1, 6);
  });

  it('finds it with BFGS and the analytic gradient', () => {
    const withGradient = ([x = 0, y = 0]: readonly number[]): { value: number; gradient: number[] } => ({
      value: rosenbrock([x, y]),
      gradient: [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)],
    });
    const result = bfgs(withGradient, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.point[0]).toBeCloseTo(1, 6);
    expect(result.point[1]).toBeCloseTo(1, 6);
  });

  it('keeps the best of several starts on a function with two minima', () => {
    // Minima at x = −1 (value 0) and near x = 1.97 (value ≈ 0.9); one start sits in each basin.
    const twoWells = ([x = 0]: readonly number[]): number => (x + 1) ** 2 * ((x - 2) ** 2 + 0.1);
    const result = minimizeMultiStart(twoWells, [[3], [-3]]);
    expect(result.point[0]).toBeCloseTo(-1, 6);
    expect(result.value).toBeCloseTo(0, 10);
  });
});
